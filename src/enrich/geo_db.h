// Geo-IP country and autonomous-system lookups for public addresses.
//  - CountryDb: a MaxMind-format (MMDB) database read with libmaxminddb. Both record layouts
//    in use are understood: ip-location-db's {"country_code": "US"} and MaxMind GeoLite2's
//    {"country": {"iso_code": "US"}}.
//  - AsnDb: an MMDB in GeoLite2-ASN layout (autonomous_system_number / _organization), or
//    ip-location-db's CSV ranges `start,end,asn,"organisation"` (IPv4 and IPv6 files; the
//    `-num` variants with integer bounds too), loaded into a sorted range table.
// Lookups are const and safe from several threads at once.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"
#include "enrich/enrich_error.h"

struct MMDB_s;

namespace flowlens::enrich {

// An opened MMDB file; closed on destruction.
class MmdbFile {
 public:
  explicit MmdbFile(const std::string& path);  // throws EnrichError
  ~MmdbFile();
  MmdbFile(const MmdbFile&) = delete;
  MmdbFile& operator=(const MmdbFile&) = delete;

  // Key paths into a record, tried in order: {{"country_code"}, {"country", "iso_code"}}.
  using Paths = std::initializer_list<std::initializer_list<const char*>>;
  // The string (or unsigned number, as text) at the first of `paths` that the record for `ip`
  // has; "" when the address or the paths are absent.
  std::string lookup(const IpAddress& ip, Paths paths) const;
  std::uint32_t lookup_uint(const IpAddress& ip, Paths paths) const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::unique_ptr<MMDB_s> db_;
};

class CountryDb {
 public:
  explicit CountryDb(const std::string& path) : file_(path) {}
  // ISO 3166-1 alpha-2 code, upper case; "" when unknown.
  std::string country(const IpAddress& ip) const;

 private:
  MmdbFile file_;
};

struct AsnInfo {
  std::uint32_t number = 0;  // 0: unknown
  std::string organisation;
};

class AsnDb {
 public:
  // Adds a database: .mmdb files are opened with libmaxminddb, anything else is read as CSV.
  void add(const std::string& path);
  AsnInfo lookup(const IpAddress& ip) const;
  std::uint32_t lookup_number(const IpAddress& ip) const;  // without the organisation
  bool empty() const { return ranges_.empty() && ranges_v4_.empty() && mmdbs_.empty(); }
  std::size_t ranges() const { return ranges_.size() + ranges_v4_.size(); }

 private:
  struct Range {
    IpAddress first, last;
    std::uint32_t asn;
    std::uint32_t organisation;  // index into organisations_
  };
  void add_csv(const std::string& path);
  struct RangeV4 {  // IPv4 ranges apart: a 4-byte binary search is several times faster
    std::uint32_t first, last, asn, organisation;
  };
  std::vector<Range> ranges_;  // IPv6, sorted by first, not overlapping
  std::vector<RangeV4> ranges_v4_;
  // v4_block_[b]: the first IPv4 range starting at or after b << 16, for b in 0..65536, so a
  // lookup searches only the ranges of its /16 block (and the one before it).
  std::vector<std::uint32_t> v4_block_;
  std::size_t v4_range_of(std::uint32_t v) const;  // index + 1 of the covering range, 0: none
  std::vector<std::string> organisations_;
  std::vector<std::unique_ptr<MmdbFile>> mmdbs_;
};

}  // namespace flowlens::enrich
