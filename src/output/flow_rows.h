// Flattening a FlowBatch to text: one line per tuple with the FlowTuples columns, as NDJSON
// objects or CSV rows (RFC 4180, header line first). Datetimes are ISO-8601 UTC with 7
// fractional digits, numbers are plain decimals, every string from the log is escaped.
#pragma once

#include <string>

#include "flowlog/flow_batch.h"

namespace flowlens {

enum class RowFormat { kNdjson, kCsv };

// The CSV header line, newline included.
std::string csv_header();

// Appends one line per tuple of `batch` to `out`.
void render_rows(const FlowBatch& batch, RowFormat format, std::string& out);

}  // namespace flowlens
