#include "app/ingest_args.h"

#include <fmt/format.h>

#include <cctype>

#include "app/commands.h"
#include "app/duration_option.h"
#include "app/secret_file.h"

namespace flowlens {

std::string IngestArgs::data_dir() const {
  return data.empty() ? store::default_data_dir() : data;
}

store::DataDirSettings IngestArgs::data_dir_settings() const {
  store::DataDirSettings settings;
  if (!interval.empty()) {
    settings.interval_minutes = interval == "60m" || interval == "1h" ? 60 : 10;
    settings.interval_given = true;
  }
  return settings;
}

CLI::Option* add_blob_options(CLI::App& cmd, IngestArgs& args, const std::string& role) {
  // "With --blob: the container", or "The container" without a role.
  auto help = [&role](std::string text) {
    if (role.empty())
      text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
    return role + text;
  };
  CLI::Option* blob = cmd.add_option("--blob", args.blob,
                                     "The flow-log blobs of a storage account: a connection "
                                     "string or a container URL with a SAS, or @FILE holding "
                                     "one (docs/blob.md)");
  cmd.add_option("--container", args.blob_container,
                 help("the container (default: the one the URL names)"));
  cmd.add_option("--prefix", args.blob_prefix, help("only blobs whose names start so"));
  cmd.add_option("--since", args.blob_since,
                 help("only blobs of hours from this time on (2026-11-27T00:00, or a duration "
                      "ago: 24h, 7d)"));
  return blob;
}

void add_store_options(CLI::App& cmd, IngestArgs& args) {
  cmd.add_option("--data", args.data,
                 "Data directory (default: $FLOWLENS_DATA, else ./flowlens-data)");
  cmd.add_option("--interval", args.interval,
                 "Rollup interval of a new data directory: 10m (default) or 60m")
      ->check(CLI::IsMember({"10m", "60m", "1h"}));
  cmd.add_option("--retention-days", args.retention_days,
                 "Keep data this many days (0: forever); stored in the data directory")
      ->check(CLI::Range(0, 36500));
  cmd.add_option("--threads", args.threads, "Parser threads (0: one per CPU)")
      ->capture_default_str();
  cmd.add_option("--errors", args.errors_path,
                 "Also write every rejected record or tuple to FILE as NDJSON");
  cmd.add_option("--max-error-lines", args.max_error_lines,
                 "Rejections shown on stderr before the rest are only counted")
      ->capture_default_str();
  add_enrichment_options(cmd, args.enrichment);
}

bool apply_blob_args(const IngestArgs& args, ingest::IngestOptions& options) {
  options.blob_source = args.blob;
  if (!args.blob.empty() && args.blob.front() == '@') {
    // @FILE: the connection string or URL is the file's first line.
    std::optional<std::string> source = read_secret_file(args.blob.substr(1));
    if (!source) {
      fmt::print(stderr, "flowlens: --blob {}: cannot read a connection string or URL\n",
                 args.blob);
      return false;
    }
    options.blob_source = *source;
  }
  options.blob_container = args.blob_container;
  options.blob_prefix = args.blob_prefix;
  if (!args.blob_since.empty()) {
    std::optional<Ticks> since = parse_time_or_ago(args.blob_since);
    if (!since) {
      fmt::print(stderr, "flowlens: --since: not a time or a duration ago: {}\n", args.blob_since);
      return false;
    }
    options.blob_since = *since;
  }
  options.threads = args.threads;
  return true;
}

void prepare_data_dir(store::DataDir& dir, const IngestArgs& args, bool quiet,
                      ingest::IngestOptions& options) {
  // Enrichment: inputs given now replace the stored ones of their kind; then everything stored
  // is loaded (a malformed input stops the run before anything is stored).
  options.enricher = enrich::store_and_load(args.data_dir(), args.enrichment);
  if (options.enricher && !quiet) {
    for (const std::string& line : options.enricher->summary())
      fmt::print(stderr, "flowlens: enrichment: {}\n", line);
  }
  if (args.retention_days >= 0) {
    store::Catalog::Transaction t(dir.catalog(), true);
    dir.set_retention_days(args.retention_days);
    t.commit();
  }
}

}  // namespace flowlens
