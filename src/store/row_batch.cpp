#include "store/row_batch.h"

namespace flowlens::store {

RowBatchBuilder::RowBatchBuilder(const TableDef& table) {
  batch_.table = &table;
  batch_.columns.resize(table.columns.size());
  for (std::size_t c = 0; c < table.columns.size(); ++c)
    batch_.columns[c].type = table.columns[c].type;
}

void RowBatchBuilder::mark_null(std::size_t column, bool null) {
  std::vector<std::uint8_t>& nulls = batch_.columns[column].nulls;
  if (!null && nulls.empty()) return;
  if (nulls.empty()) nulls.assign(rows_, 0);
  nulls.push_back(null ? 1 : 0);
}

void RowBatchBuilder::put_null(std::size_t column) {
  ColumnData& d = batch_.columns[column];
  mark_null(column, true);
  if (d.type == ColumnType::kString) {
    d.codes.push_back(static_cast<std::uint32_t>(d.dict.size()));
    d.dict.emplace_back();
  } else if (d.type == ColumnType::kReal) {
    d.reals.push_back(0);
  } else {
    d.ints.push_back(0);
  }
}

void RowBatchBuilder::put_int(std::size_t column, std::int64_t v) {
  mark_null(column, false);
  batch_.columns[column].ints.push_back(v);
}

void RowBatchBuilder::put_real(std::size_t column, double v) {
  mark_null(column, false);
  batch_.columns[column].reals.push_back(v);
}

void RowBatchBuilder::put_string(std::size_t column, std::string_view v) {
  ColumnData& d = batch_.columns[column];
  mark_null(column, false);
  d.codes.push_back(static_cast<std::uint32_t>(d.dict.size()));
  d.dict.push_back(d.arena.copy(v));
}

void RowBatchBuilder::end_row() {
  batch_.rows.push_back(static_cast<std::uint32_t>(rows_));
  ++rows_;
}

void RowBatchBuilder::clear() {
  for (ColumnData& d : batch_.columns) {
    ColumnType type = d.type;
    d.clear();
    d.type = type;
  }
  batch_.rows.clear();
  rows_ = 0;
}

void copy_cell(const ColumnData& data, std::size_t c, std::size_t row, RowSink& sink) {
  if (data.is_null(row)) {
    sink.put_null(c);
  } else if (data.type == ColumnType::kString) {
    sink.put_string(c, data.string_at(row));
  } else if (data.type == ColumnType::kReal) {
    sink.put_real(c, data.reals[row]);
  } else {
    sink.put_int(c, data.ints[row]);
  }
}

}  // namespace flowlens::store
