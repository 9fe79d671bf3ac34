// The command-line options `ingest` and `watch` share: the blob source, the data directory and
// how it is kept, parser threads, how rejections are reported, enrichment inputs. One place to
// register and to check them, so the two commands cannot drift apart.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <string>

#include "enrich/enrichment_store.h"
#include "ingest/ingest_job.h"
#include "store/data_dir.h"

namespace flowlens {

struct IngestArgs {
  std::string blob;  // a connection string or container URL, or @FILE (secret: never printed)
  std::string blob_container;
  std::string blob_prefix;
  std::string blob_since;  // a time, or a duration ago ("24h")
  std::string data;
  std::string interval;
  int retention_days = -1;  // -1: leave as stored
  unsigned threads = 0;
  std::string errors_path;
  std::size_t max_error_lines = 20;
  enrich::EnrichmentInputs enrichment;

  // The data directory given, else the default one.
  std::string data_dir() const;
  // The settings a new data directory gets (the rollup interval).
  store::DataDirSettings data_dir_settings() const;
};

// --blob, --container, --prefix, --since. `role` starts their help texts ("With --blob: ").
CLI::Option* add_blob_options(CLI::App& cmd, IngestArgs& args, const std::string& role);
// --data, --interval, --retention-days, --threads, --errors, --max-error-lines, enrichment.
void add_store_options(CLI::App& cmd, IngestArgs& args);

// Copies the blob options into `options` (reading @FILE; --since worked out now). Returns false
// after printing what is wrong.
bool apply_blob_args(const IngestArgs& args, ingest::IngestOptions& options);

// Stores the enrichment inputs given and loads all stored ones, then the retention given.
// Throws enrich::EnrichError for a malformed input, std::exception for the directory.
void prepare_data_dir(store::DataDir& dir, const IngestArgs& args, bool quiet,
                      ingest::IngestOptions& options);

}  // namespace flowlens
