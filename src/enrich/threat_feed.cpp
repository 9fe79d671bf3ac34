#include "enrich/threat_feed.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>

#include "common/timestamp.h"
#include "enrich/json_input.h"

namespace flowlens::enrich {
namespace {

using json_input::quote_value;

namespace dom = simdjson::dom;

// Longest line of a text feed. Real feeds have lines of a few hundred bytes; anything longer is
// not a feed (a binary file, a minified JSON document) and is rejected before it is parsed.
constexpr std::size_t kMaxLineBytes = 64 * 1024;

// Traffic Analytics' ThreatType vocabulary, in its canonical spelling.
constexpr std::array<std::string_view, 11> kThreatTypes = {
    "Botnet",  "C2",       "CryptoMining", "DarkNet", "DDoS",     "MaliciousUrl",
    "Malware", "Phishing", "Proxy",        "PUA",     "WatchList"};
constexpr std::string_view kWatchList = "WatchList";

// Column names that hold the address or prefix, in order of preference.
constexpr std::array<std::string_view, 4> kIpColumns = {"ip", "address", "indicator", "cidr"};

struct Listing {
  Cidr block;
  ThreatInfo info;
};

struct ParsedFeed {
  std::vector<Listing> listings;
  std::size_t skipped = 0;
};

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

std::string base_name(const std::string& path) {
  std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The canonical spelling of a ThreatType, matched case-insensitively (so the older "DDos"
// is accepted too); empty means WatchList. nullopt for anything outside the vocabulary.
std::optional<std::string_view> canonical_type(std::string_view text) {
  text = trim(text);
  if (text.empty()) return kWatchList;
  for (std::string_view type : kThreatTypes) {
    if (iequals(text, type)) return type;
  }
  return std::nullopt;
}

// STIX 2.1 indicator-type-ov to ThreatType; what has no counterpart needs interpretation.
std::string_view stix_indicator_type(std::string_view text) {
  if (iequals(text, "malicious-activity")) return "Malware";
  if (iequals(text, "compromised")) return "Botnet";
  if (iequals(text, "anonymization")) return "Proxy";
  return kWatchList;  // attribution, unknown, benign, anomalous-activity, ...
}

// A port: empty is 0 (unknown); otherwise decimal 0-65535.
bool parse_port(std::string_view text, int& port) {
  text = trim(text);
  port = 0;
  if (text.empty()) return true;
  if (text.size() > 5) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  return ec == std::errc() && end == text.data() + text.size() && port >= 0 && port <= 65535;
}

// ---- Text feeds (plain lists and CSV) ----

class TextFeed {
 public:
  TextFeed(std::string_view text, const std::string& file, const std::string& feed)
      : text_(text), file_(file), feed_(feed) {}

  // Rejects what no text feed holds (NUL bytes, lines over kMaxLineBytes) before parsing, so
  // that the parsers below need not bound anything.
  void check() const {
    std::size_t line = 1, line_start = 0;
    for (std::size_t i = 0; i <= text_.size(); ++i) {
      if (i == text_.size() || text_[i] == '\n') {
        if (i - line_start > kMaxLineBytes) {
          fail(line, fmt::format("line longer than {} bytes", kMaxLineBytes));
        }
        ++line;
        line_start = i + 1;
      } else if (text_[i] == '\0') {
        fail(line, "NUL byte: not a text file");
      }
    }
  }

  ParsedFeed parse() {
    // The first line that is neither blank nor a comment decides: a CSV header or an entry.
    std::size_t pos = 0, line = 1;
    while (pos < text_.size()) {
      std::string_view content = trim(current_line(pos));
      if (!content.empty() && content.front() != '#') break;
      next_line(pos, line);
    }
    if (pos < text_.size() && current_line(pos).find(',') != std::string_view::npos) {
      std::size_t header_line = line;
      std::vector<std::string> header;
      read_record(pos, line, header);
      std::vector<std::string> names;
      for (const std::string& name : header) {
        std::string lowered(trim(name));
        std::transform(lowered.begin(), lowered.end(), lowered.begin(), lower);
        names.push_back(std::move(lowered));
      }
      for (std::string_view ip_name : kIpColumns) {
        auto it = std::find(names.begin(), names.end(), ip_name);
        if (it != names.end()) {
          parse_csv(names, static_cast<std::size_t>(it - names.begin()), pos, line);
          return std::move(out_);
        }
      }
      fail(header_line, "a CSV header needs an ip column (ip, address, indicator or cidr)");
    }
    parse_plain(pos, line);
    return std::move(out_);
  }

 private:
  [[noreturn]] void fail(std::size_t line, std::string_view what) const {
    throw EnrichError(fmt::format("{}:{}: {}", file_, line, what));
  }

  // The line starting at `pos`, without its terminator.
  std::string_view current_line(std::size_t pos) const {
    std::size_t end = text_.find('\n', pos);
    return text_.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
  }
  void next_line(std::size_t& pos, std::size_t& line) const {
    std::size_t end = text_.find('\n', pos);
    pos = end == std::string_view::npos ? text_.size() : end + 1;
    ++line;
  }

  Cidr parse_block(std::string_view text, std::size_t line) const {
    Cidr block;
    if (!parse_cidr(text, block)) {
      fail(line, fmt::format("{} is not an address or prefix", quote_value(text)));
    }
    return block;
  }

  // One address or CIDR per line; `#` starts a comment anywhere on a line.
  void parse_plain(std::size_t pos, std::size_t line) {
    for (; pos < text_.size(); next_line(pos, line)) {
      std::string_view content = current_line(pos);
      content = trim(content.substr(0, content.find('#')));
      if (content.empty()) continue;
      ThreatInfo info;
      info.type = kWatchList;
      info.feed = feed_;
      out_.listings.push_back(Listing{parse_block(content, line), std::move(info)});
    }
  }

  void parse_csv(const std::vector<std::string>& names, std::size_t ip_column, std::size_t pos,
                 std::size_t line) {
    auto column = [&](std::string_view name) -> std::optional<std::size_t> {
      auto it = std::find(names.begin(), names.end(), name);
      if (it == names.end()) return std::nullopt;
      return static_cast<std::size_t>(it - names.begin());
    };
    const std::optional<std::size_t> type_column = column("type");
    const std::optional<std::size_t> description_column = column("description");
    const std::optional<std::size_t> domain_column = column("domain");
    const std::optional<std::size_t> url_column = column("url");
    const std::optional<std::size_t> port_column = column("port");
    std::vector<std::string> fields;
    while (pos < text_.size()) {
      // Blank and comment lines are skipped between records (never inside a quoted field).
      std::string_view content = trim(current_line(pos));
      if (content.empty() || content.front() == '#') {
        next_line(pos, line);
        continue;
      }
      std::size_t record_line = line;
      read_record(pos, line, fields);
      if (fields.size() != names.size()) {
        fail(record_line, fmt::format("{} fields, the header has {}", fields.size(), names.size()));
      }
      Cidr block = parse_block(trim(fields[ip_column]), record_line);
      ThreatInfo info;
      info.feed = feed_;
      std::string_view type_text = type_column ? std::string_view(fields[*type_column]) : "";
      std::optional<std::string_view> type = canonical_type(type_text);
      if (!type) {
        fail(record_line, fmt::format("unknown threat type {} (expected one of Botnet, C2, "
                                      "CryptoMining, DarkNet, DDoS, MaliciousUrl, Malware, "
                                      "Phishing, Proxy, PUA, WatchList)",
                                      quote_value(type_text)));
      }
      info.type = *type;
      if (description_column) info.description = fields[*description_column];
      if (domain_column) info.domain = fields[*domain_column];
      if (url_column) info.url = fields[*url_column];
      if (port_column && !parse_port(fields[*port_column], info.port)) {
        fail(record_line, fmt::format("port {} is not a number from 0 to 65535",
                                      quote_value(fields[*port_column])));
      }
      out_.listings.push_back(Listing{block, std::move(info)});
    }
  }

  // Reads the RFC 4180 record at `pos` into `fields` and moves past its terminator (LF or
  // CR LF), counting the lines it spans. Unquoted fields are trimmed; quoted ones are kept
  // verbatim (a CR LF inside becomes LF). A quote inside an unquoted field is taken literally.
  void read_record(std::size_t& pos, std::size_t& line, std::vector<std::string>& fields) const {
    const std::size_t start_line = line;
    const std::size_t n = text_.size();
    fields.clear();
    while (true) {
      std::string field;
      while (pos < n && (text_[pos] == ' ' || text_[pos] == '\t'))
        ++pos;
      if (pos < n && text_[pos] == '"') {
        ++pos;
        while (true) {
          if (pos >= n) fail(start_line, "unterminated quoted field");
          char c = text_[pos++];
          if (c == '"') {
            if (pos < n && text_[pos] == '"') {
              field += '"';
              ++pos;
              continue;
            }
            break;
          }
          if (c == '\r' && pos < n && text_[pos] == '\n') continue;
          if (c == '\n') ++line;
          field += c;
        }
        while (pos < n && (text_[pos] == ' ' || text_[pos] == '\t'))
          ++pos;
        if (pos < n && text_[pos] == '\r' && pos + 1 < n && text_[pos + 1] == '\n') ++pos;
        if (pos < n && text_[pos] != ',' && text_[pos] != '\n') {
          fail(line, "unexpected character after a quoted field");
        }
      } else {
        std::size_t end = pos;
        while (end < n && text_[end] != ',' && text_[end] != '\n')
          ++end;
        field = trim(text_.substr(pos, end - pos));
        pos = end;
      }
      fields.push_back(std::move(field));
      if (pos >= n) return;
      if (text_[pos++] == '\n') {
        ++line;
        return;
      }
      // A comma: another field follows, possibly empty at the end of the line.
    }
  }

  std::string_view text_;
  const std::string& file_;
  const std::string& feed_;
  ParsedFeed out_;
};

// ---- STIX 2.1 bundles ----

struct PatternToken {
  enum Kind { kOpenBracket, kCloseBracket, kOpenParen, kCloseParen, kWord, kString, kOther };
  Kind kind;
  std::string text;  // words, operators and unescaped string literals
};

// Splits a STIX pattern into tokens. Object paths with list indexes (`x:refs[*].value`) are one
// word. Returns false (with `error`) only for an unterminated string literal; whatever else is
// unusual becomes kOther and is judged by the caller.
bool tokenize_pattern(std::string_view p, std::vector<PatternToken>& tokens, std::string& error) {
  auto word_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == ':' || c == '.' || c == '*' || c == '+';
  };
  std::size_t i = 0;
  while (i < p.size()) {
    char c = p[i];
    if (is_space(c)) {
      ++i;
    } else if (c == '[' || c == ']' || c == '(' || c == ')') {
      auto kind = c == '['   ? PatternToken::kOpenBracket
                  : c == ']' ? PatternToken::kCloseBracket
                  : c == '(' ? PatternToken::kOpenParen
                             : PatternToken::kCloseParen;
      tokens.push_back({kind, std::string(1, c)});
      ++i;
    } else if (c == '\'') {
      std::string value;
      ++i;
      while (true) {
        if (i >= p.size()) {
          error = "unterminated string literal";
          return false;
        }
        char d = p[i++];
        if (d == '\'') break;
        if (d == '\\' && i < p.size()) d = p[i++];
        value += d;
      }
      tokens.push_back({PatternToken::kString, std::move(value)});
    } else if (word_char(c)) {
      std::size_t start = i;
      while (i < p.size()) {
        if (word_char(p[i])) {
          ++i;
        } else if (p[i] == '[' && i > start) {
          // A list index inside an object path: [*] or [digits].
          std::size_t close = p.find(']', i);
          if (close == std::string_view::npos) break;
          std::string_view index = p.substr(i + 1, close - i - 1);
          if (index != "*" &&
              (index.empty() || index.find_first_not_of("0123456789") != std::string_view::npos)) {
            break;
          }
          i = close + 1;
        } else {
          break;
        }
      }
      tokens.push_back({PatternToken::kWord, std::string(p.substr(start, i - start))});
    } else {
      std::size_t start = i++;
      if (i < p.size() && p[i] == '=' && (c == '!' || c == '<' || c == '>')) ++i;
      tokens.push_back({PatternToken::kOther, std::string(p.substr(start, i - start))});
    }
  }
  return true;
}

// An address comparison of a pattern: the family its object path names and the value.
struct AddressComparison {
  bool v6;
  std::string value;
};

// The address comparisons of a pattern made only of them, all joined by OR:
//   [ipv4-addr:value = '1.2.3.4' OR ipv6-addr:value = '2001:db8::/32'] OR [...]
// (`ISSUBSET` is accepted like `=`; parentheses are ignored as they do not matter when every
// join is OR). nullopt for any other pattern: other objects, AND, negation, qualifiers; such an
// indicator does not say that an address is malicious on its own.
std::optional<std::vector<AddressComparison>> address_comparisons(
    const std::vector<PatternToken>& all) {
  std::vector<const PatternToken*> tokens;
  for (const PatternToken& token : all) {
    if (token.kind != PatternToken::kOpenParen && token.kind != PatternToken::kCloseParen) {
      tokens.push_back(&token);
    }
  }
  std::vector<AddressComparison> out;
  std::size_t i = 0;
  auto is_or = [&](std::size_t k) {
    return k < tokens.size() && tokens[k]->kind == PatternToken::kWord && tokens[k]->text == "OR";
  };
  while (true) {
    if (i >= tokens.size() || tokens[i]->kind != PatternToken::kOpenBracket) return std::nullopt;
    ++i;
    while (true) {
      if (i + 2 >= tokens.size()) return std::nullopt;
      const PatternToken& path = *tokens[i];
      const PatternToken& op = *tokens[i + 1];
      const PatternToken& value = *tokens[i + 2];
      if (path.kind != PatternToken::kWord || value.kind != PatternToken::kString) {
        return std::nullopt;
      }
      bool v4 = path.text == "ipv4-addr:value", v6 = path.text == "ipv6-addr:value";
      bool equals = (op.kind == PatternToken::kOther && op.text == "=") ||
                    (op.kind == PatternToken::kWord && op.text == "ISSUBSET");
      if (!(v4 || v6) || !equals) return std::nullopt;
      out.push_back({v6, value.text});
      i += 3;
      if (!is_or(i)) break;
      ++i;
    }
    if (i >= tokens.size() || tokens[i]->kind != PatternToken::kCloseBracket) return std::nullopt;
    ++i;
    if (i == tokens.size()) return out;
    if (!is_or(i)) return std::nullopt;
    ++i;
  }
}

// A string member: nullopt when absent or null; an error when of another type.
std::optional<std::string_view> string_member(dom::object object, std::string_view key,
                                              const std::string& where) {
  dom::element value;
  if (object[key].get(value) != simdjson::SUCCESS || value.is_null()) return std::nullopt;
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    throw EnrichError(fmt::format("{}: \"{}\" is not a string", where, key));
  }
  return text;
}

ParsedFeed parse_stix(std::string_view json, const std::string& file, const std::string& feed) {
  dom::parser parser;
  dom::element root;
  if (auto error = parser.parse(json.data(), json.size()).get(root)) {
    throw EnrichError(fmt::format("{}: invalid JSON: {}", file, simdjson::error_message(error)));
  }
  dom::object bundle;
  std::string_view type;
  if (root.get_object().get(bundle) != simdjson::SUCCESS ||
      bundle["type"].get_string().get(type) != simdjson::SUCCESS || type != "bundle") {
    throw EnrichError(
        fmt::format("{}: not a STIX 2.1 bundle (expected {{\"type\": \"bundle\", ...}})", file));
  }
  ParsedFeed out;
  dom::element objects_element;
  if (bundle["objects"].get(objects_element) != simdjson::SUCCESS) return out;  // empty bundle
  dom::array objects;
  if (objects_element.get_array().get(objects) != simdjson::SUCCESS) {
    throw EnrichError(fmt::format("{}: \"objects\" is not an array", file));
  }

  std::size_t i = 0;
  std::vector<PatternToken> tokens;
  for (dom::element element : objects) {
    std::string where = fmt::format("{}: objects[{}]", file, i++);
    dom::object object;
    if (element.get_object().get(object) != simdjson::SUCCESS) {
      throw EnrichError(fmt::format("{}: not an object", where));
    }
    std::optional<std::string_view> object_type = string_member(object, "type", where);
    if (!object_type) throw EnrichError(fmt::format("{}: missing \"type\"", where));
    if (*object_type != "indicator") continue;  // identities, relationships, malware, ...

    std::optional<std::string_view> pattern = string_member(object, "pattern", where);
    if (!pattern) throw EnrichError(fmt::format("{}: indicator without a \"pattern\"", where));
    std::optional<std::string_view> pattern_type = string_member(object, "pattern_type", where);
    if (pattern_type && *pattern_type != "stix") {  // snort, yara, sigma, ...
      ++out.skipped;
      continue;
    }
    // STIX requires valid_until > valid_from when both are present; ThreatInfo has no place for
    // them, so they are only checked here (a malformed one suggests a broken feed).
    std::optional<Ticks> valid[2];
    const char* const valid_keys[2] = {"valid_from", "valid_until"};
    for (int k = 0; k < 2; ++k) {
      if (std::optional<std::string_view> text = string_member(object, valid_keys[k], where)) {
        valid[k] = parse_iso8601(*text);
        if (!valid[k]) {
          throw EnrichError(fmt::format("{}: \"{}\" {} is not an ISO-8601 time", where,
                                        valid_keys[k], quote_value(*text)));
        }
      }
    }
    if (valid[0] && valid[1] && *valid[1] <= *valid[0]) {
      throw EnrichError(fmt::format("{}: \"valid_until\" is not after \"valid_from\"", where));
    }

    tokens.clear();
    std::string error;
    if (!tokenize_pattern(*pattern, tokens, error)) {
      throw EnrichError(fmt::format("{}: pattern {}: {}", where, quote_value(*pattern), error));
    }
    std::optional<std::vector<AddressComparison>> comparisons = address_comparisons(tokens);
    if (!comparisons) {
      ++out.skipped;
      continue;
    }

    ThreatInfo info;
    info.type = kWatchList;
    dom::array types;
    if (object["indicator_types"].get_array().get(types) == simdjson::SUCCESS &&
        types.begin() != types.end()) {
      std::string_view first;
      if ((*types.begin()).get_string().get(first) != simdjson::SUCCESS) {
        throw EnrichError(fmt::format("{}: indicator_types[0] is not a string", where));
      }
      info.type = stix_indicator_type(first);
    }
    std::optional<std::string_view> description = string_member(object, "description", where);
    if (!description || description->empty()) description = string_member(object, "name", where);
    if (description) info.description = *description;
    info.feed = feed;

    for (const AddressComparison& comparison : *comparisons) {
      Cidr block;
      bool has_colon = comparison.value.find(':') != std::string::npos;
      if (!parse_cidr(comparison.value, block) || has_colon != comparison.v6) {
        throw EnrichError(fmt::format("{}: {} is not an {} address or prefix", where,
                                      quote_value(comparison.value),
                                      comparison.v6 ? "IPv6" : "IPv4"));
      }
      out.listings.push_back(Listing{block, info});
    }
  }
  return out;
}

ParsedFeed parse_feed(std::string_view text, const std::string& file, const std::string& feed) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (text.starts_with(kBom)) text.remove_prefix(kBom.size());
  std::size_t first = 0;
  while (first < text.size() && is_space(text[first]))
    ++first;
  if (first < text.size() && text[first] == '{') return parse_stix(text, file, feed);
  TextFeed parser(text, file, feed);
  parser.check();
  return parser.parse();
}

}  // namespace

ThreatFeedStats ThreatIntel::add_feed(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw EnrichError(fmt::format("{}: cannot open the file", path));
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw EnrichError(fmt::format("{}: cannot read the file", path));
  return add_feed_text(content.view(), path);
}

ThreatFeedStats ThreatIntel::add_feed_text(std::string_view text,
                                           const std::string& name_for_errors) {
  // The whole feed is parsed before anything is added, so that a malformed feed leaves the
  // intel as it was.
  ParsedFeed parsed = parse_feed(text, name_for_errors, base_name(name_for_errors));
  ThreatFeedStats stats;
  stats.indicators = parsed.listings.size();
  stats.skipped = parsed.skipped;
  for (Listing& listing : parsed.listings)
    add(listing.block, std::move(listing.info));
  return stats;
}

void ThreatIntel::add(const Cidr& block, ThreatInfo info) {
  // One listing per feed entry; an entry repeated verbatim (same feed, same details) adds
  // nothing, as it would only duplicate NTAIpDetails rows.
  std::vector<ThreatInfo>& listings = map_.exact(block);
  if (std::find(listings.begin(), listings.end(), info) == listings.end()) {
    listings.push_back(std::move(info));
  }
}

}  // namespace flowlens::enrich
