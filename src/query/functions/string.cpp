#include "query/functions/common.h"

namespace flowlens::query::fn {

void register_string(std::vector<ScalarFunction>&) {}

}  // namespace flowlens::query::fn
