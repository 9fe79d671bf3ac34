// String operators and the regex cache (see string_match.h).
#include "query/string_match.h"

#include <re2/re2.h>

#include <array>
#include <atomic>
#include <cstring>
#include <string>
#include <unordered_map>

namespace flowlens::query {
namespace {

inline unsigned char fold(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c + ('a' - 'A')) : c;
}

inline bool bytes_equal(const char* a, const char* b, std::size_t n, bool case_sensitive) {
  if (case_sensitive) return std::memcmp(a, b, n) == 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (fold(static_cast<unsigned char>(a[i])) != fold(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Decodes the code point starting at s[i]; invalid bytes give U+FFFD (a separator).
char32_t decode_at(std::string_view s, std::size_t i) {
  const auto c0 = static_cast<unsigned char>(s[i]);
  if (c0 < 0x80) return c0;
  int len = 0;
  char32_t cp = 0;
  if ((c0 & 0xE0) == 0xC0) {
    len = 2;
    cp = c0 & 0x1F;
  } else if ((c0 & 0xF0) == 0xE0) {
    len = 3;
    cp = c0 & 0x0F;
  } else if ((c0 & 0xF8) == 0xF0) {
    len = 4;
    cp = c0 & 0x07;
  } else {
    return 0xFFFD;
  }
  if (i + static_cast<std::size_t>(len) > s.size()) return 0xFFFD;
  for (int k = 1; k < len; ++k) {
    const auto c = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((c & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (c & 0x3F);
  }
  return cp;
}

// The code point that ends just before s[i] (i > 0).
char32_t decode_before(std::string_view s, std::size_t i) {
  std::size_t start = i - 1;
  int back = 0;
  while (start > 0 && back < 3 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) {
    --start;
    ++back;
  }
  return decode_at(s, start);
}

bool term_at(std::string_view s, std::size_t i) {
  return is_term_code_point(decode_at(s, i));
}
bool term_before(std::string_view s, std::size_t i) {
  return is_term_code_point(decode_before(s, i));
}

bool has_term_char(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (is_term_code_point(c)) return true;
    } else if ((c & 0xC0) != 0x80 && term_at(s, i)) {
      return true;
    }
  }
  return false;
}

enum class Edge { kBoth, kStart, kEnd };

bool term_match(std::string_view lhs, std::string_view rhs, bool case_sensitive, Edge edge) {
  if (rhs.empty()) return true;
  if (!has_term_char(rhs)) return kql_find(lhs, rhs, case_sensitive) != std::string_view::npos;
  const bool check_start = edge != Edge::kEnd && term_at(rhs, 0);
  const bool check_end = edge != Edge::kStart && term_before(rhs, rhs.size());
  std::size_t from = 0;
  while (true) {
    const std::size_t i = kql_find(lhs, rhs, case_sensitive, from);
    if (i == std::string_view::npos) return false;
    const std::size_t j = i + rhs.size();
    const bool start_ok = !check_start || i == 0 || !term_before(lhs, i);
    const bool end_ok = !check_end || j == lhs.size() || !term_at(lhs, j);
    if (start_ok && end_ok) return true;
    from = i + 1;
  }
}

}  // namespace

bool is_term_code_point(char32_t cp) {
  if (cp < 0x80) {
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  }
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  // Unicode categories L* and Nd through RE2's tables, memoised for the BMP.
  static const RE2 kTerm("[\\p{L}\\p{Nd}]");
  auto classify = [](char32_t c) {
    char buf[4];
    std::size_t n = 0;
    if (c < 0x800) {
      buf[0] = static_cast<char>(0xC0 | (c >> 6));
      buf[1] = static_cast<char>(0x80 | (c & 0x3F));
      n = 2;
    } else if (c < 0x10000) {
      buf[0] = static_cast<char>(0xE0 | (c >> 12));
      buf[1] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      buf[2] = static_cast<char>(0x80 | (c & 0x3F));
      n = 3;
    } else {
      buf[0] = static_cast<char>(0xF0 | (c >> 18));
      buf[1] = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      buf[2] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      buf[3] = static_cast<char>(0x80 | (c & 0x3F));
      n = 4;
    }
    return RE2::FullMatch(re2::StringPiece(buf, n), kTerm);
  };
  if (cp >= 0x10000) return classify(cp);
  static std::array<std::atomic<std::uint8_t>, 0x10000> memo{};  // 0 unknown, 1 yes, 2 no
  auto& slot = memo[cp];
  std::uint8_t v = slot.load(std::memory_order_relaxed);
  if (v == 0) {
    v = classify(cp) ? 1 : 2;
    slot.store(v, std::memory_order_relaxed);
  }
  return v == 1;
}

std::size_t kql_find(std::string_view haystack, std::string_view needle, bool case_sensitive,
                     std::size_t from) {
  if (from > haystack.size()) return std::string_view::npos;
  if (needle.empty()) return from;
  if (case_sensitive) return haystack.find(needle, from);
  if (needle.size() > haystack.size()) return std::string_view::npos;
  const unsigned char first = fold(static_cast<unsigned char>(needle[0]));
  const std::size_t last = haystack.size() - needle.size();
  for (std::size_t i = from; i <= last; ++i) {
    if (fold(static_cast<unsigned char>(haystack[i])) == first &&
        bytes_equal(haystack.data() + i + 1, needle.data() + 1, needle.size() - 1, false)) {
      return i;
    }
  }
  return std::string_view::npos;
}

bool kql_has(std::string_view lhs, std::string_view rhs, bool case_sensitive) {
  return term_match(lhs, rhs, case_sensitive, Edge::kBoth);
}
bool kql_hasprefix(std::string_view lhs, std::string_view rhs, bool case_sensitive) {
  return term_match(lhs, rhs, case_sensitive, Edge::kStart);
}
bool kql_hassuffix(std::string_view lhs, std::string_view rhs, bool case_sensitive) {
  return term_match(lhs, rhs, case_sensitive, Edge::kEnd);
}
bool kql_contains(std::string_view lhs, std::string_view rhs, bool case_sensitive) {
  return kql_find(lhs, rhs, case_sensitive) != std::string_view::npos;
}
bool kql_startswith(std::string_view lhs, std::string_view rhs, bool case_sensitive) {
  return rhs.size() <= lhs.size() &&
         bytes_equal(lhs.data(), rhs.data(), rhs.size(), case_sensitive);
}
bool kql_endswith(std::string_view lhs, std::string_view rhs, bool case_sensitive) {
  return rhs.size() <= lhs.size() &&
         bytes_equal(lhs.data() + lhs.size() - rhs.size(), rhs.data(), rhs.size(), case_sensitive);
}
bool kql_equals_ci(std::string_view lhs, std::string_view rhs) {
  return lhs.size() == rhs.size() && bytes_equal(lhs.data(), rhs.data(), rhs.size(), false);
}

std::shared_ptr<const re2::RE2> cached_regex(std::string_view pattern, std::string* error) {
  struct Entry {
    std::shared_ptr<const RE2> re;
    std::string error;
  };
  thread_local std::unordered_map<std::string, Entry> cache;
  auto it = cache.find(std::string(pattern));
  if (it == cache.end()) {
    if (cache.size() >= 64) cache.clear();
    // RE2 (2022) spells named groups only as (?P<name>...); KQL also allows (?<name>...).
    std::string translated;
    translated.reserve(pattern.size());
    for (std::size_t i = 0; i < pattern.size(); ++i) {
      if (pattern[i] == '\\' && i + 1 < pattern.size()) {
        translated += pattern[i];
        translated += pattern[++i];
        continue;
      }
      translated += pattern[i];
      if (pattern.substr(i).starts_with("(?<") && i + 3 < pattern.size() && pattern[i + 3] != '=' &&
          pattern[i + 3] != '!') {
        translated += "?P<";
        i += 2;
      }
    }
    RE2::Options options;
    options.set_log_errors(false);
    auto re = std::make_shared<const RE2>(translated, options);
    Entry entry;
    if (re->ok()) {
      entry.re = std::move(re);
    } else {
      entry.error = re->error();
    }
    it = cache.emplace(std::string(pattern), std::move(entry)).first;
  }
  if (error != nullptr) *error = it->second.error;
  return it->second.re;
}

std::optional<bool> kql_matches_regex(std::string_view lhs, std::string_view pattern) {
  auto re = cached_regex(pattern);
  if (!re) return std::nullopt;
  return RE2::PartialMatch(re2::StringPiece(lhs.data(), lhs.size()), *re);
}

}  // namespace flowlens::query
