// `flowlens export [--data DIR] TABLE [--from TIME] [--to TIME] [--format ndjson|csv]`: print
// a stored table.
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "output/table_rows.h"
#include "query/table_reader.h"
#include "store/data_dir.h"
#include "store/snapshot.h"
#include "store/table_scan.h"

namespace flowlens {
namespace {

struct ExportCommandOptions {
  std::string table;
  std::string data;
  std::string from;
  std::string to;
  std::string format = "ndjson";
  std::string output;
  std::string now;
};

std::optional<Ticks> time_option(const std::string& name, const std::string& value) {
  auto t = parse_user_time(value);
  if (!t) fmt::print(stderr, "flowlens: {}: not a time: {}\n", name, value);
  return t;
}

int run_export(const ExportCommandOptions& o) {
  const store::TableDef* table = store::find_table(o.table);
  if (table == nullptr) {
    std::string names;
    for (const store::TableDef* t : store::all_tables())
      names += fmt::format(" {}", t->name);
    fmt::print(stderr, "flowlens: no table named {} (tables:{})\n", o.table, names);
    return kExitUsage;
  }
  store::ScanOptions scan;
  Ticks now = now_ticks();
  for (auto [name, value, target] :
       {std::tuple{"--from", &o.from, &scan.from}, std::tuple{"--to", &o.to, &scan.to},
        std::tuple{"--now", &o.now, &now}}) {
    if (value->empty()) continue;
    auto t = time_option(name, *value);
    if (!t) return kExitUsage;
    *target = *t;
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
  try {
    auto dir = store::DataDir::open(o.data.empty() ? store::default_data_dir() : o.data,
                                    store::DataDir::Mode::kRead);
    store::Snapshot snapshot = store::Snapshot::take(*dir);
    RowFormat format = o.format == "csv" ? RowFormat::kCsv : RowFormat::kNdjson;
    std::string text;
    if (format == RowFormat::kCsv) text = table_csv_header(*table);
    query::TableReader reader(*dir, snapshot, now);
    bool write_failed = false;
    reader.scan(*table, scan, [&](store::RowBatch& batch) {
      render_table_rows(batch, format, text);
      if (text.size() >= (1u << 20)) {
        write_failed = write_failed || std::fwrite(text.data(), 1, text.size(), out) != text.size();
        text.clear();
      }
    });
    write_failed = write_failed || std::fwrite(text.data(), 1, text.size(), out) != text.size();
    if (write_failed || std::fflush(out) != 0) {
      fmt::print(stderr, "flowlens: cannot write output\n");
      return kExitFailure;
    }
    return kExitOk;
  } catch (const std::exception& e) {
    fmt::print(stderr, "flowlens: {}\n", e.what());
    return kExitFailure;
  }
}

}  // namespace

CommandRunner add_export_command(CLI::App& app) {
  auto o = std::make_shared<ExportCommandOptions>();
  CLI::App* cmd = app.add_subcommand("export", "Print a stored table as NDJSON or CSV");
  cmd->add_option("table", o->table, "FlowTuples, NTANetAnalytics, NTAIpDetails or IngestErrors")
      ->required();
  cmd->add_option("--data", o->data,
                  "Data directory (default: $FLOWLENS_DATA, else ./flowlens-data)");
  cmd->add_option("--from", o->from, "Only rows at or after TIME (the table's time column)");
  cmd->add_option("--to", o->to, "Only rows before TIME");
  cmd->add_option("--format", o->format, "ndjson (default) or csv")
      ->check(CLI::IsMember({"ndjson", "csv"}));
  cmd->add_option("-o,--output", o->output, "Write to FILE instead of stdout");
  cmd->add_option("--now", o->now, "The time retention counts from (default: the clock)");
  return [o] { return run_export(*o); };
}

}  // namespace flowlens
