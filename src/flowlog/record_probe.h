// RecordProbe: decides whether a span of bytes is a flow-log record. The splitter uses it only
// after damage, to find where intact records resume; the verdict must be cheap and must not
// accept the inner objects of a record (flow groups, rule entries) as records.
#pragma once

#include <cstddef>
#include <memory>

namespace flowlens {

class RecordProbe {
 public:
  RecordProbe();
  ~RecordProbe();
  RecordProbe(const RecordProbe&) = delete;
  RecordProbe& operator=(const RecordProbe&) = delete;

  // True when data[0, len) is a JSON object with at least one record-level key (time,
  // category, flowRecords, properties, ...) and no `records` key. `capacity` bytes must be
  // readable from `data` (len plus padding).
  bool is_record(const char* data, std::size_t len, std::size_t capacity);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowlens
