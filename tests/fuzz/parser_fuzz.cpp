// libFuzzer target for the flow-log parser (splitter, record parser, tuple parser, output).
//
// Besides "no crash, no sanitizer report", it checks two properties on every input:
//  - the result does not depend on how the bytes arrive: one read, tiny reads, small chunks and
//    several threads all give the same rows and the same errors;
//  - the tuple parser's in-place path agrees with its copying path.
// Build and run: see `make fuzz` (short smoke run in `make test`, longer run documented there).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "flowlog/parse_pipeline.h"
#include "flowlog/tuple_parser.h"
#include "output/flow_rows.h"

namespace {

using namespace flowlens;

struct Outcome {
  std::string rows;
  std::vector<std::string> errors;
  bool operator==(const Outcome&) const = default;
};

class Collect final : public ChunkConsumer {
 public:
  explicit Collect(Outcome& out, std::uint64_t input_size) : out_(out), size_(input_size) {}
  void consume(ParsedChunk& chunk) override {
    render_rows(chunk.batch, RowFormat::kNdjson, out_.rows);
    for (const ParseError& e : chunk.errors) {
      if (e.byte_offset > size_) std::abort();  // an error must point inside the input
      out_.errors.push_back(std::to_string(e.record_index) + ' ' + std::to_string(e.tuple_index) +
                            ' ' + std::to_string(e.byte_offset) + ' ' +
                            std::string(error_code_name(e.code)));
    }
  }

 private:
  Outcome& out_;
  std::uint64_t size_;
};

Outcome parse(std::string_view bytes, std::size_t max_read, std::size_t chunk, unsigned threads) {
  Outcome out;
  Collect collect(out, bytes.size());
  PipelineOptions options;
  options.threads = threads;
  options.limits.chunk_bytes = chunk;
  options.limits.max_record_bytes = 16 * 1024;
  std::vector<InputSpec> inputs = {
      InputSpec{"fuzz", bytes.size(),
                [bytes, max_read] { return std::make_unique<MemoryReader>(bytes, max_read); }}};
  run_parse_pipeline(inputs, options, collect);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Outcome reference = parse(bytes, 0, 1 << 20, 1);
  for (auto [read, chunk, threads] :
       {std::tuple<std::size_t, std::size_t, unsigned>{1, 1024, 1}, {7, 1024, 3}, {64, 4096, 2}}) {
    if (!(parse(bytes, read, chunk, threads) == reference)) {
      std::fprintf(stderr, "result depends on read %zu / chunk %zu / threads %u\n", read, chunk,
                   threads);
      std::abort();
    }
  }
  if (size <= kMaxTupleLength) {
    for (TupleLayout layout : {TupleLayout::kVNet, TupleLayout::kNsg}) {
      ParsedTuple a, b;
      TupleProblem pa, pb;
      std::string padded(bytes);
      padded.append(kTuplePadding, ',');
      bool ok_a = parse_tuple(bytes, layout, a, pa);
      bool ok_b = parse_tuple_padded(std::string_view(padded.data(), size), layout, b, pb);
      if (ok_a != ok_b || (!ok_a && pa.code != pb.code) ||
          (ok_a && (a.time != b.time || a.src_ip != b.src_ip || a.dest_ip != b.dest_ip ||
                    a.bytes_dest_to_src != b.bytes_dest_to_src))) {
        std::abort();
      }
    }
  }
  return 0;
}
