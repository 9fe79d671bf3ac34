// `flowlens serve [--data DIR] [--listen HOST:PORT] [--auth-token T | --auth-token-file F]
// [--static DIR]`: the read-only HTTP API over the store (docs/serve.md).
#include <fmt/format.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "app/secret_file.h"
#include "server/http_api.h"
#include "store/data_dir.h"

namespace flowlens {
namespace {

struct ServeCommandOptions {
  std::string data;
  std::string listen = "127.0.0.1:8080";
  std::string auth_token;
  std::string auth_token_file;
  std::string static_dir;
  double query_timeout_seconds = 30;
  bool no_cache = false;
};

// The dashboard built from web/ in the source tree (make web), when --static is not given.
std::filesystem::path default_static_dir() {
#ifdef FLOWLENS_WEB_DIR
  std::filesystem::path dir = FLOWLENS_WEB_DIR;
  std::error_code ec;
  if (std::filesystem::is_regular_file(dir / "index.html", ec)) return dir;
#endif
  return {};
}

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) {
  g_stop.store(true);
}

int run_serve(const ServeCommandOptions& o) {
  server::ServerOptions options;
  options.data_dir = o.data.empty() ? store::default_data_dir() : o.data;
  if (!std::filesystem::is_directory(options.data_dir)) {
    fmt::print(stderr, "flowlens: --data {}: no such directory (run `flowlens ingest` first)\n",
               options.data_dir.string());
    return kExitUsage;
  }
  auto colon = o.listen.rfind(':');
  if (colon == std::string::npos) {
    fmt::print(stderr, "flowlens: --listen needs HOST:PORT, for example 127.0.0.1:8080\n");
    return kExitUsage;
  }
  options.host = o.listen.substr(0, colon);
  if (options.host.size() > 2 && options.host.front() == '[' && options.host.back() == ']') {
    options.host = options.host.substr(1, options.host.size() - 2);  // [::1]:8080
  }
  try {
    options.port = std::stoi(o.listen.substr(colon + 1));
  } catch (const std::exception&) {
    options.port = -1;
  }
  if (options.port < 0 || options.port > 65535) {
    fmt::print(stderr, "flowlens: --listen {}: not a port\n", o.listen);
    return kExitUsage;
  }
  options.auth_token = o.auth_token;
  if (!o.auth_token_file.empty()) {
    std::optional<std::string> token = read_secret_file(o.auth_token_file);
    if (!token) {
      fmt::print(stderr, "flowlens: --auth-token-file {}: cannot read a token\n",
                 o.auth_token_file);
      return kExitUsage;
    }
    options.auth_token = *token;
  }
  options.static_dir =
      o.static_dir.empty() ? default_static_dir() : std::filesystem::path(o.static_dir);
  if (o.no_cache) {
    options.panel_cache_bytes = 0;
    options.warm_up = false;
  }
  options.query_timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(o.query_timeout_seconds * 1000));
  bool loopback =
      options.host == "127.0.0.1" || options.host == "::1" || options.host == "localhost";
  if (!loopback && options.auth_token.empty()) {
    fmt::print(stderr,
               "flowlens: warning: listening on {} without --auth-token: anyone who can reach "
               "this address can query the flow logs\n",
               options.host);
  }
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  std::string error;
  bool ok = server::run_server(
      options, g_stop,
      [&](int port) {
        fmt::print(
            "flowlens serve: http://{}:{}/ ({}, data {}{}; Ctrl-C stops)\n",
            options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host,
            port, options.static_dir.empty() ? "API only: no dashboard files" : "dashboard and API",
            options.data_dir.string(), options.auth_token.empty() ? "" : ", bearer token required");
        std::fflush(stdout);
      },
      error);
  if (!ok) {
    fmt::print(stderr, "flowlens: {}\n", error);
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

CommandRunner add_serve_command(CLI::App& app) {
  auto o = std::make_shared<ServeCommandOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve the read-only HTTP API over the store");
  cmd->add_option("--data", o->data, "Data directory (default: $FLOWLENS_DATA or ./flowlens-data)");
  cmd->add_option("--listen", o->listen,
                  "HOST:PORT to listen on (default 127.0.0.1:8080; port 0 picks one)");
  cmd->add_option("--auth-token", o->auth_token, "Require Authorization: Bearer TOKEN on /api/");
  cmd->add_option("--auth-token-file", o->auth_token_file,
                  "Read the token from the first line of FILE");
  cmd->add_option("--static", o->static_dir,
                  "Serve the dashboard's files from DIR (default: the web/dist built by make)");
  cmd->add_flag("--no-cache", o->no_cache,
                "Compute every panel on request (no answer cache, no background warm-up)");
  cmd->add_option("--query-timeout", o->query_timeout_seconds,
                  "Stop each API query after SECONDS (default 30)");
  return [o] { return run_serve(*o); };
}

}  // namespace flowlens
