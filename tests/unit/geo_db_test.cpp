// Geo-IP and ASN lookups (enrich/geo_db.h) and the Enricher's public-address rules: ASN CSV
// ranges in every variant ip-location-db ships (text and integer bounds, quoted organisations,
// IPv6), errors that name file and line, and country lookups in the real country database that
// scripts/install-geoip.sh installs (skipped when it is absent).
#include "enrich/geo_db.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "enrich/enricher.h"

namespace flowlens::enrich {
namespace {

namespace fs = std::filesystem;

IpAddress ip(std::string_view text) {
  IpAddress a{};
  EXPECT_TRUE(parse_ip(text, a)) << text;
  return a;
}

class GeoDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("flowlens-geo-test-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  fs::path dir_;
};

TEST_F(GeoDbTest, AsnCsvRangesInEveryVariant) {
  AsnDb db;
  db.add(write("asn-ipv4.csv",
               "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n"
               "1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd\r\n"
               "8.8.8.0,8.8.8.255,15169,Google LLC\n"));
  db.add(write("asn-ipv4-num.csv", "167772160,167772415,64500,\"Example \"\"Quoted\"\" Org\"\n"));
  db.add(write("asn-ipv6.csv",
               "2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,15169,Google LLC\n"));
  EXPECT_EQ(db.ranges(), 5u);
  AsnInfo a = db.lookup(ip("1.0.0.1"));
  EXPECT_EQ(a.number, 13335u);
  EXPECT_EQ(a.organisation, "Cloudflare, Inc.");
  EXPECT_EQ(db.lookup(ip("1.0.7.255")).organisation, "Gtelecom Pty Ltd");
  EXPECT_EQ(db.lookup(ip("1.0.8.0")).number, 0u);        // between ranges
  EXPECT_EQ(db.lookup(ip("0.255.255.255")).number, 0u);  // before the first
  EXPECT_EQ(db.lookup(ip("10.0.0.9")).organisation, "Example \"Quoted\" Org");
  EXPECT_EQ(db.lookup(ip("2001:4860:4860::8888")).number, 15169u);
  EXPECT_EQ(db.lookup(ip("2001:4861::1")).number, 0u);
  EXPECT_EQ(db.lookup_number(ip("8.8.8.8")), 15169u);
  EXPECT_EQ(db.lookup_number(ip("8.8.9.8")), 0u);
}

// The indexed IPv4 search against a linear scan, on random non-overlapping ranges (gaps,
// ranges spanning many /16 blocks, single addresses) and random addresses.
TEST_F(GeoDbTest, AsnLookupAgreesWithLinearScan) {
  std::mt19937_64 rng(3);
  struct R {
    std::uint32_t first, last, asn;
  };
  std::vector<R> ranges;
  std::uint64_t at = rng() % 5000;
  while (at < 0xffffffffULL && ranges.size() < 3000) {
    std::uint64_t len = rng() % 4 == 0 ? 1 : (rng() % 3 == 0 ? rng() % (1u << 24) : rng() % 4096);
    std::uint64_t last = std::min<std::uint64_t>(at + len, 0xffffffffULL);
    ranges.push_back({static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(last),
                      static_cast<std::uint32_t>(ranges.size() + 1)});
    at = last + 1 + (rng() % 3 == 0 ? rng() % (1u << 22) : 0);
  }
  std::string csv;
  for (const R& r : ranges) {
    csv += format_ip(IpAddress::from_v4(r.first)) + "," + format_ip(IpAddress::from_v4(r.last)) +
           "," + std::to_string(r.asn) + ",org\n";
  }
  AsnDb db;
  db.add(write("asn-ipv4.csv", csv));
  ASSERT_EQ(db.ranges(), ranges.size());
  ASSERT_GT(ranges.size(), 1000u);
  std::size_t hits = 0;
  for (int i = 0; i < 200000; ++i) {
    std::uint32_t v;
    if (i % 2 == 0) {
      const R& r = ranges[rng() % ranges.size()];
      std::uint64_t pick = r.first + rng() % (std::uint64_t{r.last} - r.first + 1);
      v = static_cast<std::uint32_t>(i % 4 == 0 ? pick : pick + 1);  // inside, or just after
    } else {
      v = static_cast<std::uint32_t>(rng());
    }
    std::uint32_t want = 0;
    for (const R& r : ranges) {
      if (v >= r.first && v <= r.last) want = r.asn;
    }
    ASSERT_EQ(db.lookup_number(IpAddress::from_v4(v)), want) << format_ip(IpAddress::from_v4(v));
    ASSERT_EQ(db.lookup(IpAddress::from_v4(v)).number, want);
    hits += want != 0;
  }
  EXPECT_GT(hits, 50000u);  // both outcomes well represented
  EXPECT_LT(hits, 190000u);
}

TEST_F(GeoDbTest, AsnCsvErrorsNameFileAndLine) {
  AsnDb db;
  std::string path = write("bad.csv", "1.0.0.0,1.0.0.255,13335,A\n1.0.4.0,1.0.4,38803,B\n");
  try {
    db.add(path);
    FAIL() << "no error";
  } catch (const EnrichError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.csv:2:"), std::string::npos) << e.what();
  }
  // A header row is skipped; an end before the start is an error.
  db.add(write("header.csv", "start,end,asn,org\n2.0.0.0,2.0.0.255,1,X\n"));
  EXPECT_EQ(db.lookup(ip("2.0.0.7")).number, 1u);
  EXPECT_THROW(db.add(write("reversed.csv", "3.0.0.9,3.0.0.1,1,X\n")), EnrichError);
  EXPECT_THROW(db.add((dir_ / "missing.csv").string()), EnrichError);
}

TEST_F(GeoDbTest, NotAnMmdbIsAClearError) {
  std::string path = write("fake.mmdb", "not a database");
  try {
    CountryDb db(path);
    FAIL() << "no error";
  } catch (const EnrichError& e) {
    EXPECT_NE(std::string(e.what()).find("fake.mmdb"), std::string::npos) << e.what();
  }
}

fs::path installed_country_db() {
  return fs::path(FLOWLENS_SOURCE_DIR) /
         "third_party/ip-location-db/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/"
         "geo-whois-asn-country.mmdb";
}

TEST_F(GeoDbTest, CountriesFromTheInstalledDatabase) {
  if (!fs::exists(installed_country_db())) GTEST_SKIP() << "run scripts/install-geoip.sh";
  CountryDb db(installed_country_db().string());
  EXPECT_EQ(db.country(ip("8.8.8.8")), "US");
  EXPECT_EQ(db.country(ip("2001:4860:4860::8888")), "US");
  EXPECT_EQ(db.country(ip("10.1.2.3")), "");  // private: not in the database
  // (The free database has quirks, e.g. a country for part of 192.168/16: flowlens only ever
  // asks it about public addresses.)
}

// Public-address rules of the Enricher: the platform address, service tags before threat
// feeds, and an external address's details.
TEST_F(GeoDbTest, PublicAddressRules) {
  EnrichmentSources s;
  s.service_tags =
      write("tags.json", R"({"values": [{"name": "AzureCloud", "properties": {"addressPrefixes": )"
                         R"(["20.0.0.0/8"]}}, {"name": "Storage.WestEurope", "properties": )"
                         R"({"region": "westeurope", "systemService": "AzureStorage", )"
                         R"("addressPrefixes": ["20.60.0.0/16"]}}]})");
  s.threat_feeds = {write("feed.txt", "20.60.1.1\n198.51.100.0/24\n")};
  s.asn = {write("asn.csv", "198.51.100.0,198.51.100.255,64501,Test Net\n")};
  auto e = Enricher::load(s);
  PublicInfo platform = e->public_info(ip("168.63.129.16"));
  EXPECT_EQ(platform.kind, PublicInfo::Kind::kAzure);
  EXPECT_EQ(platform.azure_region, "Global");
  EXPECT_EQ(platform.details, "Microsoft Virtual Public IP");
  PublicInfo storage = e->public_info(ip("20.60.1.1"));  // tagged and listed: Azure wins
  EXPECT_EQ(storage.kind, PublicInfo::Kind::kAzure);
  EXPECT_EQ(storage.azure_region, "westeurope");
  EXPECT_EQ(storage.details, "AzureStorage");
  PublicInfo cloud = e->public_info(ip("20.1.2.3"));  // a global tag without region
  EXPECT_EQ(cloud.azure_region, "Global");
  EXPECT_EQ(cloud.details, "AzureCloud");
  PublicInfo bad = e->public_info(ip("198.51.100.7"));
  EXPECT_EQ(bad.kind, PublicInfo::Kind::kMalicious);
  ASSERT_NE(bad.threats, nullptr);
  EXPECT_EQ(bad.threats->front().type, "WatchList");
  EXPECT_EQ(bad.details, "AS64501 Test Net");
  EXPECT_EQ(bad.asn, 64501u);
  PublicInfo plain = e->public_info(ip("203.0.113.5"));
  EXPECT_EQ(plain.kind, PublicInfo::Kind::kExternal);
  EXPECT_EQ(plain.details, "");
  // The hot path without details agrees on everything it returns.
  PublicInfo fast = e->public_info(ip("198.51.100.7"), false);
  EXPECT_EQ(fast.kind, bad.kind);
  EXPECT_EQ(fast.asn, bad.asn);
  EXPECT_EQ(fast.details, "");
}

}  // namespace
}  // namespace flowlens::enrich
