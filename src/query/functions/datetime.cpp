#include "query/functions/common.h"

namespace flowlens::query::fn {

void register_datetime(std::vector<ScalarFunction>&) {}

}  // namespace flowlens::query::fn
