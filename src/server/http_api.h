// The HTTP server behind `flowlens serve`: a read-only JSON API over the store and, when
// given, the dashboard's static files (docs/serve.md).
//
//   GET  /api/health                 {"ok":true}
//   GET  /api/tables                 every table with its columns and types
//   GET  /api/status                 per table: rows, segments, time range; sources; freshness
//   POST /api/query  {"query":..., "now":...}   the result JSON of `flowlens query`
//   GET  /api/query?q=...&now=...                (the same, for links and curl)
//   GET  /anything-else             a file under the static directory (index.html for "/")
//
// Security: binds where told (127.0.0.1 by default); with a token, every /api request needs
// `Authorization: Bearer TOKEN`; no method writes anything; static paths cannot leave their
// directory; every response carries a Content-Security-Policy and nosniff; query text is never
// logged with secrets (there are none in a query, but tokens never appear in logs).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace flowlens::server {

struct ServerOptions {
  std::filesystem::path data_dir;
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string auth_token;            // empty: no authentication
  std::filesystem::path static_dir;  // empty: API only
  std::chrono::milliseconds query_timeout{30000};
  std::size_t query_memory_limit = std::size_t{2} << 30;
  std::size_t max_rows = 50000;  // per result table, unless the query says otherwise
  bool warm_up = true;           // answer the default dashboard in the background
  std::size_t panel_cache_bytes = std::size_t{256}
                                  << 20;  // panel answers kept while the store is unchanged
};

// Serves until `stop` becomes true (checked twice a second) or the process ends. Calls
// `on_listening(port)` once the socket is bound (port 0 picks a free one). Returns false when
// the address cannot be bound (the reason in `error`).
bool run_server(const ServerOptions& options, const std::atomic<bool>& stop,
                const std::function<void(int port)>& on_listening, std::string& error);

}  // namespace flowlens::server
