// Secrets (bearer tokens, connection strings, SAS URLs) are better read from a private file
// than given on the command line, which other users of the machine can see.
#pragma once

#include <optional>
#include <string>

namespace flowlens {

// The first line of `path` (without its line end); nullopt when the file cannot be read or
// the line is empty.
std::optional<std::string> read_secret_file(const std::string& path);

}  // namespace flowlens
