// RowBatch: rows of one table as readers receive them, column by column.
//
// A batch holds one ColumnData per table column (in the table's column order) and the indexes
// of the rows that belong to the batch, so a row group read from disk is handed on without
// copying and a time filter only narrows `rows`. Columns left out of a projection are empty.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "store/column.h"
#include "store/table_schema.h"

namespace flowlens::store {

struct RowBatch {
  const TableDef* table = nullptr;
  std::vector<ColumnData> columns;
  std::vector<std::uint32_t> rows;  // selected row indexes into every column

  std::size_t size() const { return rows.size(); }
};

// Receives the rows of a merge or copy one cell at a time, in column order.
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual void put_null(std::size_t column) = 0;
  virtual void put_int(std::size_t column, std::int64_t v) = 0;
  virtual void put_real(std::size_t column, double v) = 0;
  virtual void put_string(std::size_t column, std::string_view v) = 0;
  virtual void end_row() = 0;
};

// Builds a RowBatch from cells.
class RowBatchBuilder final : public RowSink {
 public:
  explicit RowBatchBuilder(const TableDef& table);
  void put_null(std::size_t column) override;
  void put_int(std::size_t column, std::int64_t v) override;
  void put_real(std::size_t column, double v) override;
  void put_string(std::size_t column, std::string_view v) override;
  void end_row() override;
  std::size_t rows() const { return rows_; }
  RowBatch& batch() { return batch_; }
  void clear();

 private:
  void mark_null(std::size_t column, bool null);
  RowBatch batch_;
  std::size_t rows_ = 0;
};

// Copies the cell of column `c`, row `row` of decoded column data to a sink.
void copy_cell(const ColumnData& data, std::size_t c, std::size_t row, RowSink& sink);

}  // namespace flowlens::store
