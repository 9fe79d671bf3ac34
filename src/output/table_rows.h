// Rendering stored table rows (store::RowBatch) as NDJSON objects or CSV lines, in the table's
// column order: datetimes as ISO-8601 UTC with 7 fractional digits, numbers as plain decimals,
// bools as true/false, nulls as JSON null or an empty CSV field, strings escaped. FlowTuples rows
// render exactly as `flowlens parse` prints the same tuples.
#pragma once

#include <string>

#include "output/flow_rows.h"
#include "store/row_batch.h"

namespace flowlens {

// The CSV header line of a table, newline included.
std::string table_csv_header(const store::TableDef& table);

// Appends one line per selected row of `batch`.
void render_table_rows(const store::RowBatch& batch, RowFormat format, std::string& out);

}  // namespace flowlens
