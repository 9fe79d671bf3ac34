// `flowlens status [--data DIR] [--format text|json] [--sources] [--verify]`: what a data
// directory holds (tables, rows, time ranges, bytes on disk, sources and their checkpoints,
// ingest errors, recent ingests), and optionally a full check of every segment.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "common/json_text.h"
#include "store/data_dir.h"
#include "store/snapshot.h"
#include "store/table_scan.h"

namespace flowlens {
namespace {

struct StatusCommandOptions {
  std::string data;
  std::string format = "text";
  bool sources = false;
  bool verify = false;
  bool columns = false;
};

struct TableStatus {
  const store::TableDef* table = nullptr;
  std::size_t segments = 0;
  std::uint64_t rows = 0;
  std::uint64_t bytes = 0;
  bool has_time = false;
  Ticks min_time = 0;
  Ticks max_time = 0;
};

std::string time_or_dash(bool has, Ticks t) {
  return has ? format_iso8601(t) : "-";
}

// "45s", "12m 05s", "3h 10m", "26d 13h": how far behind the clock a source's newest record is.
std::string human_lag(Ticks lag) {
  std::int64_t s = std::max<Ticks>(lag, 0) / kTicksPerSecond;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m {:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h {:02}m", s / 3600, s % 3600 / 60);
  return fmt::format("{}d {:02}h", s / 86400, s % 86400 / 3600);
}

std::string human_bytes(std::uint64_t b) {
  if (b < 10'000) return fmt::format("{} B", b);
  if (b < 10'000'000) return fmt::format("{:.1f} kB", static_cast<double>(b) / 1e3);
  if (b < 10'000'000'000) return fmt::format("{:.1f} MB", static_cast<double>(b) / 1e6);
  return fmt::format("{:.2f} GB", static_cast<double>(b) / 1e9);
}

// Reads every block of every segment (verifying checksums) and checks that the tables agree:
// each stored tuple is counted once by the rollup (sum of RecordCount) and by its source.
// Returns the problems found.
std::vector<std::string> verify(const store::Snapshot& snapshot,
                                const std::vector<store::SourceRecord>& sources) {
  std::vector<std::string> problems;
  std::uint64_t tuples = 0;
  std::int64_t rollup_records = 0;
  for (const store::OpenSegment& s : snapshot.all_segments()) {
    const store::SegmentReader& r = *s.reader;
    std::uint64_t rows = 0;
    int record_count = r.column_index("RecordCount");
    for (std::size_t g = 0; g < r.row_groups().size(); ++g) {
      rows += r.row_groups()[g].rows;
      for (std::size_t c = 0; c < r.columns().size(); ++c) {
        store::ColumnData d;
        std::string error;
        if (!r.read(g, c, d, error)) {
          problems.push_back(error);
          continue;
        }
        if (s.record.table == store::TableId::kNTANetAnalytics &&
            static_cast<int>(c) == record_count) {
          for (std::int64_t v : d.ints)
            rollup_records += v;
        }
      }
    }
    if (rows != s.record.rows) {
      problems.push_back(
          fmt::format("{}: {} rows, the catalog says {}", s.record.file, rows, s.record.rows));
    }
    if (s.record.table == store::TableId::kFlowTuples) tuples += rows;
  }
  if (snapshot.retention_days() == 0) {
    if (static_cast<std::uint64_t>(rollup_records) != tuples) {
      problems.push_back(
          fmt::format("NTANetAnalytics counts {} tuples (sum of RecordCount), "
                      "FlowTuples holds {}",
                      rollup_records, tuples));
    }
    std::uint64_t by_source = 0;
    for (const store::SourceRecord& s : sources)
      by_source += s.tuples;
    if (by_source != tuples) {
      problems.push_back(
          fmt::format("the sources' checkpoints account for {} tuples, FlowTuples "
                      "holds {}",
                      by_source, tuples));
    }
  }
  return problems;
}

int run_status(const StatusCommandOptions& o) {
  try {
    std::string data = o.data.empty() ? store::default_data_dir() : o.data;
    auto dir = store::DataDir::open(data, store::DataDir::Mode::kRead);
    store::Snapshot snapshot = store::Snapshot::take(*dir);
    const std::vector<store::SourceRecord>& sources = snapshot.sources();
    std::vector<store::IngestRecord> ingests = dir->catalog().ingests(5);
    std::vector<TableStatus> tables;
    for (const store::TableDef* def : store::all_tables()) {
      TableStatus ts;
      ts.table = def;
      for (const store::OpenSegment& s : snapshot.segments(def->id)) {
        ++ts.segments;
        ts.rows += s.record.rows;
        ts.bytes += s.record.bytes;
        if (s.record.has_time) {
          ts.min_time = ts.has_time ? std::min(ts.min_time, s.record.min_time) : s.record.min_time;
          ts.max_time = ts.has_time ? std::max(ts.max_time, s.record.max_time) : s.record.max_time;
          ts.has_time = true;
        }
      }
      tables.push_back(ts);
    }
    // Ingest errors by code.
    std::map<std::string, std::uint64_t> error_codes;
    store::ScanOptions scan;
    scan.projection.assign(store::ingest_errors_table().columns.size(), false);
    scan.projection[static_cast<std::size_t>(store::ingest_errors_table().column_index("Code"))] =
        true;
    store::scan_table(snapshot, store::ingest_errors_table(), scan, [&](store::RowBatch& b) {
      const store::ColumnData& code =
          b.columns[static_cast<std::size_t>(store::ingest_errors_table().column_index("Code"))];
      for (std::uint32_t row : b.rows)
        ++error_codes[std::string(code.string_at(row))];
    });
    std::uint64_t complete = 0, growing = 0, tuples = 0;
    // Freshness: the newest record of any source against the clock, and the sources whose
    // latest read failed (the newest failure first).
    const Ticks now = now_ticks();
    bool has_newest = false;
    Ticks newest = 0;
    std::vector<const store::SourceRecord*> failing;
    for (const store::SourceRecord& s : sources) {
      complete += s.complete;
      growing += s.unterminated;
      tuples += s.tuples;
      if (s.has_last_record && (!has_newest || s.last_record_time > newest)) {
        newest = s.last_record_time;
        has_newest = true;
      }
      if (!s.last_error.empty()) failing.push_back(&s);
    }
    std::sort(failing.begin(), failing.end(),
              [](const store::SourceRecord* a, const store::SourceRecord* b) {
                return a->last_error_time > b->last_error_time;
              });
    std::vector<std::string> problems;
    if (o.verify) problems = verify(snapshot, sources);

    std::string out;
    if (o.format == "json") {
      out += "{\"data\":";
      append_json_string(out, data);
      out += fmt::format(",\"interval_minutes\":{},\"retention_days\":{},\"tables\":[",
                         snapshot.interval() / kTicksPerMinute, snapshot.retention_days());
      for (std::size_t i = 0; i < tables.size(); ++i) {
        const TableStatus& t = tables[i];
        out += i == 0 ? "{\"name\":" : ",{\"name\":";
        append_json_string(out, t.table->name);
        out += fmt::format(",\"segments\":{},\"rows\":{},\"bytes\":{},\"derived\":{}", t.segments,
                           t.rows, t.bytes, t.table->derived);
        if (t.has_time) {
          out += fmt::format(",\"from\":\"{}\",\"to\":\"{}\"", format_iso8601(t.min_time),
                             format_iso8601(t.max_time));
        }
        out += '}';
      }
      out +=
          fmt::format("],\"sources\":{{\"count\":{},\"complete\":{},\"growing\":{},\"tuples\":{}",
                      sources.size(), complete, growing, tuples);
      if (has_newest) {
        out += fmt::format(",\"newest_record\":\"{}\",\"lag_seconds\":{}", format_iso8601(newest),
                           (now - newest) / kTicksPerSecond);
      }
      out += fmt::format(",\"with_read_errors\":{}", failing.size());
      if (o.sources) {
        out += ",\"list\":[";
        for (std::size_t i = 0; i < sources.size(); ++i) {
          const store::SourceRecord& s = sources[i];
          out += i == 0 ? "{\"key\":" : ",{\"key\":";
          append_json_string(out, s.key);
          out += ",\"path\":";
          append_json_string(out, s.path);
          out += fmt::format(
              ",\"offset\":{},\"records\":{},\"size\":{},\"tuples\":{},\"errors\":{},"
              "\"complete\":{},\"growing\":{},\"last_record\":{},\"lag_seconds\":{}",
              s.resume.offset, s.resume.records, s.size, s.tuples, s.errors, s.complete,
              s.unterminated,
              s.has_last_record ? "\"" + format_iso8601(s.last_record_time) + "\""
                                : std::string("null"),
              s.has_last_record ? std::to_string((now - s.last_record_time) / kTicksPerSecond)
                                : std::string("null"));
          if (!s.etag.empty()) {
            out += ",\"etag\":";
            append_json_string(out, s.etag);
          }
          if (!s.last_error.empty()) {
            out += ",\"last_error\":";
            append_json_string(out, s.last_error);
            out += fmt::format(",\"last_error_time\":\"{}\"", format_iso8601(s.last_error_time));
          }
          out += '}';
        }
        out += ']';
      }
      out += "},\"errors\":{";
      bool first = true;
      for (const auto& [code, n] : error_codes) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, code);
        out += fmt::format(":{}", n);
      }
      out += "},\"ingests\":[";
      for (std::size_t i = 0; i < ingests.size(); ++i) {
        const store::IngestRecord& r = ingests[i];
        out += fmt::format(
            "{}{{\"id\":{},\"started\":\"{}\",\"status\":\"{}\",\"inputs\":{},"
            "\"tuples\":{},\"errors\":{}",
            i == 0 ? "" : ",", r.id, format_iso8601(r.started), r.status, r.inputs, r.tuples,
            r.errors);
        if (!r.message.empty()) {
          out += ",\"message\":";
          append_json_string(out, r.message);
        }
        out += '}';
      }
      out += ']';
      if (o.verify) {
        out += ",\"problems\":[";
        for (std::size_t i = 0; i < problems.size(); ++i) {
          if (i > 0) out += ',';
          append_json_string(out, problems[i]);
        }
        out += ']';
      }
      out += "}\n";
    } else {
      out += fmt::format("data directory  {}\n", data);
      out += fmt::format(
          "rollup interval {} minutes; retention {}\n\n", snapshot.interval() / kTicksPerMinute,
          snapshot.retention_days() == 0 ? std::string("forever")
                                         : fmt::format("{} days", snapshot.retention_days()));
      out += fmt::format("{:<16} {:>8} {:>14} {:>10}  {:<28}  {}\n", "table", "segments", "rows",
                         "on disk", "from", "to");
      std::uint64_t total_bytes = 0;
      for (const TableStatus& t : tables) {
        total_bytes += t.bytes;
        if (t.table->derived) {
          out += fmt::format("{:<16} (derived from {} when read; nothing stored)\n", t.table->name,
                             t.table->derived_from);
          continue;
        }
        out += fmt::format("{:<16} {:>8} {:>14} {:>10}  {:<28}  {}\n", t.table->name, t.segments,
                           t.rows, human_bytes(t.bytes), time_or_dash(t.has_time, t.min_time),
                           time_or_dash(t.has_time, t.max_time));
      }
      if (tables[0].rows > 0) {
        out += fmt::format("{:<16} {:>8} {:>14} {:>10}  ({:.2f} bytes per stored tuple)\n", "total",
                           "", "", human_bytes(total_bytes),
                           static_cast<double>(total_bytes) / static_cast<double>(tables[0].rows));
      }
      out += "(rollup tables hold partial rows that readers merge by key)\n";
      out += fmt::format("\nsources         {} ({} read to the end, {} still growing), {} tuples\n",
                         sources.size(), complete, growing, tuples);
      if (has_newest) {
        out += fmt::format("freshness       newest record {}, lag {} behind the clock\n",
                           format_iso8601(newest), human_lag(now - newest));
      }
      if (!failing.empty()) {
        out +=
            fmt::format("read errors     {} source(s) whose latest read failed\n", failing.size());
        for (std::size_t i = 0; i < failing.size() && i < 5; ++i) {
          out += fmt::format("  {} {}\n    {}\n", format_iso8601(failing[i]->last_error_time),
                             failing[i]->key, failing[i]->last_error);
        }
      }
      if (o.sources) {
        for (const store::SourceRecord& s : sources) {
          out += fmt::format(
              "  {}\n    checkpoint at byte {} of {} (record {}), {} tuples, {} "
              "errors{}{}\n",
              s.key, s.resume.offset, s.size, s.resume.records, s.tuples, s.errors,
              s.unterminated ? ", growing" : "",
              s.has_last_record ? ", last record " + format_iso8601(s.last_record_time) + ", lag " +
                                      human_lag(now - s.last_record_time)
                                : std::string());
          if (!s.last_error.empty()) {
            out += fmt::format("    last read error at {}: {}\n", format_iso8601(s.last_error_time),
                               s.last_error);
          }
        }
      }
      std::uint64_t error_total = 0;
      for (const auto& [code, n] : error_codes)
        error_total += n;
      out += fmt::format("ingest errors   {}", error_total);
      for (const auto& [code, n] : error_codes)
        out += fmt::format("  {} {}", code, n);
      out += "\n\nrecent ingests\n";
      for (const store::IngestRecord& r : ingests) {
        out += fmt::format("  #{} {} {:<10} {} inputs, {} tuples, {} errors\n", r.id,
                           format_iso8601(r.started), r.status, r.inputs, r.tuples, r.errors);
        if (!r.message.empty()) out += fmt::format("      {}\n", r.message);
      }
      if (o.columns) {
        // Where the bytes go: compressed and raw (encoded, before zstd) size of each column.
        for (const TableStatus& t : tables) {
          if (t.rows == 0) continue;
          out += fmt::format("\n{:<24} {:>12} {:>12} {:>10}\n", t.table->name, "compressed", "raw",
                             "bytes/row");
          for (std::size_t c = 0; c < t.table->columns.size(); ++c) {
            std::uint64_t compressed = 0, raw = 0;
            for (const store::OpenSegment& s : snapshot.segments(t.table->id)) {
              int at = s.reader->column_index(t.table->columns[c].name);
              if (at < 0) continue;
              for (const store::RowGroupInfo& g : s.reader->row_groups()) {
                compressed += g.blocks[static_cast<std::size_t>(at)].compressed_size;
                raw += g.blocks[static_cast<std::size_t>(at)].raw_size;
              }
            }
            out += fmt::format("  {:<22} {:>12} {:>12} {:>10.3f}\n", t.table->columns[c].name,
                               compressed, raw,
                               static_cast<double>(compressed) / static_cast<double>(t.rows));
          }
        }
      }
      if (o.verify) {
        out += problems.empty() ? "\nverify: every segment reads back intact; tables agree\n"
                                : "\nverify: PROBLEMS\n";
        for (const std::string& p : problems)
          out += "  " + p + "\n";
      }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return problems.empty() ? kExitOk : kExitFailure;
  } catch (const std::exception& e) {
    fmt::print(stderr, "flowlens: {}\n", e.what());
    return kExitFailure;
  }
}

}  // namespace

CommandRunner add_status_command(CLI::App& app) {
  auto o = std::make_shared<StatusCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "status", "Show what a data directory holds: tables, rows, time range, sources, errors");
  cmd->add_option("--data", o->data,
                  "Data directory (default: $FLOWLENS_DATA, else ./flowlens-data)");
  cmd->add_option("--format", o->format, "text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_flag("--sources", o->sources, "List every source with its checkpoint");
  cmd->add_flag("--verify", o->verify,
                "Read back every segment (checksums) and check that the tables agree; exit 1 "
                "on a problem");
  cmd->add_flag("--columns", o->columns,
                "Show the bytes on disk of every column (compressed and encoded)");
  return [o] { return run_status(*o); };
}

}  // namespace flowlens
