#include "enrich/threat_feed.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace flowlens::enrich {
namespace {

const std::string kDir = std::string(FLOWLENS_ENRICH_DATA) + "/threats/";

IpAddress ip(std::string_view text) {
  IpAddress out{};
  EXPECT_TRUE(parse_ip(text, out)) << text;
  return out;
}

ThreatInfo info(std::string type, std::string description, std::string domain, std::string url,
                int port, std::string feed) {
  ThreatInfo out;
  out.type = std::move(type);
  out.description = std::move(description);
  out.domain = std::move(domain);
  out.url = std::move(url);
  out.port = port;
  out.feed = std::move(feed);
  return out;
}

ThreatInfo watch(std::string feed) {
  return info("WatchList", "", "", "", 0, std::move(feed));
}

// The listings of `address` (empty when not listed).
std::vector<ThreatInfo> listings(const ThreatIntel& intel, std::string_view address) {
  const std::vector<ThreatInfo>* found = intel.lookup(ip(address));
  return found ? *found : std::vector<ThreatInfo>{};
}

// The error message of loading a fixture ("" when it loads).
std::string load_error(const std::string& file) {
  ThreatIntel intel;
  try {
    intel.add_feed(kDir + file);
  } catch (const EnrichError& e) {
    return e.what();
  }
  return "";
}

std::string text_error(std::string_view text, const std::string& name = "feed.txt") {
  ThreatIntel intel;
  try {
    intel.add_feed_text(text, name);
  } catch (const EnrichError& e) {
    return e.what();
  }
  return "";
}

using Listings = std::vector<ThreatInfo>;

TEST(ThreatFeed, LoadsPlainList) {
  ThreatIntel intel;
  ThreatFeedStats stats = intel.add_feed(kDir + "blocklist.txt");
  EXPECT_EQ(stats.indicators, 6u);
  EXPECT_EQ(stats.skipped, 0u);
  EXPECT_EQ(intel.size(), 6u);
  const ThreatInfo w = watch("blocklist.txt");  // the feed is the file name, no directory
  EXPECT_EQ(listings(intel, "198.51.100.7"), Listings{w});
  EXPECT_EQ(listings(intel, "203.0.113.200"), Listings{w});  // comment after the CIDR
  EXPECT_EQ(listings(intel, "192.0.2.55"), Listings{w});     // surrounding blanks
  EXPECT_EQ(listings(intel, "2001:db8:bad:ffff::1"), Listings{w});
  EXPECT_EQ(listings(intel, "2001:db8:0:1::66"), Listings{w});
  EXPECT_EQ(listings(intel, "198.51.100.77"), Listings{w});
  EXPECT_TRUE(listings(intel, "10.0.0.1").empty());  // commented out
  EXPECT_TRUE(listings(intel, "198.51.100.8").empty());
  EXPECT_TRUE(listings(intel, "2001:db8:0:1::67").empty());
  EXPECT_TRUE(listings(intel, "::ffff:0:0").empty());
}

TEST(ThreatFeed, LoadsCsvWithQuotesAndAllColumns) {
  ThreatIntel intel;
  ThreatFeedStats stats = intel.add_feed(kDir + "indicators.csv");
  EXPECT_EQ(stats.indicators, 7u);
  EXPECT_EQ(stats.skipped, 0u);
  const std::string f = "indicators.csv";
  EXPECT_EQ(listings(intel, "198.51.100.7"),
            Listings{info("Botnet", "Mirai variant, telnet scanner", "", "", 23, f)});
  EXPECT_EQ(listings(intel, "203.0.113.9"),
            Listings{info("C2", "Cobalt Strike \"beacon\" server", "evil.example",
                          "https://evil.example/gate.php", 443, f)});
  // Type case-insensitive, written canonically; a /28 around .7 does not hide the /32.
  EXPECT_EQ(listings(intel, "198.51.100.3"), Listings{info("DDoS", "DDoS source", "", "", 0, f)});
  EXPECT_EQ(listings(intel, "2001:db8:c2::1234"),
            Listings{info("MaliciousUrl", "", "phish.example",
                          "https://phish.example/login?a=1,b=2", 8080, f)});
  EXPECT_EQ(listings(intel, "192.0.2.10"),
            Listings{info("WatchList", "no type given", "", "", 0, f)});
  EXPECT_EQ(listings(intel, "192.0.2.11"), Listings{info("DDoS", "old spelling", "", "", 0, f)});
  EXPECT_EQ(listings(intel, "192.0.2.12"),
            Listings{info("PUA", "line one\nline two", "", "", 0, f)});
}

TEST(ThreatFeed, LoadsCsvWithCrLfAndBom) {
  ThreatIntel intel;
  EXPECT_EQ(intel.add_feed(kDir + "crlf.csv").indicators, 3u);
  const std::string f = "crlf.csv";
  EXPECT_EQ(listings(intel, "198.51.100.20"),
            Listings{info("Phishing", "crlf, quoted", "", "", 0, f)});
  EXPECT_EQ(listings(intel, "198.51.100.21"), Listings{info("Proxy", "plain", "", "", 0, f)});
  EXPECT_EQ(listings(intel, "2001:db8::21"), Listings{info("WatchList", "v6 entry", "", "", 0, f)});

  EXPECT_EQ(intel.add_feed(kDir + "bom_list.txt").indicators, 2u);
  EXPECT_EQ(listings(intel, "198.51.100.30"), Listings{watch("bom_list.txt")});
  EXPECT_EQ(listings(intel, "2001:db8::30"), Listings{watch("bom_list.txt")});
}

TEST(ThreatFeed, LoadsStixBundle) {
  ThreatIntel intel;
  ThreatFeedStats stats = intel.add_feed(kDir + "bundle.json");
  EXPECT_EQ(stats.indicators, 6u);
  EXPECT_EQ(stats.skipped, 2u);  // the domain-name and the AND-with-port indicators
  const std::string f = "bundle.json";
  // First indicator_types entry decides; description preferred over name.
  EXPECT_EQ(listings(intel, "198.51.100.40"),
            Listings{info("Botnet", "Known botnet C2 node", "", "", 0, f)});
  // OR-joined comparisons within and across observations, ISSUBSET like =.
  const Listings malware{info("Malware", "Malware distribution", "", "", 0, f)};
  EXPECT_EQ(listings(intel, "203.0.113.100"), malware);
  EXPECT_EQ(listings(intel, "2001:db8:dead:1::1"), malware);
  EXPECT_EQ(listings(intel, "198.51.100.200"), malware);
  EXPECT_TRUE(listings(intel, "198.51.100.127").empty());
  EXPECT_EQ(listings(intel, "2001:db8:7:7::7"), Listings{info("Proxy", "Exit node", "", "", 0, f)});
  // No indicator_types, pattern in parentheses.
  EXPECT_EQ(listings(intel, "192.0.2.200"),
            Listings{info("WatchList", "Unclassified address", "", "", 0, f)});
  // AND with a port: not an address on its own, skipped.
  EXPECT_TRUE(listings(intel, "192.0.2.201").empty());
}

TEST(ThreatFeed, AddressInSeveralFeedsKeepsEveryListing) {
  ThreatIntel intel;
  intel.add_feed(kDir + "blocklist.txt");
  intel.add_feed(kDir + "indicators.csv");
  EXPECT_EQ(listings(intel, "198.51.100.7"),
            (Listings{watch("blocklist.txt"), info("Botnet", "Mirai variant, telnet scanner", "",
                                                   "", 23, "indicators.csv")}));
  // The same feed loaded twice adds nothing new.
  intel.add_feed(kDir + "blocklist.txt");
  EXPECT_EQ(listings(intel, "198.51.100.7").size(), 2u);
  // Only the listings of the longest matching block are returned.
  EXPECT_EQ(listings(intel, "198.51.100.8"),
            Listings{info("DDoS", "DDoS source", "", "", 0, "indicators.csv")});
}

TEST(ThreatFeed, RejectsMalformedTextFeeds) {
  struct Case {
    const char* file;
    const char* error;
  };
  for (const Case& c : {
           Case{"bad_address.txt", "bad_address.txt:4: \"1.2.3\" is not an address or prefix"},
           Case{"unknown_type.csv",
                "unknown_type.csv:3: unknown threat type \"Ransomware\" (expected one of Botnet, "
                "C2, CryptoMining, DarkNet, DDoS, MaliciousUrl, Malware, Phishing, Proxy, PUA, "
                "WatchList)"},
           Case{"bad_port.csv", "bad_port.csv:4: port \"65536\" is not a number from 0 to 65535"},
           Case{"field_count.csv", "field_count.csv:3: 4 fields, the header has 3"},
           Case{"unterminated_quote.csv", "unterminated_quote.csv:3: unterminated quoted field"},
           Case{"no_ip_column.csv",
                "no_ip_column.csv:1: a CSV header needs an ip column (ip, address, indicator or "
                "cidr)"},
           Case{"garbage.bin", "NUL byte: not a text file"},
           Case{"missing.txt", "missing.txt: cannot open the file"},
       }) {
    std::string error = load_error(c.file);
    EXPECT_NE(error.find(c.error), std::string::npos) << c.file << ": " << error;
    EXPECT_NE(error.find(c.file), std::string::npos) << error;
  }
}

TEST(ThreatFeed, RejectsMalformedStix) {
  std::string error = load_error("not_bundle.json");
  EXPECT_NE(error.find("not_bundle.json: not a STIX 2.1 bundle"), std::string::npos) << error;
  error = load_error("invalid.json");
  EXPECT_NE(error.find("invalid.json: invalid JSON: "), std::string::npos) << error;
  error = load_error("bad_stix_address.json");
  EXPECT_NE(error.find("bad_stix_address.json: objects[3]: \"2001:db8::1\" is not an IPv4 "
                       "address or prefix"),
            std::string::npos)
      << error;
}

TEST(ThreatFeed, FailedFeedAddsNothing) {
  ThreatIntel intel;
  EXPECT_THROW(intel.add_feed(kDir + "bad_address.txt"), EnrichError);
  EXPECT_TRUE(intel.empty());
  EXPECT_TRUE(listings(intel, "198.51.100.1").empty());  // valid line 2 of the bad feed
}

TEST(ThreatFeed, DetectsFormatByContent) {
  ThreatIntel intel;
  // A comma-free first line makes a plain list even when named .csv.
  EXPECT_EQ(intel.add_feed_text("198.51.100.1\n", "/some/dir/list.csv").indicators, 1u);
  EXPECT_EQ(listings(intel, "198.51.100.1"), Listings{watch("list.csv")});
  // Other ip column names, any case, not first; unknown columns ignored; no type -> WatchList.
  for (const char* header : {"Address", "CIDR", "Indicator", "IP"}) {
    ThreatIntel csv;
    std::string text = "first_seen,";
    text += header;
    text += ",confidence\n2024-01-01,192.0.2.0/24,90\n";
    EXPECT_EQ(csv.add_feed_text(text, "x.csv").indicators, 1u) << header;
    EXPECT_EQ(listings(csv, "192.0.2.9"), Listings{watch("x.csv")}) << header;
  }
  // Leading blank space and comments before the header; empty trailing fields.
  ThreatIntel csv;
  csv.add_feed_text("\n  # comment\n\nip,type,port\n192.0.2.1,,\n", "y.csv");
  EXPECT_EQ(listings(csv, "192.0.2.1"), Listings{watch("y.csv")});
  // Leading white space before a STIX bundle.
  ThreatIntel stix;
  EXPECT_EQ(stix.add_feed_text("\r\n  {\"type\": \"bundle\"}", "empty.json").indicators, 0u);
}

TEST(ThreatFeed, AcceptsEveryThreatTypeSpelling) {
  const std::vector<std::string> canonical = {"Botnet", "C2",           "CryptoMining", "DarkNet",
                                              "DDoS",   "MaliciousUrl", "Malware",      "Phishing",
                                              "Proxy",  "PUA",          "WatchList"};
  for (const std::string& type : canonical) {
    for (bool upper : {false, true}) {
      std::string written = type;
      for (char& ch : written)
        ch = static_cast<char>(upper ? std::toupper(ch) : std::tolower(ch));
      ThreatIntel intel;
      intel.add_feed_text("ip,type\n192.0.2.1, " + written + " \n", "t.csv");
      ASSERT_EQ(listings(intel, "192.0.2.1").size(), 1u) << written;
      EXPECT_EQ(listings(intel, "192.0.2.1")[0].type, type) << written;
    }
  }
}

TEST(ThreatFeed, RejectsBadValuesInline) {
  EXPECT_EQ(text_error("ip,port\n192.0.2.1,-1\n", "p.csv"),
            "p.csv:2: port \"-1\" is not a number from 0 to 65535");
  EXPECT_EQ(text_error("ip,port\n192.0.2.1,80x\n", "p.csv"),
            "p.csv:2: port \"80x\" is not a number from 0 to 65535");
  EXPECT_EQ(text_error("ip,type\n192.0.2.1,\"Botnet\"x\n", "q.csv"),
            "q.csv:2: unexpected character after a quoted field");
  EXPECT_EQ(text_error("ip,type\n10.0.0.0/33,Botnet\n", "r.csv"),
            "r.csv:2: \"10.0.0.0/33\" is not an address or prefix");
  EXPECT_EQ(text_error("ip,type\n192.0.2.1\n", "s.csv"), "s.csv:2: 1 fields, the header has 2");
  // A CR LF file reports the same line numbers.
  EXPECT_EQ(text_error("ip,type\r\n192.0.2.1,C2\r\n192.0.2.2,C3\r\n", "crlf.csv"),
            "crlf.csv:3: unknown threat type \"C3\" (expected one of Botnet, C2, CryptoMining, "
            "DarkNet, DDoS, MaliciousUrl, Malware, Phishing, Proxy, PUA, WatchList)");
  // A quoted multi-line field: the error names the line where the record starts.
  EXPECT_EQ(text_error("ip,description\n192.0.2.1,\"a\nb\"\n192.0.2.2,\"c\nd\",x\n", "m.csv"),
            "m.csv:4: 3 fields, the header has 2");
  // Control bytes are escaped in messages.
  EXPECT_EQ(text_error("1.2.3.4\n\x1b[31mred\n"),
            "feed.txt:2: \"\\x1b[31mred\" is not an address or prefix");
}

TEST(ThreatFeed, RejectsOverlongLines) {
  std::string text = "192.0.2.1\n";
  text += std::string(64 * 1024, 'a');
  EXPECT_EQ(text_error(text), "feed.txt:2: \"" + std::string(80, 'a') +
                                  "...\" is not an address or prefix");  // exactly 64 KiB: parsed
  text += "a\n192.0.2.2\n";
  EXPECT_EQ(text_error(text), "feed.txt:2: line longer than 65536 bytes");
}

TEST(ThreatFeed, StixEdgeCases) {
  auto bundle = [](const std::string& object) {
    std::string out = R"({"type": "bundle", "id": "bundle--x", "objects": [)";
    out += object;
    out += "]}";
    return out;
  };
  ThreatIntel intel;
  // Non-STIX pattern languages and non-address comparisons are skipped and counted.
  ThreatFeedStats stats = intel.add_feed_text(
      bundle(R"({"type": "indicator", "pattern": "alert ip 192.0.2.1 any -> any any",
                 "pattern_type": "snort"},
                {"type": "indicator", "pattern": "[ipv4-addr:value != '192.0.2.2']"},
                {"type": "indicator", "pattern": "[ipv4-addr:value = '192.0.2.3'] FOLLOWEDBY [ipv4-addr:value = '192.0.2.4']"},
                {"type": "indicator", "pattern": "[ipv4-addr:value = '192.0.2.5'] WITHIN 60 SECONDS"},
                {"type": "indicator", "pattern": "[email-message:to_refs[*].value = 'a@example.com']"},
                {"type": "indicator", "pattern": "[ipv6-addr:value='2001:db8::9']",
                 "indicator_types": ["benign"], "name": "n", "description": ""})"),
      "s.json");
  EXPECT_EQ(stats.indicators, 1u);
  EXPECT_EQ(stats.skipped, 5u);
  EXPECT_EQ(listings(intel, "2001:db8::9"), Listings{info("WatchList", "n", "", "", 0, "s.json")});
  for (const char* address : {"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"}) {
    EXPECT_TRUE(listings(intel, address).empty()) << address;
  }
  // A bundle without objects is empty, not an error.
  EXPECT_EQ(intel.add_feed_text(R"({"type": "bundle", "id": "bundle--y"})", "e.json").indicators,
            0u);

  EXPECT_EQ(
      text_error(bundle(R"({"type": "indicator", "pattern": "[ipv4-addr:value = '1.2.3.4]"})"),
                 "u.json"),
      "u.json: objects[0]: pattern \"[ipv4-addr:value = '1.2.3.4]\": unterminated string "
      "literal");
  EXPECT_EQ(text_error(bundle(R"({"type": "identity"}, {"type": "indicator"})"), "p.json"),
            "p.json: objects[1]: indicator without a \"pattern\"");
  EXPECT_EQ(text_error(bundle(R"({"id": "x"})"), "t.json"), "t.json: objects[0]: missing \"type\"");
  EXPECT_EQ(text_error(bundle("7"), "o.json"), "o.json: objects[0]: not an object");
  EXPECT_EQ(
      text_error(bundle(R"({"type": "indicator", "pattern": "[ipv6-addr:value = '1.2.3.4']"})"),
                 "f.json"),
      "f.json: objects[0]: \"1.2.3.4\" is not an IPv6 address or prefix");
  EXPECT_EQ(text_error(bundle(R"({"type": "indicator", "pattern": "[ipv4-addr:value = '1.2.3.4']",
                                  "valid_from": "yesterday"})"),
                       "v.json"),
            "v.json: objects[0]: \"valid_from\" \"yesterday\" is not an ISO-8601 time");
  EXPECT_EQ(text_error(bundle(R"({"type": "indicator", "pattern": "[ipv4-addr:value = '1.2.3.4']",
                                  "valid_from": "2024-02-01T00:00:00Z",
                                  "valid_until": "2024-01-01T00:00:00Z"})"),
                       "w.json"),
            "w.json: objects[0]: \"valid_until\" is not after \"valid_from\"");
  EXPECT_EQ(text_error(R"({"type": "bundle", "objects": {}})", "a.json"),
            "a.json: \"objects\" is not an array");
  EXPECT_EQ(text_error(R"({"objects": []})", "n.json"),
            "n.json: not a STIX 2.1 bundle (expected {\"type\": \"bundle\", ...})");
}

}  // namespace
}  // namespace flowlens::enrich
