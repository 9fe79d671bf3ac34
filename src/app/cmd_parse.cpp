// `flowlens parse PATH... [--format ndjson|csv] [--summary]`: flatten flow logs to one line per
// tuple, or print totals.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "app/error_report.h"
#include "app/exit_codes.h"
#include "app/progress_meter.h"
#include "flowlog/parse_pipeline.h"
#include "output/flow_rows.h"
#include "output/parse_summary.h"
#include "source/input_discovery.h"

namespace flowlens {
namespace {

struct ParseCommandOptions {
  std::vector<std::string> paths;
  std::string format;
  bool summary = false;
  std::string output;
  std::string errors_path;
  std::size_t max_error_lines = 20;
  unsigned threads = 0;
  std::size_t max_record_bytes = ParseLimits{}.max_record_bytes;
  bool quiet = false;
  bool progress = false;
};

// Receives parsed chunks in input order: writes rows or accumulates the summary, reports
// errors, drives the progress line.
class ParseSink final : public ChunkConsumer {
 public:
  ParseSink(const ParseCommandOptions& o, std::FILE* out, ErrorReport& errors,
            ProgressMeter& progress)
      : o_(o), out_(out), errors_(errors), progress_(progress) {
    if (!o.summary) format_ = o.format == "csv" ? RowFormat::kCsv : RowFormat::kNdjson;
  }

  void prepare(ParsedChunk& chunk) override {
    if (!o_.summary && chunk.batch.size() > 0) render_rows(chunk.batch, format_, chunk.rendered);
  }

  void consume(ParsedChunk& chunk) override {
    if (!o_.summary && !chunk.rendered.empty()) {
      if (std::fwrite(chunk.rendered.data(), 1, chunk.rendered.size(), out_) !=
          chunk.rendered.size()) {
        throw std::runtime_error("cannot write output");
      }
    }
    for (const ParseError& e : chunk.errors)
      errors_.add(e);
    summary.add(chunk);
    progress_.update(summary.inputs, summary.bytes, summary.tuples);
  }

  ParseSummary summary;

 private:
  const ParseCommandOptions& o_;
  std::FILE* out_;
  ErrorReport& errors_;
  ProgressMeter& progress_;
  RowFormat format_ = RowFormat::kNdjson;
};

int run_parse(const ParseCommandOptions& o) {
  if (o.summary && o.format != "" && o.format != "text" && o.format != "json") {
    fmt::print(stderr, "flowlens: --summary prints text or json, not {}\n", o.format);
    return kExitUsage;
  }
  if (!o.summary && o.format != "" && o.format != "ndjson" && o.format != "csv") {
    fmt::print(stderr, "flowlens: --format must be ndjson or csv (text and json need --summary)\n");
    return kExitUsage;
  }
  DiscoveryResult found = discover_inputs(o.paths);
  for (const std::string& problem : found.problems)
    fmt::print(stderr, "flowlens: {}\n", problem);
  if (!found.problems.empty()) return kExitUsage;
  if (found.inputs.empty()) {
    fmt::print(stderr,
               "flowlens: no flow-log files (*.json, *.ndjson, *.jsonl) under the given "
               "paths\n");
    return kExitUsage;
  }

  std::FILE* out = stdout;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> owned(nullptr, &std::fclose);
  if (!o.output.empty() && o.output != "-") {
    owned.reset(std::fopen(o.output.c_str(), "wb"));
    if (!owned) {
      fmt::print(stderr, "flowlens: cannot create {}\n", o.output);
      return kExitFailure;
    }
    out = owned.get();
  }
  static char buffer[1 << 20];
  std::setvbuf(out, buffer, _IOFBF, sizeof buffer);

  std::optional<std::uint64_t> total_bytes = 0;
  for (const InputSpec& in : found.inputs) {
    if (!in.size) {
      total_bytes.reset();
      break;
    }
    *total_bytes += *in.size;
  }
  // Progress goes to stderr when it is a terminal, unless rows are being printed to that same
  // terminal.
  bool show_progress = !o.quiet && ProgressMeter::stderr_is_terminal() &&
                       (o.progress || o.summary || out != stdout || ::isatty(STDOUT_FILENO) == 0);
  ProgressMeter progress(show_progress, "parse", "tuples", total_bytes, found.inputs.size());

  try {
    ErrorReport errors(o.quiet ? 0 : o.max_error_lines, o.errors_path);
    ParseSink sink(o, out, errors, progress);
    if (!o.summary && o.format == "csv") {
      std::string header = csv_header();
      std::fwrite(header.data(), 1, header.size(), out);
    }
    PipelineOptions options;
    options.threads = o.threads;
    options.limits.max_record_bytes = o.max_record_bytes;
    auto start = std::chrono::steady_clock::now();
    run_parse_pipeline(found.inputs, options, sink);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress.finish();
    if (o.summary) {
      std::string report =
          o.format == "json" ? sink.summary.to_json() : sink.summary.to_text(seconds);
      std::fwrite(report.data(), 1, report.size(), out);
    }
    if (std::fflush(out) != 0 || std::ferror(out)) {
      fmt::print(stderr, "flowlens: cannot write output\n");
      return kExitFailure;
    }
    if (!errors.finish()) {
      fmt::print(stderr, "flowlens: cannot write {}\n", o.errors_path);
      return kExitFailure;
    }
    if (errors.count() > 0) {
      if (!o.quiet) {
        fmt::print(stderr,
                   "flowlens: {} problem(s): {} record(s) and {} tuple(s) rejected; {} tuples "
                   "accepted\n",
                   errors.count(), sink.summary.rejected_records, sink.summary.rejected_tuples,
                   sink.summary.tuples);
      }
      return kExitPartial;
    }
    return kExitOk;
  } catch (const std::exception& e) {
    progress.finish();
    fmt::print(stderr, "flowlens: {}\n", e.what());
    return kExitFailure;
  }
}

}  // namespace

CommandRunner add_parse_command(CLI::App& app) {
  auto o = std::make_shared<ParseCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "parse", "Flatten flow logs to one line per tuple (NDJSON or CSV), or print totals");
  cmd->add_option("paths", o->paths,
                  "Flow-log files, directories (walked recursively) or - for stdin")
      ->required();
  cmd->add_option("--format", o->format,
                  "ndjson (default) or csv; with --summary: text (default) or json")
      ->check(CLI::IsMember({"ndjson", "csv", "text", "json"}));
  cmd->add_flag("--summary", o->summary,
                "Print totals (by version, state, status, direction, protocol; traffic; time "
                "range; errors) instead of rows");
  cmd->add_option("-o,--output", o->output, "Write to FILE instead of stdout");
  cmd->add_option("--errors", o->errors_path,
                  "Write every rejected record or tuple to FILE as NDJSON");
  cmd->add_option("--max-error-lines", o->max_error_lines,
                  "Rejections shown on stderr before the rest are only counted")
      ->capture_default_str();
  cmd->add_option("--threads", o->threads, "Parser threads (0: one per CPU)")
      ->capture_default_str();
  cmd->add_option("--max-record-size", o->max_record_bytes,
                  "Reject records larger than this many bytes")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 31));
  cmd->add_flag("-q,--quiet", o->quiet, "No progress line and no rejection lines on stderr");
  cmd->add_flag("--progress", o->progress,
                "Show progress on a terminal even while rows go to the same terminal");
  return [o] { return run_parse(*o); };
}

}  // namespace flowlens
