#include "flowlog/record_probe.h"

#include <simdjson.h>

#include <string_view>

namespace flowlens {

struct RecordProbe::Impl {
  simdjson::ondemand::parser parser;
};

RecordProbe::RecordProbe() : impl_(std::make_unique<Impl>()) {}
RecordProbe::~RecordProbe() = default;

bool RecordProbe::is_record(const char* data, std::size_t len, std::size_t capacity) {
  simdjson::ondemand::document doc;
  if (impl_->parser.iterate(data, len, capacity).get(doc) != simdjson::SUCCESS) return false;
  simdjson::ondemand::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) return false;
  bool record_key = false;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return false;
    if (key == "records") return false;
    if (key == "time" || key == "category" || key == "flowRecords" || key == "properties" ||
        key == "flowLogVersion" || key == "macAddress" || key == "operationName" ||
        key == "systemId" || key == "resourceId" || key == "flowLogResourceID" ||
        key == "targetResourceID") {
      record_key = true;
    }
  }
  return record_key;
}

}  // namespace flowlens
