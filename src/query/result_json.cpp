#include "query/result_json.h"

#include <fmt/format.h>

#include <cmath>

#include "common/json_text.h"

namespace flowlens::query {

void append_value_json(const Value& v, std::string& out) {
  if (v.null && v.type != Type::kString) {
    out += "null";
    return;
  }
  switch (v.type) {
    case Type::kBool:
      out += v.i ? "true" : "false";
      return;
    case Type::kInt:
    case Type::kLong:
      out += std::to_string(v.i);
      return;
    case Type::kReal:
      if (std::isnan(v.r)) {
        out += "\"NaN\"";
      } else if (std::isinf(v.r)) {
        out += v.r > 0 ? "\"Infinity\"" : "\"-Infinity\"";
      } else {
        out += format_real(v.r);
      }
      return;
    case Type::kDynamic:
      dyn_append_json(v.d, out);
      return;
    default:
      append_json_string(out, value_to_string(v));
  }
}

void append_result_json(const QueryResult& r, std::string& out) {
  out += "{\"tables\":[";
  for (std::size_t i = 0; i < r.tables.size(); ++i) {
    const auto& t = r.tables[i];
    if (i > 0) out += ',';
    out += "{\"columns\":[";
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      if (c > 0) out += ',';
      out += "{\"name\":";
      append_json_string(out, t.columns[c].name);
      out += ",\"type\":";
      append_json_string(out, type_name(t.columns[c].type));
      out += '}';
    }
    out += "],\"rows\":[";
    for (std::size_t row = 0; row < t.rows.size(); ++row) {
      if (row > 0) out += ',';
      out += '[';
      for (std::size_t c = 0; c < t.rows[row].size(); ++c) {
        if (c > 0) out += ',';
        append_value_json(t.rows[row][c], out);
      }
      out += ']';
    }
    out += "],\"render\":";
    if (t.render.kind.empty()) {
      out += "null";
    } else {
      out += "{\"kind\":";
      append_json_string(out, t.render.kind);
      out += ",\"properties\":{";
      for (std::size_t p = 0; p < t.render.properties.size(); ++p) {
        if (p > 0) out += ',';
        append_json_string(out, t.render.properties[p].first);
        out += ':';
        append_json_string(out, t.render.properties[p].second);
      }
      out += "}}";
    }
    out += fmt::format(",\"truncated\":{}}}", t.truncated ? "true" : "false");
  }
  out += "]}";
}

}  // namespace flowlens::query
