#include "server/http_api.h"

#include <fmt/format.h>
#include <httplib.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "common/json_text.h"
#include "common/timestamp.h"
#include "query/engine.h"
#include "query/lexer.h"
#include "query/query_error.h"
#include "query/result_json.h"
#include "query/value.h"
#include "server/panels.h"
#include "server/result_cache.h"
#include "server/store_state.h"
#include "store/catalog.h"
#include "store/data_dir.h"
#include "store/snapshot.h"
#include "store/table_schema.h"

namespace flowlens::server {
namespace {

constexpr std::size_t kConnectionThreads = 64;
constexpr std::size_t kStatusSources = 20;  // /api/status lists this many recent sources
constexpr int kStatusIngests = 10;          // and this many recent ingest runs

constexpr const char* kSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "
    "data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

void set_common_headers(httplib::Response& res) {
  res.set_header("Content-Security-Policy", kSecurityPolicy);
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("X-Frame-Options", "DENY");
}

void json_reply(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body, "application/json; charset=utf-8");
}

bool is_loopback_name(std::string_view host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]";
}

// The host part of a Host header ("127.0.0.1:8080" -> "127.0.0.1", "[::1]:8080" -> "[::1]").
std::string_view host_name(std::string_view header) {
  if (!header.empty() && header.front() == '[') {
    auto close = header.find(']');
    return close == std::string_view::npos ? header : header.substr(0, close + 1);
  }
  auto colon = header.rfind(':');
  return colon == std::string_view::npos ? header : header.substr(0, colon);
}

// A browser request made by a page of another origin: its Origin differs from this server's
// (as the Host header names it), or the browser says so in Sec-Fetch-Site.
bool cross_site(const httplib::Request& req) {
  std::string site = req.get_header_value("Sec-Fetch-Site");
  if (!site.empty() && site != "same-origin" && site != "none") return true;
  std::string origin = req.get_header_value("Origin");
  if (origin.empty()) return false;
  std::string host = req.get_header_value("Host");
  return origin != "http://" + host && origin != "https://" + host;
}

// Compares a secret without returning early at the first difference.
bool same_secret(std::string_view given, std::string_view expected) {
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i)
    diff |= static_cast<unsigned char>(given[i] ^ expected[i % expected.size()]);
  return diff == 0;
}

std::string error_json(const std::string& message) {
  std::string out = "{\"error\":{\"message\":";
  append_json_string(out, message);
  out += "}}";
  return out;
}

std::string tables_json() {
  std::string out = "{\"tables\":[";
  bool first = true;
  for (const store::TableDef* t : store::all_tables()) {
    if (!first) out += ',';
    first = false;
    out += "{\"name\":";
    append_json_string(out, t->name);
    out += ",\"time_column\":";
    append_json_string(out, t->time_column);
    out += fmt::format(",\"rollup\":{},\"derived\":{},\"columns\":[", t->rollup ? "true" : "false",
                       t->derived ? "true" : "false");
    for (std::size_t c = 0; c < t->columns.size(); ++c) {
      if (c > 0) out += ',';
      out += "{\"name\":";
      append_json_string(out, t->columns[c].name);
      out += ",\"type\":";
      append_json_string(out, store::type_name(t->columns[c].type));
      out += '}';
    }
    out += "]}";
  }
  return out + "]}";
}

std::string status_json(const std::filesystem::path& data_dir) {
  auto dir = store::DataDir::open(data_dir.string(), store::DataDir::Mode::kRead);
  store::Snapshot snapshot = store::Snapshot::take(*dir);
  Ticks now = now_ticks();
  std::string out = "{\"now\":";
  append_json_string(out, format_iso8601(now));
  out += ",\"tables\":[";
  bool first = true;
  Ticks newest = kMinTicks;
  for (const store::TableDef* t : store::all_tables()) {
    if (t->derived) continue;
    std::uint64_t rows = 0, bytes = 0;
    std::size_t segments = 0;
    Ticks from = kMaxTicks, to = kMinTicks;
    for (const auto& s : snapshot.segments(t->id)) {
      ++segments;
      rows += s.record.rows;
      bytes += s.record.bytes;
      if (s.record.has_time) {
        from = std::min(from, s.record.min_time);
        to = std::max(to, s.record.max_time);
      }
    }
    if (t->id == store::TableId::kFlowTuples && segments > 0) newest = to;
    if (!first) out += ',';
    first = false;
    out += "{\"name\":";
    append_json_string(out, t->name);
    out +=
        fmt::format(",\"rows\":{},\"segments\":{},\"bytes\":{},\"from\":", rows, segments, bytes);
    if (from <= to) {
      append_json_string(out, format_iso8601(from));
      out += ",\"to\":";
      append_json_string(out, format_iso8601(to));
    } else {
      out += "null,\"to\":null";
    }
    out += '}';
  }
  std::uint64_t tuples = 0, errors = 0;
  std::size_t growing = 0;
  for (const auto& s : snapshot.sources()) {
    tuples += s.tuples;
    errors += s.errors;
    growing += s.unterminated ? 1 : 0;
  }
  out +=
      fmt::format("],\"sources\":{{\"count\":{},\"still_growing\":{},\"tuples\":{},\"errors\":{}}}",
                  snapshot.sources().size(), growing, tuples, errors);
  out += ",\"newest_tuple\":";
  if (newest == kMinTicks) {
    out += "null,\"lag_seconds\":null";
  } else {
    append_json_string(out, format_iso8601(newest));
    out += fmt::format(",\"lag_seconds\":{}", (now - newest) / kTicksPerSecond);
  }
  // Where the data came from: the sources with the newest records first, and the latest runs.
  std::vector<const store::SourceRecord*> recent;
  for (const auto& source : snapshot.sources())
    recent.push_back(&source);
  std::sort(recent.begin(), recent.end(), [](const auto* a, const auto* b) {
    if (a->last_record_time != b->last_record_time)
      return a->last_record_time > b->last_record_time;
    return a->key < b->key;
  });
  if (recent.size() > kStatusSources) recent.resize(kStatusSources);
  // And the sources whose latest read failed, the newest failure first.
  std::vector<const store::SourceRecord*> failing;
  for (const auto& source : snapshot.sources()) {
    if (!source.last_error.empty()) failing.push_back(&source);
  }
  std::sort(failing.begin(), failing.end(), [](const auto* a, const auto* b) {
    if (a->last_error_time != b->last_error_time) return a->last_error_time > b->last_error_time;
    return a->key < b->key;
  });
  std::size_t failing_count = failing.size();
  if (failing.size() > kStatusSources) failing.resize(kStatusSources);
  auto append_sources = [&](const std::vector<const store::SourceRecord*>& list) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      const store::SourceRecord& r = *list[i];
      if (i > 0) out += ',';
      out += "{\"source\":";  // as FlowTuples.Source names it
      append_json_string(out, r.key);
      out += ",\"path\":";  // where it was last read from
      append_json_string(out, r.path);
      out += ",\"last_record\":";
      if (r.has_last_record) {
        append_json_string(out, format_iso8601(r.last_record_time));
        out += fmt::format(",\"lag_seconds\":{}", (now - r.last_record_time) / kTicksPerSecond);
      } else {
        out += "null,\"lag_seconds\":null";
      }
      out += ",\"last_error\":";
      if (r.last_error.empty()) {
        out += "null,\"last_error_time\":null";
      } else {
        append_json_string(out, r.last_error);
        out += ",\"last_error_time\":";
        append_json_string(out, format_iso8601(r.last_error_time));
      }
      out += fmt::format(",\"tuples\":{},\"errors\":{},\"still_growing\":{},\"complete\":{}}}",
                         r.tuples, r.errors, r.unterminated ? "true" : "false",
                         r.complete ? "true" : "false");
    }
  };
  out += ",\"recent_sources\":[";
  append_sources(recent);
  out += fmt::format("],\"failing_count\":{},\"failing_sources\":[", failing_count);
  append_sources(failing);
  out += "],\"ingests\":[";
  std::vector<store::IngestRecord> runs;
  {
    store::Catalog::Transaction read(dir->catalog(), false);
    runs = dir->catalog().ingests(kStatusIngests);
  }
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const store::IngestRecord& r = runs[i];
    if (i > 0) out += ',';
    out += fmt::format("{{\"id\":{},\"started\":", r.id);
    append_json_string(out, format_iso8601(r.started));
    out += ",\"finished\":";
    if (r.finished > 0) {
      append_json_string(out, format_iso8601(r.finished));
    } else {
      out += "null";
    }
    out += ",\"status\":";
    append_json_string(out, r.status);
    out += ",\"message\":";  // why it failed
    if (r.message.empty()) {
      out += "null";
    } else {
      append_json_string(out, r.message);
    }
    out +=
        fmt::format(",\"inputs\":{},\"tuples\":{},\"errors\":{}}}", r.inputs, r.tuples, r.errors);
  }
  return out + "]}";
}

// The values the filter bar offers: every flow type, VNet and subnet in the stored rollups.
std::string choices_json(const ServerOptions& options) {
  query::QueryOptions q;
  q.data_dir = options.data_dir;
  q.now = now_ticks();
  q.timeout = options.query_timeout;
  q.memory_limit = options.query_memory_limit;
  auto values = [&](const std::string& kql) {
    std::vector<std::string> out;
    query::QueryResult r = query::run_query(kql, q);
    if (!r.tables.empty())
      for (const auto& row : r.tables.front().rows)
        out.push_back(query::value_to_string(row.front()));
    return out;
  };
  auto json_array = [](const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out += ',';
      append_json_string(out, items[i]);
    }
    return out + "]";
  };
  std::vector<std::string> subnets = values(
      "union (NTANetAnalytics | summarize by S = SrcSubnet), (NTANetAnalytics | summarize by S = "
      "DestSubnet) | where isnotempty(S) | summarize by S | sort by S asc");
  std::set<std::string> vnets;  // "resourceGroup/vnet" of "resourceGroup/vnet/subnet"
  for (const std::string& subnet : subnets) {
    auto second = subnet.find('/', subnet.find('/') + 1);
    if (second != std::string::npos) vnets.insert(subnet.substr(0, second));
  }
  std::string out = "{\"flow_types\":";
  out += json_array(values(
      "NTANetAnalytics | summarize by FlowType | where isnotempty(FlowType) | sort by FlowType "
      "asc"));
  out += ",\"vnets\":" + json_array({vnets.begin(), vnets.end()});
  out += ",\"subnets\":" + json_array(subnets);
  out += ",\"protocols\":";
  out += json_array(
      values("NTANetAnalytics | summarize by L4Protocol | where isnotempty(L4Protocol) | sort by "
             "L4Protocol asc"));
  out +=
      ",\"directions\":[\"Inbound\",\"Outbound\"],\"statuses\":[\"Allowed\",\"Denied\"],"
      "\"units\":[\"flows\",\"bytes\",\"packets\"]}";
  return out;
}

std::string panels_catalogue_json(const ServerOptions& options) {
  std::string out = "{\"views\":[";
  bool first_view = true;
  for (const ViewDef& v : dashboard_views()) {
    if (!first_view) out += ',';
    first_view = false;
    out += "{\"id\":";
    append_json_string(out, v.id);
    out += ",\"title\":";
    append_json_string(out, v.title);
    out += ",\"panels\":[";
    bool first = true;
    for (const PanelDef& p : dashboard_panels()) {
      if (p.view != v.id) continue;
      if (!first) out += ',';
      first = false;
      out += "{\"id\":";
      append_json_string(out, p.id);
      out += ",\"title\":";
      append_json_string(out, p.title);
      out += ",\"description\":";
      append_json_string(out, p.description);
      out += ",\"render\":";
      append_json_string(out, p.render);
      out += ",\"params\":[";
      for (std::size_t i = 0; i < p.params.size(); ++i) {
        if (i > 0) out += ',';
        append_json_string(out, p.params[i]);
      }
      out += "]}";
    }
    out += "]}";
  }
  out += "],\"choices\":" + choices_json(options);
  StoreState state = read_store_state(options.data_dir);
  out += ",\"data\":{\"from\":";
  if (state.rollup_end) {
    append_json_string(out, format_iso8601(*state.rollup_start));
    out += ",\"to\":";
    append_json_string(out, format_iso8601(*state.rollup_end));
  } else {
    out += "null,\"to\":null";
  }
  return out + "}}";
}

// A file under `root` for a URL path, or empty when the path is not one (traversal, hidden
// files, anything outside the directory after resolving links).
std::filesystem::path static_file(const std::filesystem::path& root, const std::string& url) {
  std::string path = url.empty() || url == "/" ? "/index.html" : url;
  if (path.find('\0') != std::string::npos || path.find('\\') != std::string::npos) return {};
  std::stringstream segments(path);
  std::string segment;
  std::filesystem::path rel;
  while (std::getline(segments, segment, '/')) {
    if (segment.empty()) continue;
    if (segment == ".." || segment == "." || segment[0] == '.') return {};
    rel /= segment;
  }
  std::error_code ec;
  std::filesystem::path base = std::filesystem::canonical(root, ec);
  if (ec) return {};
  std::filesystem::path full = std::filesystem::weakly_canonical(base / rel, ec);
  if (ec) return {};
  auto [b, f] = std::mismatch(base.begin(), base.end(), full.begin(), full.end());
  if (b != base.end()) return {};
  if (!std::filesystem::is_regular_file(full, ec)) return {};
  return full;
}

std::string content_type(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  return "application/octet-stream";
}

}  // namespace

bool run_server(const ServerOptions& options, const std::atomic<bool>& stop,
                const std::function<void(int port)>& on_listening, std::string& error) {
  httplib::Server server;
  server.set_payload_max_length(1 << 20);  // a query is text; 1 MiB is plenty
  // A keep-alive connection holds a worker thread while it is open, so the pool must be larger
  // than the number of dashboards and scripts connected at once; queries themselves are bounded
  // by the cores (each uses its own threads).
  server.new_task_queue = [] { return new httplib::ThreadPool(kConnectionThreads); };
  ResultCache cache(options.panel_cache_bytes);
  // The background warm-up's progress, reported by /api/status.
  std::atomic<bool> warm_done{false};
  std::atomic<long long> warm_ms{0};
  std::atomic<int> warm_panels{0};
  std::atomic<bool> finished{false};  // set when the server stops: running queries are cancelled
  const bool loopback = is_loopback_name(options.host);
  server.set_pre_routing_handler([&](const httplib::Request& req, httplib::Response& res) {
    set_common_headers(res);
    // A server on 127.0.0.1 is reachable by every web page the user opens: a page that makes
    // its own name resolve to 127.0.0.1 (DNS rebinding) sends a foreign Host, and a page on
    // another site sends its Origin (or Sec-Fetch-Site: cross-site). Both are refused, so
    // only this server's own pages and non-browser clients (curl, scripts) get answers.
    if (loopback && !is_loopback_name(host_name(req.get_header_value("Host")))) {
      json_reply(res, 403,
                 error_json("refused: this server answers requests addressed to 127.0.0.1, "
                            "localhost or [::1] only (DNS rebinding protection)"));
      return httplib::Server::HandlerResponse::Handled;
    }
    if (cross_site(req)) {
      json_reply(res, 403, error_json("refused: cross-site request"));
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!options.auth_token.empty() && req.path.rfind("/api/", 0) == 0) {
      std::string expected = "Bearer " + options.auth_token;
      if (!same_secret(req.get_header_value("Authorization"), expected)) {
        res.set_header("WWW-Authenticate", "Bearer");
        json_reply(res, 401, error_json("authentication required: Authorization: Bearer TOKEN"));
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  server.Get("/api/health", [](const httplib::Request&, httplib::Response& res) {
    json_reply(res, 200, "{\"ok\":true}");
  });
  server.Get("/api/tables", [](const httplib::Request&, httplib::Response& res) {
    json_reply(res, 200, tables_json());
  });
  server.Get("/api/status", [&](const httplib::Request&, httplib::Response& res) {
    try {
      std::string body = status_json(options.data_dir);
      body.pop_back();
      body += fmt::format(
          ",\"panel_cache\":{{\"enabled\":{},\"entries\":{},\"bytes\":{},\"warm_up\":{{"
          "\"done\":{},\"panels\":{},\"seconds\":{:.1f}}}}}}}",
          cache.enabled() ? "true" : "false", cache.entries(), cache.bytes(),
          warm_done.load() ? "true" : "false", warm_panels.load(), warm_ms.load() / 1000.0);
      json_reply(res, 200, body);
    } catch (const std::exception& e) {
      json_reply(res, 503, error_json(std::string("cannot read the data directory: ") + e.what()));
    }
  });
  // Runs one query into `res`; the dashboard's background warm-up uses one thread and can be
  // cancelled.
  auto run = [&](const std::string& text, const std::string& now_text, httplib::Response& res,
                 int threads = 0, const std::atomic<bool>* cancel = nullptr) {
    query::QueryOptions q;
    q.threads = threads;
    q.cancel = cancel != nullptr ? cancel : &finished;
    q.data_dir = options.data_dir;
    q.now = now_ticks();
    if (!now_text.empty()) {
      auto t = parse_user_time(now_text);
      if (!t) {
        json_reply(res, 400, error_json("now: not a time: " + now_text));
        return;
      }
      q.now = *t;
    }
    q.timeout = options.query_timeout;
    q.memory_limit = options.query_memory_limit;
    q.max_rows = options.max_rows;
    try {
      query::QueryResult result = query::run_query(text, q);
      std::string body;
      query::append_result_json(result, body);
      if (!result.warnings.empty()) {
        body.pop_back();
        body += ",\"warnings\":[";
        for (std::size_t i = 0; i < result.warnings.size(); ++i) {
          if (i > 0) body += ',';
          append_json_string(body, result.warnings[i]);
        }
        body += "]}";
      }
      json_reply(res, 200, body);
    } catch (const query::QueryError& e) {
      std::string body = "{\"error\":{\"message\":";
      append_json_string(body, e.what());
      const char* kind = e.kind() == query::ErrorKind::kSyntax     ? "syntax"
                         : e.kind() == query::ErrorKind::kSemantic ? "semantic"
                                                                   : "runtime";
      body += fmt::format(",\"kind\":\"{}\"", kind);
      if (e.offset() != query::QueryError::kNoPosition) {
        query::TextPosition p = query::position_of(text, e.offset());
        body += fmt::format(",\"offset\":{},\"length\":{},\"line\":{},\"column\":{}", e.offset(),
                            e.length(), p.line, p.column);
      }
      body += "}}";
      json_reply(res, e.kind() == query::ErrorKind::kRuntime ? 422 : 400, body);
    } catch (const std::exception& e) {
      json_reply(res, 500, error_json(e.what()));
    }
  };
  server.Post("/api/query", [&](const httplib::Request& req, httplib::Response& res) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(req.body).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
      json_reply(res, 400, error_json("the body must be a JSON object {\"query\": \"...\"}"));
      return;
    }
    std::string_view text, now;
    if (doc["query"].get(text) != simdjson::SUCCESS) {
      json_reply(res, 400, error_json("missing \"query\" (a string)"));
      return;
    }
    if (doc["now"].get(now) != simdjson::SUCCESS) now = {};  // optional
    run(std::string(text), std::string(now), res);
  });
  server.Get("/api/query", [&](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_param("q")) {
      json_reply(res, 400, error_json("missing ?q=QUERY"));
      return;
    }
    run(req.get_param_value("q"), req.get_param_value("now"), res);
  });
  // One panel's answer: its query text, timing and result (or the error with the query, so it
  // can be reproduced in the console).
  auto run_panel = [&](const PanelDef& panel, const std::string& text, int threads = 0,
                       const std::atomic<bool>* cancel = nullptr) {
    auto started = std::chrono::steady_clock::now();
    httplib::Response inner;
    run(text, "", inner, threads, cancel);
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    if (inner.status != 200) {
      // A panel query that fails is a flowlens bug or a limit; the query is shown so it can be
      // reproduced in the console.
      std::string body = inner.body;
      body.pop_back();
      body += ",\"query\":";
      append_json_string(body, text);
      body += '}';
      return CachedAnswer{inner.status == 400 ? 500 : inner.status, body};
    }
    std::string body = "{\"id\":";
    append_json_string(body, panel.id);
    body += ",\"title\":";
    append_json_string(body, panel.title);
    body += ",\"render\":";
    append_json_string(body, panel.render);
    body += ",\"query\":";
    append_json_string(body, text);
    body += fmt::format(",\"elapsed_ms\":{:.1f},\"result\":", ms);
    body += inner.body;
    body += '}';
    return CachedAnswer{200, body};
  };
  server.Get("/api/panels", [&](const httplib::Request&, httplib::Response& res) {
    try {
      // The filter choices scan the whole rollup: kept like a panel answer until the store
      // changes (the key cannot collide with a query, which never starts with a NUL).
      std::string fingerprint = read_store_state(options.data_dir).fingerprint;
      auto compute = [&] { return CachedAnswer{200, panels_catalogue_json(options)}; };
      bool hit = false;
      CachedAnswer answer = cache.get(std::string("\0catalogue", 10), fingerprint, compute, hit);
      json_reply(res, answer.status, answer.body);
    } catch (const std::exception& e) {
      json_reply(res, 503, error_json(std::string("cannot read the data directory: ") + e.what()));
    }
  });
  server.Get(R"(/api/panels/([a-z0-9_.]+))", [&](const httplib::Request& req,
                                                 httplib::Response& res) {
    const PanelDef* panel = find_panel(req.matches[1].str());
    if (!panel) {
      json_reply(res, 404, error_json("no such panel: " + req.matches[1].str()));
      return;
    }
    std::string text, fingerprint;
    try {
      StoreState state = read_store_state(options.data_dir);  // before reading: never newer
      fingerprint = state.fingerprint;
      PanelFilters filters;
      for (const auto& [name, value] : req.params)
        set_panel_filter(filters, name, value);
      text = panel_query(*panel, filters, state.rollup_end, state.interval);
    } catch (const PanelParamError& e) {
      json_reply(res, 400, error_json(e.what()));
      return;
    } catch (const std::exception& e) {
      json_reply(res, 503, error_json(std::string("cannot read the data directory: ") + e.what()));
      return;
    }
    bool hit = false;
    CachedAnswer answer = cache.get(
        text, fingerprint, [&] { return run_panel(*panel, text); }, hit);
    res.set_header("X-Flowlens-Cache", hit ? "hit" : "miss");
    json_reply(res, answer.status, answer.body);
  });
  server.Get(R"(/api/.*)", [](const httplib::Request&, httplib::Response& res) {
    json_reply(res, 404, error_json("no such API endpoint"));
  });
  server.Get(R"(/.*)", [&](const httplib::Request& req, httplib::Response& res) {
    if (options.static_dir.empty()) {
      res.status = 404;
      res.set_content("flowlens serves its JSON API under /api/ (docs/serve.md)\n", "text/plain");
      return;
    }
    std::filesystem::path file = static_file(options.static_dir, req.path);
    if (file.empty()) {
      res.status = 404;
      res.set_content("not found\n", "text/plain");
      return;
    }
    std::ifstream in(file, std::ios::binary);
    std::ostringstream data;
    data << in.rdbuf();
    res.set_content(data.str(), content_type(file));
  });
  // Read-only: every other method is refused.
  server.Put(R"(/.*)", [](const httplib::Request&, httplib::Response& res) {
    json_reply(res, 405, error_json("the API is read-only"));
  });
  server.Delete(R"(/.*)", [](const httplib::Request&, httplib::Response& res) {
    json_reply(res, 405, error_json("the API is read-only"));
  });
  server.Patch(R"(/.*)", [](const httplib::Request&, httplib::Response& res) {
    json_reply(res, 405, error_json("the API is read-only"));
  });

  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port(options.host.c_str());
    if (port < 0) {
      error = "cannot bind " + options.host;
      return false;
    }
  } else if (!server.bind_to_port(options.host.c_str(), port)) {
    error = fmt::format("cannot listen on {}:{} (in use, or not an address of this machine)",
                        options.host, port);
    return false;
  }
  std::thread watcher([&] {
    while (!stop.load() && !finished.load())
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    finished = true;  // cancels running queries, so stopping never waits for them
    server.stop();
  });
  // Warm-up: whenever the store changes (and at start), answer every panel of the default
  // dashboard (the 24 hours that end at the newest data, in flows) on one thread, so the
  // first person to open it does not wait for the slow panels. Interactive requests for the
  // same answers wait for it instead of computing twice (the cache's single flight).
  std::thread warmer([&] {
    std::string done_for;
    while (!stop.load() && !finished.load()) {
      std::string fingerprint;
      std::optional<Ticks> end;
      Ticks interval = 10 * kTicksPerMinute;
      try {
        StoreState state = read_store_state(options.data_dir);
        fingerprint = state.fingerprint;
        end = state.rollup_end;
        interval = state.interval;
      } catch (const std::exception&) {
        fingerprint.clear();  // no store yet: try again later
      }
      if (options.warm_up && !fingerprint.empty() && fingerprint != done_for) {
        warm_done = false;
        warm_panels = 0;
        auto started = std::chrono::steady_clock::now();
        for (const PanelDef& panel : dashboard_panels()) {
          if (!end || !panel.params.empty() || stop.load() || finished.load()) continue;
          std::string text = panel_query(panel, PanelFilters{}, end, interval);
          bool hit = false;
          cache.get(
              text, fingerprint, [&] { return run_panel(panel, text, 1, &finished); }, hit);
          ++warm_panels;
        }
        warm_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
        warm_done = true;
        done_for = fingerprint;
      }
      for (int i = 0; i < 10 && !stop.load() && !finished.load(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  });
  on_listening(port);
  server.listen_after_bind();
  finished = true;
  server.stop();
  watcher.join();
  warmer.join();
  return true;
}

}  // namespace flowlens::server
