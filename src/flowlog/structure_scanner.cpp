#include "flowlog/structure_scanner.h"

#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace flowlens {
namespace {

// Index of the first '"' or '\\' in data[pos, end), or end. SSE2 is part of the x86-64
// baseline, so this needs no run-time dispatch.
inline std::size_t find_string_special(const char* data, std::size_t pos, std::size_t end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  while (pos + 16 <= end) {
    __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + pos));
    int mask = _mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(block, quote), _mm_cmpeq_epi8(block, backslash)));
    if (mask != 0)
      return pos + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    pos += 16;
  }
#endif
  for (; pos < end; ++pos) {
    if (data[pos] == '"' || data[pos] == '\\') return pos;
  }
  return end;
}

// Index of the first '"', '{', '}', '[' or ']' in data[pos, end), or end.
inline std::size_t find_structural(const char* data, std::size_t pos, std::size_t end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i open_brace = _mm_set1_epi8('{');
  const __m128i close_brace = _mm_set1_epi8('}');
  const __m128i open_bracket = _mm_set1_epi8('[');
  const __m128i close_bracket = _mm_set1_epi8(']');
  while (pos + 16 <= end) {
    __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + pos));
    __m128i hits = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(block, quote), _mm_cmpeq_epi8(block, open_brace)),
        _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(block, close_brace), _mm_cmpeq_epi8(block, open_bracket)),
            _mm_cmpeq_epi8(block, close_bracket)));
    int mask = _mm_movemask_epi8(hits);
    if (mask != 0)
      return pos + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    pos += 16;
  }
#endif
  for (; pos < end; ++pos) {
    char c = data[pos];
    if (c == '"' || c == '{' || c == '}' || c == '[' || c == ']') return pos;
  }
  return end;
}

// Bit i set when an odd number of bits at or below i are set in x.
inline std::uint64_t prefix_xor(std::uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

}  // namespace

StructureScanner::Result StructureScanner::bracket(char c) {
  if (c == '{' || c == '[') {
    if (depth_ == kMaxDepth) return Result::kTooDeep;
    stack_[static_cast<std::size_t>(depth_++)] = c;
    return Result::kNeedMore;
  }
  char open = c == '}' ? '{' : '[';
  if (depth_ == 0 || stack_[static_cast<std::size_t>(depth_ - 1)] != open) return Result::kMismatch;
  return --depth_ == 0 ? Result::kComplete : Result::kNeedMore;
}

// Byte-at-a-time (with 16-byte skipping) scan of data[pos, limit); handles escapes.
StructureScanner::Result StructureScanner::scan_scalar(const char* data, std::size_t& pos,
                                                       std::size_t limit) {
  while (pos < limit) {
    if (in_string_) {
      if (escape_pending_) {
        escape_pending_ = false;
        ++pos;
        continue;
      }
      std::size_t k = find_string_special(data, pos, limit);
      if (k == limit) {
        pos = limit;
        return Result::kNeedMore;
      }
      pos = k + 1;
      if (data[k] == '\\') {
        escape_pending_ = true;
        saw_backslash_ = true;
      } else {
        in_string_ = false;
      }
      continue;
    }
    std::size_t k = find_structural(data, pos, limit);
    if (k == limit) {
      pos = limit;
      return Result::kNeedMore;
    }
    pos = k + 1;
    if (data[k] == '"') {
      in_string_ = true;
      continue;
    }
    Result r = bracket(data[k]);
    if (r != Result::kNeedMore) return r;
  }
  return Result::kNeedMore;
}

StructureScanner::Result StructureScanner::scan(const char* data, std::size_t& pos,
                                                std::size_t end) {
#if defined(__SSE2__)
  // Whole 64-byte blocks without backslashes (nearly all of a flow log): find the string
  // regions with a prefix XOR over the quote positions, then visit only the brackets outside
  // strings. Blocks with backslashes, a pending escape, and the tail go the scalar way.
  while (end - pos >= 64) {
    if (escape_pending_) {
      Result r = scan_scalar(data, pos, pos + 1);
      if (r != Result::kNeedMore) return r;
      continue;
    }
    // Per 16 bytes: quotes, backslashes and bracket candidates. `c | 0x26` is 0x7F exactly for
    // '[' ']' '{' '}' and for 'Y' 'y' '_' DEL, which cannot occur outside strings in valid JSON;
    // the loop below looks at the byte itself, so even invalid input is handled exactly.
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i fold = _mm_set1_epi8(0x26);
    const __m128i bracket_code = _mm_set1_epi8(0x7F);
    std::uint64_t quotes = 0, backslashes = 0, candidates = 0;
    for (int i = 0; i < 4; ++i) {
      __m128i b = _mm_loadu_si128(
          reinterpret_cast<const __m128i*>(data + pos + 16 * static_cast<std::size_t>(i)));
      int shift = 16 * i;
      quotes |= static_cast<std::uint64_t>(
                    static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(b, quote))))
                << shift;
      backslashes |= static_cast<std::uint64_t>(static_cast<std::uint32_t>(
                         _mm_movemask_epi8(_mm_cmpeq_epi8(b, backslash))))
                     << shift;
      candidates |= static_cast<std::uint64_t>(static_cast<std::uint32_t>(
                        _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_or_si128(b, fold), bracket_code))))
                    << shift;
    }
    if (backslashes != 0) {
      Result r = scan_scalar(data, pos, pos + 64);
      if (r != Result::kNeedMore) return r;
      continue;
    }
    std::uint64_t inside = prefix_xor(quotes);
    if (in_string_) inside = ~inside;
    std::uint64_t brackets = candidates & ~inside;
    while (brackets != 0) {
      auto bit = static_cast<std::size_t>(__builtin_ctzll(brackets));
      brackets &= brackets - 1;
      char c = data[pos + bit];
      if (c != '{' && c != '}' && c != '[' && c != ']') continue;  // a stray letter
      Result r = bracket(c);
      if (r != Result::kNeedMore) {
        pos += bit + 1;
        in_string_ = false;  // a bracket outside strings
        return r;
      }
    }
    in_string_ = (inside >> 63) != 0;
    pos += 64;
  }
#endif
  return scan_scalar(data, pos, end);
}

}  // namespace flowlens
