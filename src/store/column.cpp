#include "store/column.h"

namespace flowlens::store {

std::string_view type_name(ColumnType t) {
  switch (t) {
    case ColumnType::kBool:
      return "bool";
    case ColumnType::kInt:
      return "int";
    case ColumnType::kLong:
      return "long";
    case ColumnType::kReal:
      return "real";
    case ColumnType::kString:
      return "string";
    case ColumnType::kDateTime:
      return "datetime";
    case ColumnType::kTimeSpan:
      return "timespan";
  }
  return "unknown";
}

bool is_integral(ColumnType t) {
  return t != ColumnType::kReal && t != ColumnType::kString;
}

std::size_t ColumnData::size() const {
  if (type == ColumnType::kString) return codes.size();
  if (type == ColumnType::kReal) return reals.size();
  return ints.size();
}

void ColumnData::clear() {
  ints.clear();
  reals.clear();
  dict.clear();
  codes.clear();
  nulls.clear();
  arena.clear();
}

}  // namespace flowlens::store
