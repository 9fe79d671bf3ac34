#include "enrich/geo_db.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <maxminddb.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>
#include <initializer_list>

namespace flowlens::enrich {
namespace {

// A sockaddr for libmaxminddb: IPv4 as sockaddr_in (so that IPv4-only databases answer it).
struct SockAddr {
  sockaddr_storage storage{};
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

SockAddr to_sockaddr(const IpAddress& ip) {
  SockAddr s;
  if (ip.is_v4()) {
    auto* in = reinterpret_cast<sockaddr_in*>(&s.storage);
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(ip.v4());
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&s.storage);
    in6->sin6_family = AF_INET6;
    std::memcpy(in6->sin6_addr.s6_addr, ip.bytes.data(), 16);
  }
  return s;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' '))
    s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  return s;
}

// Splits one CSV line (RFC 4180 quotes) into fields.
bool split_csv(std::string_view line, std::vector<std::string>& fields) {
  fields.clear();
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else {
      field += c;
    }
  }
  fields.push_back(std::move(field));
  return !quoted;
}

// An address written as text, or as a decimal integer (the `-num` files).
bool parse_bound(std::string_view text, bool v6_hint, IpAddress& out) {
  text = trim(text);
  if (parse_ip(text, out)) return true;
  __extension__ typedef unsigned __int128 U128;  // GCC/Clang; pedantic-clean
  U128 value = 0;
  if (text.empty() || text.size() > 39) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (!v6_hint && value <= 0xffffffffu) {
    out = IpAddress::from_v4(static_cast<std::uint32_t>(value));
    return true;
  }
  for (int i = 15; i >= 0; --i) {
    out.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value & 0xff);
    value >>= 8;
  }
  return true;
}

}  // namespace

MmdbFile::MmdbFile(const std::string& path) : path_(path), db_(std::make_unique<MMDB_s>()) {
  int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, db_.get());
  if (status != MMDB_SUCCESS) {
    std::string why = MMDB_strerror(status);
    if (status == MMDB_IO_ERROR) why += fmt::format(" ({})", std::strerror(errno));
    db_.reset();
    throw EnrichError(fmt::format("{}: cannot open as a MaxMind database: {}", path, why));
  }
}

MmdbFile::~MmdbFile() {
  if (db_) MMDB_close(db_.get());
}

namespace {

// The value at the first of `paths` that the record of `ip` has (each path a list of keys;
// no allocation: lookups run for every new address an ingest sees).
bool find_value(MMDB_s* db, const IpAddress& ip, MmdbFile::Paths paths, MMDB_entry_data_s& data) {
  SockAddr addr = to_sockaddr(ip);
  int error = 0;
  MMDB_lookup_result_s result = MMDB_lookup_sockaddr(db, addr.get(), &error);
  if (error != MMDB_SUCCESS || !result.found_entry) return false;
  for (std::initializer_list<const char*> path : paths) {
    const char* keys[8];
    std::size_t n = 0;
    for (const char* key : path) {
      if (n + 1 < std::size(keys)) keys[n++] = key;
    }
    keys[n] = nullptr;
    if (MMDB_aget_value(&result.entry, &data, keys) == MMDB_SUCCESS && data.has_data) return true;
  }
  return false;
}

}  // namespace

std::string MmdbFile::lookup(const IpAddress& ip, Paths paths) const {
  MMDB_entry_data_s data{};
  if (!find_value(db_.get(), ip, paths, data)) return "";
  switch (data.type) {
    case MMDB_DATA_TYPE_UTF8_STRING:
      return std::string(data.utf8_string, data.data_size);
    case MMDB_DATA_TYPE_UINT16:
      return std::to_string(data.uint16);
    case MMDB_DATA_TYPE_UINT32:
      return std::to_string(data.uint32);
    default:
      return "";
  }
}

std::uint32_t MmdbFile::lookup_uint(const IpAddress& ip, Paths paths) const {
  MMDB_entry_data_s data{};
  if (!find_value(db_.get(), ip, paths, data)) return 0;
  if (data.type == MMDB_DATA_TYPE_UINT32) return data.uint32;
  if (data.type == MMDB_DATA_TYPE_UINT16) return data.uint16;
  return 0;
}

std::string CountryDb::country(const IpAddress& ip) const {
  // ip-location-db's layout, then MaxMind's, on one walk of the tree.
  std::string code = file_.lookup(ip, {{"country_code"}, {"country", "iso_code"}});
  for (char& c : code)
    c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return code.size() == 2 ? code : "";
}

void AsnDb::add(const std::string& path) {
  if (path.size() >= 5 && path.compare(path.size() - 5, 5, ".mmdb") == 0) {
    mmdbs_.push_back(std::make_unique<MmdbFile>(path));
  } else {
    add_csv(path);
  }
}

void AsnDb::add_csv(const std::string& path) {
  // Read whole and parsed in place: about 500,000 lines, without a string per field.
  std::ifstream in(path, std::ios::binary);
  if (!in) throw EnrichError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  in.seekg(0, std::ios::end);
  std::string text(static_cast<std::size_t>(std::max<std::streamoff>(in.tellg(), 0)), '\0');
  in.seekg(0);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (!in) throw EnrichError(fmt::format("{}: cannot read", path));
  bool v6 = path.find("ipv6") != std::string::npos;
  std::vector<std::string> fields;
  std::size_t line_number = 0;
  std::vector<Range> added;
  std::string_view rest = text;
  while (!rest.empty()) {
    std::size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    ++line_number;
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    // start,end,asn[,organisation]: the first three never contain quotes or commas.
    std::size_t c1 = line.find(',');
    std::size_t c2 = c1 == std::string_view::npos ? c1 : line.find(',', c1 + 1);
    std::size_t c3 = c2 == std::string_view::npos ? c2 : line.find(',', c2 + 1);
    Range r{};
    std::uint32_t asn = 0;
    bool ok = c2 != std::string_view::npos;
    std::string_view organisation;
    std::string unquoted;
    if (ok) {
      std::string_view asn_text = trim(
          line.substr(c2 + 1, c3 == std::string_view::npos ? std::string_view::npos : c3 - c2 - 1));
      if (asn_text.size() > 2 && (asn_text[0] == 'A' || asn_text[0] == 'a')) {
        asn_text.remove_prefix(2);
      }
      auto [end, ec] = std::from_chars(asn_text.data(), asn_text.data() + asn_text.size(), asn);
      ok = parse_bound(line.substr(0, c1), v6, r.first) &&
           parse_bound(line.substr(c1 + 1, c2 - c1 - 1), v6, r.last) && ec == std::errc() &&
           end == asn_text.data() + asn_text.size() && !(r.last < r.first);
      if (ok && c3 != std::string_view::npos) {
        organisation = trim(line.substr(c3 + 1));
        if (!organisation.empty() && organisation.front() == '"') {
          ok = split_csv(organisation, fields) && fields.size() == 1;
          if (ok) {
            unquoted = std::move(fields[0]);
            organisation = unquoted;
          }
        }
      }
    }
    if (!ok) {
      IpAddress first{};
      if (line_number == 1 && !parse_bound(line.substr(0, c1), v6, first)) continue;  // header
      throw EnrichError(fmt::format("{}:{}: \"{}\" is not a range start,end,asn", path, line_number,
                                    line.substr(0, 120)));
    }
    r.asn = asn;
    // Consecutive ranges of one network share the organisation string.
    if (organisations_.empty() || organisation != organisations_.back()) {
      organisations_.emplace_back(organisation);
    }
    r.organisation = static_cast<std::uint32_t>(organisations_.size() - 1);
    added.push_back(r);
  }
  for (const Range& r : added) {
    if (r.first.is_v4() && r.last.is_v4()) {
      ranges_v4_.push_back(RangeV4{r.first.v4(), r.last.v4(), r.asn, r.organisation});
    } else {
      ranges_.push_back(r);
    }
  }
  std::sort(ranges_.begin(), ranges_.end(),
            [](const Range& a, const Range& b) { return a.first < b.first; });
  std::sort(ranges_v4_.begin(), ranges_v4_.end(),
            [](const RangeV4& a, const RangeV4& b) { return a.first < b.first; });
  v4_block_.assign(65537, 0);
  std::size_t r = 0;
  for (std::uint32_t b = 0; b <= 65536; ++b) {
    std::uint64_t start = std::uint64_t{b} << 16;
    while (r < ranges_v4_.size() && ranges_v4_[r].first < start)
      ++r;
    v4_block_[b] = static_cast<std::uint32_t>(r);
  }
}

std::size_t AsnDb::v4_range_of(std::uint32_t v) const {
  if (ranges_v4_.empty()) return 0;
  std::uint32_t block = v >> 16;
  // The covering range starts in v's /16 block, or is the last one starting before it.
  std::size_t lo = v4_block_[block] == 0 ? 0 : v4_block_[block] - 1;
  auto first = ranges_v4_.begin() + static_cast<std::ptrdiff_t>(lo);
  auto last = ranges_v4_.begin() + static_cast<std::ptrdiff_t>(v4_block_[block + 1]);
  auto it = std::upper_bound(first, last, v,
                             [](std::uint32_t a, const RangeV4& x) { return a < x.first; });
  if (it == first) return 0;  // no range starts at or before v
  --it;
  return v > it->last ? 0 : static_cast<std::size_t>(it - ranges_v4_.begin()) + 1;
}

std::uint32_t AsnDb::lookup_number(const IpAddress& ip) const {
  if (mmdbs_.empty() && ip.is_v4()) {
    std::size_t r = v4_range_of(ip.v4());
    return r == 0 ? 0 : ranges_v4_[r - 1].asn;
  }
  return lookup(ip).number;
}

AsnInfo AsnDb::lookup(const IpAddress& ip) const {
  for (const auto& db : mmdbs_) {
    std::uint32_t number = db->lookup_uint(ip, {{"autonomous_system_number"}});
    if (number != 0) {
      return AsnInfo{number, db->lookup(ip, {{"autonomous_system_organization"}})};
    }
  }
  // The last range starting at or before ip, if it reaches ip.
  if (ip.is_v4()) {
    std::size_t r = v4_range_of(ip.v4());
    if (r == 0) return {};
    return AsnInfo{ranges_v4_[r - 1].asn, organisations_[ranges_v4_[r - 1].organisation]};
  }
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), ip,
                             [](const IpAddress& a, const Range& r) { return a < r.first; });
  if (it == ranges_.begin()) return {};
  --it;
  if (ip > it->last) return {};
  return AsnInfo{it->asn, organisations_[it->organisation]};
}

}  // namespace flowlens::enrich
