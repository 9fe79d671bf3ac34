#include "output/table_rows.h"

#include <fmt/format.h>

#include <charconv>

#include "common/json_text.h"
#include "common/timestamp.h"

namespace flowlens {
namespace {

void append_cell(std::string& out, const store::ColumnData& d, std::uint32_t row, bool json) {
  using store::ColumnType;
  if (d.is_null(row)) {
    if (json) out += "null";
    return;
  }
  switch (d.type) {
    case ColumnType::kString:
      if (json) {
        append_json_string(out, d.string_at(row));
      } else {
        append_csv_field(out, d.string_at(row));
      }
      return;
    case ColumnType::kDateTime: {
      char buf[kIso8601Length];
      format_iso8601(d.ints[row], buf);
      if (json) out += '"';
      out.append(buf, kIso8601Length);
      if (json) out += '"';
      return;
    }
    case ColumnType::kBool:
      out += d.ints[row] != 0 ? "true" : "false";
      return;
    case ColumnType::kReal:
      out += fmt::format("{}", d.reals[row]);
      return;
    case ColumnType::kInt:
    case ColumnType::kLong:
    case ColumnType::kTimeSpan: {
      char buf[24];
      out.append(buf, static_cast<std::size_t>(
                          std::to_chars(buf, buf + sizeof buf, d.ints[row]).ptr - buf));
      return;
    }
  }
}

}  // namespace

std::string table_csv_header(const store::TableDef& table) {
  std::string out;
  for (const store::ColumnDef& c : table.columns) {
    if (!out.empty()) out += ',';
    out += c.name;
  }
  out += '\n';
  return out;
}

void render_table_rows(const store::RowBatch& batch, RowFormat format, std::string& out) {
  const store::TableDef& table = *batch.table;
  // JSON keys with their punctuation, made once per batch.
  std::vector<std::string> keys;
  if (format == RowFormat::kNdjson) {
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      std::string k = c == 0 ? "{" : ",";
      append_json_string(k, table.columns[c].name);
      k += ':';
      keys.push_back(std::move(k));
    }
  }
  for (std::uint32_t row : batch.rows) {
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      if (format == RowFormat::kNdjson) {
        out += keys[c];
      } else if (c > 0) {
        out += ',';
      }
      append_cell(out, batch.columns[c], row, format == RowFormat::kNdjson);
    }
    out += format == RowFormat::kNdjson ? "}\n" : "\n";
  }
}

}  // namespace flowlens
