#include "query/functions/common.h"

namespace flowlens::query::fn {

void register_series(std::vector<ScalarFunction>&) {}

}  // namespace flowlens::query::fn
