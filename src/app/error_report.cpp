#include "app/error_report.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "common/json_text.h"

namespace flowlens {

ErrorReport::ErrorReport(std::size_t max_lines, const std::string& errors_path)
    : max_lines_(max_lines), path_(errors_path) {
  if (!path_.empty()) {
    file_ = std::fopen(path_.c_str(), "wb");
    if (file_ == nullptr) {
      throw std::runtime_error(fmt::format("cannot create {}: {}", path_, std::strerror(errno)));
    }
  }
}

ErrorReport::~ErrorReport() {
  if (file_ != nullptr) std::fclose(file_);
}

void ErrorReport::add(const ParseError& e) {
  ++count_;
  if (count_ <= max_lines_) {
    std::string line = "flowlens: rejected: " + format_error_line(e) + "\n";
    std::fputs(line.c_str(), stderr);
  }
  if (file_ != nullptr) {
    std::string json = "{\"Source\":";
    append_json_string(json, e.source);
    json += fmt::format(",\"RecordIndex\":{},\"TupleIndex\":{},\"ByteOffset\":{},\"Code\":",
                        e.record_index, e.tuple_index, e.byte_offset);
    append_json_string(json, error_code_name(e.code));
    json += ",\"Message\":";
    append_json_string(json, e.message);
    json += ",\"Excerpt\":";
    append_json_string(json, e.excerpt);
    json += "}\n";
    std::fwrite(json.data(), 1, json.size(), file_);
  }
}

bool ErrorReport::finish() {
  if (max_lines_ > 0 && count_ > max_lines_) {
    std::fputs(
        fmt::format("flowlens: ... and {} more rejections not shown{}\n", count_ - max_lines_,
                    file_ != nullptr ? fmt::format(" (all are in {})", path_)
                                     : std::string(" (use --errors FILE to keep them all)"))
            .c_str(),
        stderr);
  }
  if (file_ != nullptr) {
    bool ok = std::fclose(file_) == 0;
    file_ = nullptr;
    return ok;
  }
  return true;
}

}  // namespace flowlens
