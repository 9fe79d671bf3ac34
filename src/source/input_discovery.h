// Expands command-line paths into the ordered list of inputs to parse.
//
// A file is taken as given, whatever its name. A directory is walked recursively (the Azure
// container layout nests y=/m=/d=/h=/m=/macAddress= folders) and contributes its files whose
// names end in .json, .ndjson or .jsonl, in byte-wise path order, which is chronological for
// Azure's zero-padded layout. `-` is standard input.
#pragma once

#include <string>
#include <vector>

#include "flowlog/parse_pipeline.h"

namespace flowlens {

struct DiscoveryResult {
  std::vector<InputSpec> inputs;
  std::vector<std::string> problems;  // paths that do not exist or cannot be listed
};

DiscoveryResult discover_inputs(const std::vector<std::string>& paths);

}  // namespace flowlens
