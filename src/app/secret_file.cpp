#include "app/secret_file.h"

#include <fstream>

namespace flowlens {

std::optional<std::string> read_secret_file(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return std::nullopt;
  return line;
}

}  // namespace flowlens
