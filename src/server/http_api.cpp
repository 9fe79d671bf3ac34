#include "server/http_api.h"

#include <fmt/format.h>
#include <httplib.h>
#include <simdjson.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "common/json_text.h"
#include "common/timestamp.h"
#include "query/engine.h"
#include "query/lexer.h"
#include "query/query_error.h"
#include "query/result_json.h"
#include "store/data_dir.h"
#include "store/snapshot.h"
#include "store/table_schema.h"

namespace flowlens::server {
namespace {

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
  return out + "}";
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
  server.set_pre_routing_handler([&](const httplib::Request& req, httplib::Response& res) {
    set_common_headers(res);
    if (!options.auth_token.empty() && req.path.rfind("/api/", 0) == 0) {
      std::string expected = "Bearer " + options.auth_token;
      if (req.get_header_value("Authorization") != expected) {
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
      json_reply(res, 200, status_json(options.data_dir));
    } catch (const std::exception& e) {
      json_reply(res, 503, error_json(std::string("cannot read the data directory: ") + e.what()));
    }
  });
  auto run = [&](const std::string& text, const std::string& now_text, httplib::Response& res) {
    query::QueryOptions q;
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
    while (!stop.load())
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    server.stop();
  });
  on_listening(port);
  server.listen_after_bind();
  server.stop();
  watcher.join();
  return true;
}

}  // namespace flowlens::server
