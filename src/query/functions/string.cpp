// String functions (§6.8, §6.13): strcat, strcat_array, split, substring, strlen, tolower,
// toupper, trim, trim_start, trim_end, replace_string, replace_regex/replace, extract,
// extract_all, indexof, indexof_regex, reverse, strcmp, countof, format_bytes.
//
// Text arguments accept any scalar and read it through tostring(); positions and lengths count
// Unicode code points. tolower/toupper fold ASCII letters only (as =~ does). Regex arguments
// use RE2 through cached_regex(); a constant invalid pattern fails the type rule, a computed
// one gives null ("" for string results).
#include <locale.h>
#include <re2/re2.h>
#include <wctype.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "query/functions/common.h"
#include "query/string_match.h"

namespace flowlens::query::fn {
namespace {

constexpr unsigned kAText = kAScalar;  // anything with a tostring() form

// Byte offsets of each code point start, plus the end; fast path for ASCII.
std::vector<std::size_t> code_point_offsets(std::string_view s) {
  std::vector<std::size_t> offsets;
  offsets.reserve(s.size() + 1);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) offsets.push_back(i);
  }
  offsets.push_back(s.size());
  return offsets;
}

std::int64_t code_point_count(std::string_view s) {
  std::int64_t n = 0;
  for (char c : s)
    n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// A regex argument checked at bind time when constant.
bool check_regex(const std::vector<ArgInfo>& a, std::size_t index, std::string_view fn,
                 std::string& e) {
  if (!check_arg(a, index, kAString, fn, "a string (regular expression)", e)) return false;
  if (index < a.size() && a[index].constant != nullptr) {
    std::string message;
    if (!cached_regex(value_to_string(*a[index].constant), &message)) {
      e = std::string(fn) + "(): invalid regular expression: " + message;
      return false;
    }
  }
  return true;
}

re2::StringPiece piece(std::string_view s) {
  return re2::StringPiece(s.data(), s.size());
}
std::string_view view(re2::StringPiece p) {
  return std::string_view(p.data(), p.size());
}

// --- strcat, strcat_array ------------------------------------------------------------------

std::optional<Type> strcat_type(const std::vector<ArgInfo>&, std::string&) {
  return Type::kString;
}
Value strcat_eval(const std::vector<Value>& a, const EvalContext&) {
  std::string out;
  for (const auto& v : a)
    out += value_to_string(v);
  return Value::string(std::move(out));
}

std::optional<Type> strcat_array_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kADynamic, "strcat_array", "a dynamic array", e) ||
      !check_arg(a, 1, kAText, "strcat_array", "a string", e)) {
    return std::nullopt;
  }
  return Type::kString;
}
Value strcat_array_eval(const std::vector<Value>& a, const EvalContext&) {
  const Dyn arr = get_dyn(a[0]);
  if (!dyn_is_array(arr)) return Value::string("");
  const std::string delim = get_string(a[1]);
  std::string out;
  for (std::size_t i = 0; i < arr->items.size(); ++i) {
    if (i > 0) out += delim;
    out += dyn_to_text(arr->items[i]);
  }
  return Value::string(std::move(out));
}

// --- split, substring, strlen, reverse, tolower, toupper, strcmp ----------------------------

std::optional<Type> split_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kAText, "split", "a string", e) ||
      !check_arg(a, 1, kAText, "split", "a string", e) ||
      !check_arg(a, 2, kAIntegral, "split", "an integer", e)) {
    return std::nullopt;
  }
  return Type::kDynamic;
}
Value split_eval(const std::vector<Value>& a, const EvalContext&) {
  const std::string s = get_string(a[0]);
  const std::string delim = get_string(a[1]);
  std::vector<Dyn> parts;
  if (delim.empty()) {
    parts.push_back(dyn_string(s));
  } else {
    std::size_t start = 0;
    while (true) {
      const std::size_t at = s.find(delim, start);
      if (at == std::string::npos) {
        parts.push_back(dyn_string(s.substr(start)));
        break;
      }
      parts.push_back(dyn_string(s.substr(start, at - start)));
      start = at + delim.size();
    }
  }
  if (a.size() > 2) {
    const auto index = get_long(a[2]);
    if (!index) return Value::null_of(Type::kDynamic);
    if (*index < 0 || *index >= static_cast<std::int64_t>(parts.size())) {
      return Value::dynamic(dyn_array({}));
    }
    return Value::dynamic(dyn_array({parts[static_cast<std::size_t>(*index)]}));
  }
  return Value::dynamic(dyn_array(std::move(parts)));
}

std::optional<Type> substring_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kAText, "substring", "a string", e) ||
      !check_arg(a, 1, kAIntegral, "substring", "an integer", e) ||
      !check_arg(a, 2, kAIntegral, "substring", "an integer", e)) {
    return std::nullopt;
  }
  return Type::kString;
}
Value substring_eval(const std::vector<Value>& a, const EvalContext&) {
  const std::string s = get_string(a[0]);
  const auto start_arg = get_long(a[1]);
  if (!start_arg) return Value::string("");
  const auto offsets = code_point_offsets(s);
  const auto n = static_cast<std::int64_t>(offsets.size() - 1);
  std::int64_t start = *start_arg;
  if (start < 0) start = std::max<std::int64_t>(0, start + n);
  if (start >= n) return Value::string("");
  std::int64_t end = n;
  if (a.size() > 2) {
    const auto length = get_long(a[2]);
    if (!length) return Value::string("");
    if (*length < 0) return Value::string("");
    end = *length >= n - start ? n : start + *length;
  }
  const std::size_t b = offsets[static_cast<std::size_t>(start)];
  const std::size_t e = offsets[static_cast<std::size_t>(end)];
  return Value::string(s.substr(b, e - b));
}

std::optional<Type> text_to_long(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kAText, "strlen", "a string", e)) return std::nullopt;
  return Type::kLong;
}
template <const std::string_view& Name>
std::optional<Type> text_to_text(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kAText, Name, "a string", e)) return std::nullopt;
  return Type::kString;
}
constexpr std::string_view kToLower = "tolower";
constexpr std::string_view kToUpper = "toupper";
constexpr std::string_view kReverse = "reverse";

Value reverse_eval(const std::vector<Value>& a, const EvalContext&) {
  const std::string s = get_string(a[0]);
  const auto offsets = code_point_offsets(s);
  std::string out;
  out.reserve(s.size());
  for (std::size_t k = offsets.size() - 1; k > 0; --k) {
    out.append(s, offsets[k - 1], offsets[k] - offsets[k - 1]);
  }
  return Value::string(std::move(out));
}

// Unicode case mapping of each code point (C.UTF-8's tables, one code point at a time; the
// rare mappings that change length, like German ß to SS, keep the character). ASCII text takes
// a fast path.
template <bool Upper>
Value case_eval(const std::vector<Value>& a, const EvalContext&) {
  std::string s = get_string(a[0]);
  bool ascii = true;
  for (char& c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
    if (Upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!Upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (ascii) return Value::string(std::move(s));
  static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  if (utf8 == static_cast<locale_t>(nullptr)) return Value::string(std::move(s));
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) {
      out.push_back(s[i++]);  // not UTF-8: keep the byte
      continue;
    }
    std::uint32_t cp = n == 1 ? b : b & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    auto mapped = static_cast<std::uint32_t>(Upper ? towupper_l(static_cast<wint_t>(cp), utf8)
                                                   : towlower_l(static_cast<wint_t>(cp), utf8));
    if (mapped < 0x80) {
      out.push_back(static_cast<char>(mapped));
    } else if (mapped < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (mapped >> 6)));
      out.push_back(static_cast<char>(0x80 | (mapped & 0x3F)));
    } else if (mapped < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (mapped >> 12)));
      out.push_back(static_cast<char>(0x80 | ((mapped >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (mapped & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (mapped >> 18)));
      out.push_back(static_cast<char>(0x80 | ((mapped >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((mapped >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (mapped & 0x3F)));
    }
    i += n;
  }
  return Value::string(std::move(out));
}

std::optional<Type> strcmp_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kAText, "strcmp", "a string", e) ||
      !check_arg(a, 1, kAText, "strcmp", "a string", e)) {
    return std::nullopt;
  }
  return Type::kInt;
}
Value strcmp_eval(const std::vector<Value>& a, const EvalContext&) {
  const int c = get_string(a[0]).compare(get_string(a[1]));
  return Value::integer(c < 0 ? -1 : (c > 0 ? 1 : 0));
}

// --- trim -----------------------------------------------------------------------------------

std::optional<Type> trim_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_regex(a, 0, "trim", e) || !check_arg(a, 1, kAText, "trim", "a string", e)) {
    return std::nullopt;
  }
  return Type::kString;
}
template <bool Start, bool End>
Value trim_eval(const std::vector<Value>& a, const EvalContext&) {
  const std::string pattern = get_string(a[0]);
  std::string s = get_string(a[1]);
  if (!cached_regex(pattern)) return Value::string("");
  std::string_view rest = s;
  if (Start) {
    auto re = cached_regex("^(?:" + pattern + ")+");
    re2::StringPiece m;
    if (re && re->Match(piece(rest), 0, rest.size(), RE2::ANCHOR_START, &m, 1)) {
      rest.remove_prefix(m.size());
    }
  }
  if (End) {
    auto re = cached_regex("(?:" + pattern + ")+$");
    re2::StringPiece m;
    if (re && re->Match(piece(rest), 0, rest.size(), RE2::UNANCHORED, &m, 1) && !m.empty()) {
      rest = rest.substr(0, static_cast<std::size_t>(m.data() - rest.data()));
    }
  }
  return Value::string(std::string(rest));
}

// --- replace_string, replace_regex ----------------------------------------------------------

std::optional<Type> replace_string_type(const std::vector<ArgInfo>& a, std::string& e) {
  for (std::size_t i = 0; i < 3; ++i) {
    if (!check_arg(a, i, kAText, "replace_string", "a string", e)) return std::nullopt;
  }
  return Type::kString;
}
Value replace_string_eval(const std::vector<Value>& a, const EvalContext&) {
  const std::string text = get_string(a[0]);
  const std::string lookup = get_string(a[1]);
  const std::string rewrite = get_string(a[2]);
  if (lookup.empty()) return Value::string(text);
  std::string out;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = text.find(lookup, start);
    if (at == std::string::npos) break;
    out.append(text, start, at - start);
    out += rewrite;
    start = at + lookup.size();
  }
  out.append(text, start);
  return Value::string(std::move(out));
}

// Length in bytes of the code point at s[i] (1 for invalid bytes).
std::size_t code_point_length(std::string_view s, std::size_t i) {
  std::size_t k = i + 1;
  while (k < s.size() && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80)
    ++k;
  return k - i;
}

std::optional<Type> replace_regex_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kAText, "replace_regex", "a string", e) ||
      !check_regex(a, 1, "replace_regex", e) ||
      !check_arg(a, 2, kAText, "replace_regex", "a string", e)) {
    return std::nullopt;
  }
  return Type::kString;
}
// Replaces every non-overlapping match; in `rewrite`, \0 is the match and \1..\9 the groups
// (a group that did not take part gives ""); any other character is literal.
Value replace_regex_eval(const std::vector<Value>& a, const EvalContext&) {
  const std::string text = get_string(a[0]);
  const auto re = cached_regex(get_string(a[1]));
  if (!re) return Value::string("");
  const std::string rewrite = get_string(a[2]);
  const int groups = re->NumberOfCapturingGroups();
  std::vector<re2::StringPiece> m(static_cast<std::size_t>(groups) + 1);
  std::string out;
  std::size_t pos = 0;
  std::size_t copied = 0;
  while (pos <= text.size() &&
         re->Match(piece(text), pos, text.size(), RE2::UNANCHORED, m.data(), groups + 1)) {
    const auto begin = static_cast<std::size_t>(m[0].data() - text.data());
    const std::size_t end = begin + m[0].size();
    out.append(text, copied, begin - copied);
    for (std::size_t k = 0; k < rewrite.size(); ++k) {
      if (rewrite[k] == '\\' && k + 1 < rewrite.size() && rewrite[k + 1] >= '0' &&
          rewrite[k + 1] <= '9') {
        const int g = rewrite[k + 1] - '0';
        if (g <= groups) out += view(m[static_cast<std::size_t>(g)]);
        ++k;
      } else {
        out += rewrite[k];
      }
    }
    copied = end;
    if (end == begin) {
      // An empty match: keep the next character and move past it.
      if (end >= text.size()) break;
      const std::size_t len = code_point_length(text, end);
      out.append(text, end, len);
      copied = end + len;
      pos = end + len;
    } else {
      pos = end;
    }
  }
  if (copied < text.size()) out.append(text, copied);
  return Value::string(std::move(out));
}

// --- extract, extract_all -------------------------------------------------------------------

std::optional<Type> extract_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_regex(a, 0, "extract", e) ||
      !check_arg(a, 1, kAIntegral, "extract", "an integer (capture group)", e) ||
      !check_arg(a, 2, kAText, "extract", "a string", e)) {
    return std::nullopt;
  }
  if (a.size() > 3) {
    if (!a[3].type_literal) return fail(e, "extract() expects typeof(T) as its fourth argument");
    return *a[3].type_literal;
  }
  return Type::kString;
}
Value extract_eval(const std::vector<Value>& a, const EvalContext&) {
  Type target = Type::kString;
  if (a.size() > 3) {
    if (auto t = parse_type_name(get_string(a[3]))) target = *t;
  }
  const auto re = cached_regex(get_string(a[0]));
  const auto group = get_long(a[1]);
  if (!re || !group || *group < 0 || *group > re->NumberOfCapturingGroups()) {
    return Value::null_of(target);
  }
  const std::string text = get_string(a[2]);
  const auto n = static_cast<std::size_t>(*group) + 1;
  std::vector<re2::StringPiece> m(n);
  if (!re->Match(piece(text), 0, text.size(), RE2::UNANCHORED, m.data(), static_cast<int>(n)) ||
      m[n - 1].data() == nullptr) {
    return Value::null_of(target);
  }
  return convert_value(Value::string(std::string(view(m[n - 1]))), target);
}

std::optional<Type> extract_all_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_regex(a, 0, "extract_all", e)) return std::nullopt;
  if (a.size() == 3 && !check_arg(a, 1, kADynamic, "extract_all", "a dynamic array", e)) {
    return std::nullopt;
  }
  if (!check_arg(a, a.size() - 1, kAText, "extract_all", "a string", e)) return std::nullopt;
  if (a[0].constant != nullptr) {
    auto re = cached_regex(value_to_string(*a[0].constant));
    if (re && re->NumberOfCapturingGroups() == 0) {
      return fail(e, "extract_all() needs a regular expression with at least one capture group");
    }
  }
  return Type::kDynamic;
}
// extract_all(regex, [groups,] text): one element per match; with one group a string, with
// several an array of the groups (or of the groups listed in `groups`, by number or name).
Value extract_all_eval(const std::vector<Value>& a, const EvalContext&) {
  const auto re = cached_regex(get_string(a[0]));
  if (!re || re->NumberOfCapturingGroups() == 0) return Value::null_of(Type::kDynamic);
  const int groups = re->NumberOfCapturingGroups();
  std::vector<int> wanted;
  if (a.size() == 3) {
    const Dyn list = get_dyn(a[1]);
    if (!dyn_is_array(list)) return Value::null_of(Type::kDynamic);
    for (const auto& item : list->items) {
      if (item && item->kind == DynKind::kLong && item->i >= 1 && item->i <= groups) {
        wanted.push_back(static_cast<int>(item->i));
      } else if (item && item->kind == DynKind::kString) {
        auto it = re->NamedCapturingGroups().find(item->s);
        if (it == re->NamedCapturingGroups().end()) return Value::null_of(Type::kDynamic);
        wanted.push_back(it->second);
      } else {
        return Value::null_of(Type::kDynamic);
      }
    }
  } else {
    for (int g = 1; g <= groups; ++g)
      wanted.push_back(g);
  }
  const std::string text = get_string(a.back());
  std::vector<re2::StringPiece> m(static_cast<std::size_t>(groups) + 1);
  std::vector<Dyn> matches;
  std::size_t pos = 0;
  while (pos <= text.size() &&
         re->Match(piece(text), pos, text.size(), RE2::UNANCHORED, m.data(), groups + 1)) {
    auto group_value = [&](int g) {
      return dyn_string(std::string(view(m[static_cast<std::size_t>(g)])));
    };
    if (wanted.size() == 1 && a.size() == 2) {
      matches.push_back(group_value(wanted[0]));
    } else {
      std::vector<Dyn> row;
      for (int g : wanted)
        row.push_back(group_value(g));
      matches.push_back(dyn_array(std::move(row)));
    }
    const auto end = static_cast<std::size_t>(m[0].data() - text.data()) + m[0].size();
    pos = m[0].empty() ? end + (end < text.size() ? code_point_length(text, end) : 1) : end;
  }
  if (matches.empty()) return Value::null_of(Type::kDynamic);
  return Value::dynamic(dyn_array(std::move(matches)));
}

// --- indexof, countof -----------------------------------------------------------------------

template <bool Regex>
std::optional<Type> indexof_type(const std::vector<ArgInfo>& a, std::string& e) {
  const std::string_view fn = Regex ? "indexof_regex" : "indexof";
  if (!check_arg(a, 0, kAText, fn, "a string", e)) return std::nullopt;
  if (Regex ? !check_regex(a, 1, fn, e) : !check_arg(a, 1, kAText, fn, "a string", e)) {
    return std::nullopt;
  }
  for (std::size_t i = 2; i < a.size(); ++i) {
    if (!check_arg(a, i, kAIntegral, fn, "an integer", e)) return std::nullopt;
  }
  return Type::kLong;
}
// indexof(s, match [, start [, length [, occurrence]]]) and indexof_regex (the same with a
// regex): a negative start counts from the end; length -1 is unlimited; length < -1 or
// occurrence < 1 give null; no match gives -1. Positions are code points.
template <bool Regex>
Value indexof_eval(const std::vector<Value>& a, const EvalContext&) {
  const std::string s = get_string(a[0]);
  const std::string match = get_string(a[1]);
  std::shared_ptr<const RE2> re;
  if (Regex) {
    re = cached_regex(match);
    if (!re) return Value::null_of(Type::kLong);
  }
  std::int64_t start = 0, length = -1, occurrence = 1;
  if (a.size() > 2) {
    auto v = get_long(a[2]);
    if (!v) return Value::null_of(Type::kLong);
    start = *v;
  }
  if (a.size() > 3) {
    auto v = get_long(a[3]);
    if (!v) return Value::null_of(Type::kLong);
    length = *v;
  }
  if (a.size() > 4) {
    auto v = get_long(a[4]);
    if (!v) return Value::null_of(Type::kLong);
    occurrence = *v;
  }
  if (length < -1 || occurrence < 1) return Value::null_of(Type::kLong);
  const auto offsets = code_point_offsets(s);
  const auto n = static_cast<std::int64_t>(offsets.size() - 1);
  if (start < 0) start = std::max<std::int64_t>(0, start + n);
  if (start > n) return Value::long_(-1);
  const std::int64_t end = (length == -1 || length >= n - start) ? n : start + length;
  const std::size_t base = offsets[static_cast<std::size_t>(start)];
  const std::string_view window(s.data() + base, offsets[static_cast<std::size_t>(end)] - base);
  std::size_t from = 0;
  for (std::int64_t k = 1;; ++k) {
    std::size_t at = std::string_view::npos;
    std::size_t match_size = match.size();
    if (Regex) {
      re2::StringPiece m;
      if (from <= window.size() &&
          re->Match(piece(window), from, window.size(), RE2::UNANCHORED, &m, 1)) {
        at = static_cast<std::size_t>(m.data() - window.data());
        match_size = m.size();
      }
    } else {
      at = window.find(match, from);
    }
    if (at == std::string_view::npos) return Value::long_(-1);
    if (k == occurrence) {
      const auto it = std::lower_bound(offsets.begin(), offsets.end(), base + at);
      return Value::long_(static_cast<std::int64_t>(it - offsets.begin()));
    }
    from = at + std::max<std::size_t>(1, match_size);
  }
}

std::optional<Type> countof_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kAText, "countof", "a string", e) ||
      !check_arg(a, 1, kAText, "countof", "a string", e) ||
      !check_arg(a, 2, kAString, "countof", "\"normal\" or \"regex\"", e)) {
    return std::nullopt;
  }
  if (a.size() > 2 && a[2].constant != nullptr) {
    const std::string kind = value_to_string(*a[2].constant);
    if (kind != "normal" && kind != "regex") {
      return fail(e, "countof() expects \"normal\" or \"regex\" as its third argument");
    }
    if (kind == "regex" && !check_regex(a, 1, "countof", e)) return std::nullopt;
  }
  return Type::kLong;
}
// countof(text, search [, kind]): "normal" counts overlapping occurrences, "regex"
// non-overlapping matches.
Value countof_eval(const std::vector<Value>& a, const EvalContext&) {
  const std::string text = get_string(a[0]);
  const std::string search = get_string(a[1]);
  const std::string kind = a.size() > 2 ? get_string(a[2]) : "normal";
  std::int64_t count = 0;
  if (kind == "regex") {
    const auto re = cached_regex(search);
    if (!re) return Value::null_of(Type::kLong);
    re2::StringPiece m;
    std::size_t pos = 0;
    while (pos <= text.size() && re->Match(piece(text), pos, text.size(), RE2::UNANCHORED, &m, 1)) {
      ++count;
      const auto end = static_cast<std::size_t>(m.data() - text.data()) + m.size();
      pos = m.empty() ? end + 1 : end;
    }
    return Value::long_(count);
  }
  if (kind != "normal") return Value::null_of(Type::kLong);
  if (search.empty()) return Value::long_(0);
  for (std::size_t at = text.find(search); at != std::string::npos;
       at = text.find(search, at + 1)) {
    ++count;
  }
  return Value::long_(count);
}

// --- format_bytes ---------------------------------------------------------------------------

std::optional<Type> format_bytes_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!check_arg(a, 0, kANumber, "format_bytes", "a number", e) ||
      !check_arg(a, 1, kAIntegral, "format_bytes", "an integer", e) ||
      !check_arg(a, 2, kAString, "format_bytes", "a string", e)) {
    return std::nullopt;
  }
  return Type::kString;
}
// format_bytes(size [, precision [, units]]): base 1024, units Bytes..EB; without units the
// largest unit in which the value is at least 1; fixed `precision` fraction digits.
Value format_bytes_eval(const std::vector<Value>& a, const EvalContext&) {
  const auto size = get_real(a[0]);
  if (!size || std::isnan(*size)) return Value::string("");
  std::int64_t precision = 0;
  if (a.size() > 1) precision = std::clamp<std::int64_t>(get_long(a[1]).value_or(0), 0, 15);
  static constexpr std::string_view kUnits[] = {"Bytes", "KB", "MB", "GB", "TB", "PB", "EB"};
  int unit = -1;
  if (a.size() > 2) {
    const std::string wanted = get_string(a[2]);
    for (int k = 0; k < 7; ++k) {
      if (kql_equals_ci(wanted, kUnits[k])) unit = k;
    }
    if (unit < 0 && (kql_equals_ci(wanted, "B") || kql_equals_ci(wanted, "Byte"))) unit = 0;
  }
  if (unit < 0) {
    unit = 0;
    double magnitude = std::fabs(*size);
    while (unit < 6 && magnitude >= 1024) {
      magnitude /= 1024;
      ++unit;
    }
  }
  const double scaled = *size / std::pow(1024.0, unit);
  char buf[400];
  std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(precision), scaled);
  return Value::string(std::string(buf) + " " + std::string(kUnits[unit]));
}

}  // namespace

void register_string(std::vector<ScalarFunction>& out) {
  out.push_back({"strcat", 1, 64, strcat_type, strcat_eval});
  out.push_back({"strcat_array", 2, 2, strcat_array_type, strcat_array_eval});
  out.push_back({"split", 2, 3, split_type, split_eval, Naming::kFirstArg});
  out.push_back({"substring", 2, 3, substring_type, substring_eval});
  out.push_back({"strlen", 1, 1, text_to_long, [](const std::vector<Value>& a, const EvalContext&) {
                   return Value::long_(code_point_count(get_string(a[0])));
                 }});
  out.push_back({"tolower", 1, 1, text_to_text<kToLower>, case_eval<false>});
  out.push_back({"toupper", 1, 1, text_to_text<kToUpper>, case_eval<true>});
  out.push_back({"reverse", 1, 1, text_to_text<kReverse>, reverse_eval});
  out.push_back({"strcmp", 2, 2, strcmp_type, strcmp_eval});
  out.push_back({"trim", 2, 2, trim_type, trim_eval<true, true>});
  out.push_back({"trim_start", 2, 2, trim_type, trim_eval<true, false>});
  out.push_back({"trim_end", 2, 2, trim_type, trim_eval<false, true>});
  out.push_back({"replace_string", 3, 3, replace_string_type, replace_string_eval});
  out.push_back({"replace_regex", 3, 3, replace_regex_type, replace_regex_eval});
  out.push_back({"replace", 3, 3, replace_regex_type, replace_regex_eval});
  out.push_back({"extract", 3, 4, extract_type, extract_eval});
  out.push_back({"extract_all", 2, 3, extract_all_type, extract_all_eval});
  out.push_back({"indexof", 2, 5, indexof_type<false>, indexof_eval<false>});
  out.push_back({"indexof_regex", 2, 5, indexof_type<true>, indexof_eval<true>});
  out.push_back({"countof", 2, 3, countof_type, countof_eval});
  out.push_back({"format_bytes", 1, 3, format_bytes_type, format_bytes_eval});
}

}  // namespace flowlens::query::fn
