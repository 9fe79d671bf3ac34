#include "test_support.h"

#include <fstream>
#include <sstream>

#include "output/flow_rows.h"

namespace flowlens::test {
namespace {

class Collector final : public ChunkConsumer {
 public:
  explicit Collector(ParseOutcome& out) : out_(out) {}
  void consume(ParsedChunk& chunk) override {
    std::string text;
    render_rows(chunk.batch, RowFormat::kNdjson, text);
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t nl = text.find('\n', start);
      out_.rows.push_back(text.substr(start, nl - start));
      start = nl + 1;
    }
    for (auto& e : chunk.errors)
      out_.errors.push_back(e);
    out_.stats.records += chunk.stats.records;
    out_.stats.rejected_records += chunk.stats.rejected_records;
    out_.stats.tuples += chunk.stats.tuples;
    out_.stats.rejected_tuples += chunk.stats.rejected_tuples;
    if (chunk.last_of_input) out_.unterminated = chunk.unterminated;
    out_.resumes.push_back(chunk.resume);
  }

 private:
  ParseOutcome& out_;
};

}  // namespace

ParseOutcome parse_bytes(const std::string& bytes, unsigned threads, std::size_t max_read,
                         std::size_t chunk_bytes, const std::string& name,
                         std::size_t max_record_bytes) {
  ParseOutcome out;
  Collector collector(out);
  PipelineOptions options;
  options.threads = threads;
  if (chunk_bytes != 0) options.limits.chunk_bytes = chunk_bytes;
  if (max_record_bytes != 0) options.limits.max_record_bytes = max_record_bytes;
  std::vector<InputSpec> inputs = {
      InputSpec{name, bytes.size(),
                [&bytes, max_read] { return std::make_unique<MemoryReader>(bytes, max_read); }}};
  run_parse_pipeline(inputs, options, collector);
  return out;
}

std::vector<FlowBatch> parse_batches(const std::string& bytes) {
  struct Keep final : ChunkConsumer {
    std::vector<FlowBatch> batches;
    std::size_t errors = 0;
    void consume(ParsedChunk& chunk) override {
      errors += chunk.errors.size();
      batches.push_back(std::move(chunk.batch));
    }
  } keep;
  std::vector<InputSpec> inputs = {InputSpec{
      "test.json", bytes.size(), [&bytes] { return std::make_unique<MemoryReader>(bytes); }}};
  run_parse_pipeline(inputs, PipelineOptions{}, keep);
  if (keep.errors != 0) throw std::runtime_error("parse_batches: the input has errors");
  return std::move(keep.batches);
}

ParseOutcome parse_bytes_from(const std::string& bytes, const ResumePoint& from,
                              std::size_t chunk_bytes) {
  ParseOutcome out;
  Collector collector(out);
  PipelineOptions options;
  if (chunk_bytes != 0) options.limits.chunk_bytes = chunk_bytes;
  InputSpec input("test.json", bytes.size(),
                  [&bytes] { return std::make_unique<MemoryReader>(bytes, 7); });
  input.resume = from;
  input.resume_hash.update(bytes.data(), std::min<std::size_t>(from.offset, bytes.size()));
  std::vector<InputSpec> inputs;
  inputs.push_back(std::move(input));
  run_parse_pipeline(inputs, options, collector);
  return out;
}

std::uint64_t prefix_hash(std::string_view bytes) {
  StreamHash h;
  h.update(bytes);
  return h.digest();
}

std::string vnet_record(const std::string& time, const std::vector<std::string>& tuples,
                        const std::string& rule) {
  std::string t;
  for (const auto& tuple : tuples) {
    if (!t.empty()) t += ',';
    t += '"' + tuple + '"';
  }
  return "{\"time\":\"" + time +
         "\",\"flowLogVersion\":4,\"macAddress\":\"00224871C205\",\"category\":"
         "\"FlowLogFlowEvent\",\"flowLogResourceID\":\"/SUBSCRIPTIONS/S/FLOWLOGS/F\","
         "\"targetResourceID\":\"/subscriptions/s/virtualNetworks/v\",\"flowRecords\":{\"flows\":"
         "[{\"aclID\":\"acl-1\",\"flowGroups\":[{\"rule\":\"" +
         rule + "\",\"flowTuples\":[" + t + "]}]}]}}";
}

std::string blob(const std::vector<std::string>& records, bool terminated) {
  std::string b = "{\"records\":[";
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (i > 0) b += ',';
    b += records[i];
  }
  if (terminated) b += "]}";
  return b;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace flowlens::test
