#include "source/input_discovery.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "source/file_reader.h"

namespace flowlens {
namespace {

namespace fs = std::filesystem;

bool has_flow_log_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".json" || ext == ".ndjson" || ext == ".jsonl";
}

InputSpec file_input(const std::string& path, std::optional<std::uint64_t> size) {
  return InputSpec{path, size, [path]() -> std::unique_ptr<ByteReader> {
                     return std::make_unique<FileReader>(path);
                   }};
}

}  // namespace

DiscoveryResult discover_inputs(const std::vector<std::string>& paths) {
  DiscoveryResult result;
  for (const std::string& path : paths) {
    if (path == "-") {
      result.inputs.push_back(InputSpec{"<stdin>", std::nullopt, [] {
                                          return std::make_unique<FileReader>(
                                              FileReader::from_descriptor(STDIN_FILENO, "<stdin>"));
                                        }});
      continue;
    }
    std::error_code ec;
    fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      result.problems.push_back(path + ": no such file or directory");
      continue;
    }
    if (!fs::is_directory(status)) {
      std::optional<std::uint64_t> size;
      if (fs::is_regular_file(status)) size = fs::file_size(path, ec);
      result.inputs.push_back(file_input(path, size));
      continue;
    }
    std::vector<std::pair<std::string, std::uint64_t>> found;
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
      result.problems.push_back(path + ": " + ec.message());
      continue;
    }
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) {
        result.problems.push_back(path + ": " + ec.message());
        break;
      }
      const fs::directory_entry& entry = *it;
      std::error_code fec;
      if (!entry.is_regular_file(fec) || !has_flow_log_extension(entry.path())) continue;
      found.emplace_back(entry.path().string(), entry.file_size(fec));
    }
    std::sort(found.begin(), found.end());
    for (auto& [file, size] : found)
      result.inputs.push_back(file_input(file, size));
  }
  return result;
}

}  // namespace flowlens
