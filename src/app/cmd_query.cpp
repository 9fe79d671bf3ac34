// `flowlens query [--data DIR] [--format table|csv|json|ndjson] [--now TIME] [--explain]
// (KQL | -f FILE)`: run a KQL query over the store and print the result tables.
//
// Output contract (docs/query.md): csv and json write datetimes with 7 fraction digits (KQL's
// tostring form); the table format trims them for reading. Errors print
// `error: <source>:LINE:COL: message`, the line and a caret, and exit with 4.
#include <fmt/format.h>
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "common/json_text.h"
#include "common/timestamp.h"
#include "query/engine.h"
#include "query/lexer.h"
#include "query/query_error.h"
#include "query/result_json.h"
#include "store/data_dir.h"

namespace flowlens {
namespace {

struct QueryCommandOptions {
  std::string query;
  std::string file;
  std::string data;
  std::string format = "table";
  std::string now;
  bool explain = false;
  double timeout_seconds = 0;
  std::size_t memory_limit_mb = 4096;
  int threads = 0;
};

std::atomic<bool> g_cancel{false};
extern "C" void on_interrupt(int) {
  g_cancel.store(true);
}

// Table display: datetimes trimmed to what they carry (§2.10 of the semantics reference).
std::string display_value(const query::Value& v) {
  if (v.type == query::Type::kDateTime && !v.null) {
    std::string s = query::format_datetime_iso(v.i);  // ...:ss.fffffffZ
    std::size_t dot = s.find('.');
    std::size_t end = s.size() - 1;  // the Z
    std::size_t last = end;
    while (last > dot + 1 && s[last - 1] == '0')
      --last;
    if (last == dot + 1) return s.substr(0, dot) + "Z";
    return s.substr(0, last) + "Z";
  }
  return query::value_to_string(v);
}

std::size_t display_width(std::string_view s) {
  std::size_t w = 0;
  for (unsigned char c : s)
    w += (c & 0xC0) != 0x80;
  return w;
}

void print_table(const query::ResultTable& t, std::string& out) {
  std::vector<std::vector<std::string>> cells;
  std::vector<std::size_t> width(t.columns.size());
  for (std::size_t c = 0; c < t.columns.size(); ++c)
    width[c] = display_width(t.columns[c].name);
  for (const auto& row : t.rows) {
    std::vector<std::string> line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      std::string s = display_value(row[c]);
      for (char& ch : s) {
        if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
      }
      width[c] = std::max(width[c], display_width(s));
      line.push_back(std::move(s));
    }
    cells.push_back(std::move(line));
  }
  auto pad_cell = [&](const std::string& s, std::size_t c, bool right) {
    std::size_t fill = width[c] - display_width(s);
    return right ? std::string(fill, ' ') + s : s + std::string(fill, ' ');
  };
  std::vector<bool> numeric(t.columns.size());
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    auto ty = t.columns[c].type;
    numeric[c] = ty == query::Type::kInt || ty == query::Type::kLong || ty == query::Type::kReal;
  }
  std::string header, rule;
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    if (c > 0) {
      header += "  ";
      rule += "  ";
    }
    header += pad_cell(t.columns[c].name, c, numeric[c]);
    rule += std::string(width[c], '-');
  }
  while (!header.empty() && header.back() == ' ')
    header.pop_back();
  out += header + "\n" + rule + "\n";
  for (const auto& line : cells) {
    std::string text;
    for (std::size_t c = 0; c < line.size(); ++c) {
      if (c > 0) text += "  ";
      text += pad_cell(line[c], c, numeric[c]);
    }
    while (!text.empty() && text.back() == ' ')
      text.pop_back();
    out += text + "\n";
  }
  out += fmt::format("({} row{}{})\n", t.rows.size(), t.rows.size() == 1 ? "" : "s",
                     t.truncated ? ", truncated" : "");
}

void print_csv(const query::ResultTable& t, std::string& out) {
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    if (c > 0) out += ',';
    append_csv_field(out, t.columns[c].name);
  }
  out += '\n';
  for (const auto& row : t.rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c > 0) out += ',';
      append_csv_field(out, query::value_to_string(row[c]));
    }
    out += '\n';
  }
}

void json_value(const query::Value& v, std::string& out) {
  query::append_value_json(v, out);
}

void print_json(const query::QueryResult& r, std::string& out) {
  query::append_result_json(r, out);
  out += '\n';
}

void print_ndjson(const query::ResultTable& t, std::string& out) {
  for (const auto& row : t.rows) {
    out += '{';
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c > 0) out += ',';
      append_json_string(out, t.columns[c].name);
      out += ':';
      json_value(row[c], out);
    }
    out += "}\n";
  }
}

void report_error(const query::QueryError& e, const std::string& text, const std::string& source) {
  if (e.offset() == query::QueryError::kNoPosition) {
    fmt::print(stderr, "error: {}: {}\n", source, e.what());
    return;
  }
  query::TextPosition p = query::position_of(text, e.offset());
  fmt::print(stderr, "error: {}:{}:{}: {}\n", source, p.line, p.column, e.what());
  std::size_t start = text.rfind('\n', e.offset() == 0 ? 0 : e.offset() - 1);
  start = start == std::string::npos || e.offset() == 0 ? 0 : start + 1;
  if (e.offset() > 0 && text[e.offset() - 1] == '\n') start = e.offset();
  std::size_t end = text.find('\n', start);
  std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
  std::size_t caret_len = std::max<std::size_t>(
      1, std::min(e.length(), line.size() > p.column - 1 ? line.size() - (p.column - 1) : 1));
  fmt::print(stderr, "  {}\n  {}{}\n", line, std::string(p.column - 1, ' '),
             std::string(caret_len, '^'));
}

int run_query_command(const QueryCommandOptions& o) {
  std::string text;
  std::string source = "query";
  if (!o.file.empty()) {
    std::ifstream in(o.file, std::ios::binary);
    if (!in) {
      fmt::print(stderr, "flowlens: cannot read {}\n", o.file);
      return kExitUsage;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    source = o.file;
    if (!o.query.empty()) {
      fmt::print(stderr, "flowlens: give the query as an argument or with -f, not both\n");
      return kExitUsage;
    }
  } else {
    text = o.query;
  }
  if (text.empty()) {
    fmt::print(stderr, "flowlens: no query (give KQL as an argument or -f FILE)\n");
    return kExitUsage;
  }
  if (o.format != "table" && o.format != "csv" && o.format != "json" && o.format != "ndjson") {
    fmt::print(stderr, "flowlens: --format must be table, csv, json or ndjson\n");
    return kExitUsage;
  }
  query::QueryOptions options;
  if (!o.data.empty()) {
    if (!std::filesystem::is_directory(o.data)) {
      fmt::print(stderr, "flowlens: --data {}: no such directory\n", o.data);
      return kExitUsage;
    }
    options.data_dir = o.data;
  } else if (std::filesystem::is_directory(store::default_data_dir())) {
    options.data_dir = store::default_data_dir();
  }
  options.now = now_ticks();
  if (!o.now.empty()) {
    auto t = parse_user_time(o.now);
    if (!t) {
      fmt::print(stderr, "flowlens: --now: not a time: {}\n", o.now);
      return kExitUsage;
    }
    options.now = *t;
  }
  options.explain = o.explain;
  options.threads = o.threads;
  options.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(o.timeout_seconds * 1000));
  options.memory_limit = o.memory_limit_mb << 20;
  options.cancel = &g_cancel;
  // Column batches are allocated and freed at a high rate; keep freed memory in the heap
  // instead of returning it to the kernel (which zeroes every page again on reuse).
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  std::signal(SIGINT, on_interrupt);
  query::QueryResult result;
  try {
    result = query::run_query(text, options);
  } catch (const query::QueryError& e) {
    report_error(e, text, source);
    return kExitQuery;
  }
  std::string out;
  if (o.format == "json") {
    print_json(result, out);
  } else {
    for (std::size_t i = 0; i < result.tables.size(); ++i) {
      if (i > 0) out += '\n';
      if (o.format == "table") print_table(result.tables[i], out);
      if (o.format == "csv") print_csv(result.tables[i], out);
      if (o.format == "ndjson") print_ndjson(result.tables[i], out);
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  if (o.explain) fmt::print(stderr, "{}", result.explain);
  for (const auto& w : result.warnings)
    fmt::print(stderr, "warning: {}\n", w);
  bool truncated = false;
  for (const auto& t : result.tables)
    truncated = truncated || t.truncated;
  return truncated ? kExitPartial : kExitOk;
}

}  // namespace

CommandRunner add_query_command(CLI::App& app) {
  auto o = std::make_shared<QueryCommandOptions>();
  CLI::App* cmd = app.add_subcommand("query", "Run a KQL query over the stored tables");
  cmd->add_option("query", o->query, "The KQL text (or use -f FILE)");
  cmd->add_option("-f,--file", o->file, "Read the query from FILE");
  cmd->add_option("--data", o->data, "Data directory (default: $FLOWLENS_DATA or ./flowlens-data)");
  cmd->add_option("--format", o->format, "table (default), csv, json or ndjson");
  cmd->add_option("--now", o->now, "The instant now()/ago() use (default: the clock)");
  cmd->add_flag("--explain", o->explain, "Print the executed plan with pruning counters to stderr");
  cmd->add_option("--timeout", o->timeout_seconds, "Stop the query after SECONDS (default: none)");
  cmd->add_option("--threads", o->threads,
                  "Threads for scans under summarize/count/top (default: one per core)");
  cmd->add_option("--memory-limit", o->memory_limit_mb,
                  "Cap on intermediate results in MiB (default: 4096)");
  cmd->footer(
      "Results are truncated at 500,000 rows unless the query says `set notruncation;` or\n"
      "`set truncationmaxrecords=N;` (exit 3 when truncated). Exit 4: the query has an error.");
  return [o] { return run_query_command(*o); };
}

}  // namespace flowlens
