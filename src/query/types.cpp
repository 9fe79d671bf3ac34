// KQL type names: the spellings the binder prints, getschema's .NET names, and the aliases
// accepted in typeof(), datatable schemas and T(null) literals. decimal maps to real (flowlens
// has no 128-bit decimal); guid is not a type here (guids are kept as strings).
#include "query/types.h"

#include <array>
#include <utility>

namespace flowlens::query {

std::string_view type_name(Type t) {
  switch (t) {
    case Type::kBool:
      return "bool";
    case Type::kInt:
      return "int";
    case Type::kLong:
      return "long";
    case Type::kReal:
      return "real";
    case Type::kString:
      return "string";
    case Type::kDateTime:
      return "datetime";
    case Type::kTimeSpan:
      return "timespan";
    case Type::kDynamic:
      return "dynamic";
  }
  return "unknown";
}

std::string_view dotnet_type_name(Type t) {
  switch (t) {
    case Type::kBool:
      return "System.SByte";
    case Type::kInt:
      return "System.Int32";
    case Type::kLong:
      return "System.Int64";
    case Type::kReal:
      return "System.Double";
    case Type::kString:
      return "System.String";
    case Type::kDateTime:
      return "System.DateTime";
    case Type::kTimeSpan:
      return "System.TimeSpan";
    case Type::kDynamic:
      return "System.Object";
  }
  return "System.Object";
}

std::optional<Type> parse_type_name(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, Type>, 22> kNames = {{
      {"bool", Type::kBool},       {"boolean", Type::kBool},      {"int", Type::kInt},
      {"int32", Type::kInt},       {"int8", Type::kInt},          {"int16", Type::kInt},
      {"uint8", Type::kInt},       {"uint16", Type::kInt},        {"long", Type::kLong},
      {"int64", Type::kLong},      {"uint64", Type::kLong},       {"ulong", Type::kLong},
      {"real", Type::kReal},       {"double", Type::kReal},       {"float", Type::kReal},
      {"decimal", Type::kReal},    {"string", Type::kString},     {"datetime", Type::kDateTime},
      {"date", Type::kDateTime},   {"timespan", Type::kTimeSpan}, {"time", Type::kTimeSpan},
      {"dynamic", Type::kDynamic},
  }};
  for (const auto& [n, t] : kNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

}  // namespace flowlens::query
