#include "enrich/service_tags.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace flowlens::enrich {
namespace {

const std::string kDir = std::string(FLOWLENS_ENRICH_DATA) + "/service-tags/";

IpAddress ip(std::string_view text) {
  IpAddress out{};
  EXPECT_TRUE(parse_ip(text, out)) << text;
  return out;
}

// The error message of loading `file` from the fixture directory ("" when it loads).
// The tag of `address`, nullopt when in none.
std::optional<ServiceTag> tag_of(const ServiceTags& tags, std::string_view address) {
  const ServiceTag* tag = tags.lookup(ip(address));
  if (tag == nullptr) return std::nullopt;
  return *tag;
}

std::string load_error(const std::string& file) {
  try {
    ServiceTags::load(kDir + file);
  } catch (const EnrichError& e) {
    return e.what();
  }
  return "";
}

std::string parse_error(std::string_view json) {
  try {
    ServiceTags::parse(json, "inline.json");
  } catch (const EnrichError& e) {
    return e.what();
  }
  return "";
}

TEST(ServiceTags, LoadsTheSampleFile) {
  ServiceTags tags = ServiceTags::load(kDir + "ServiceTags_Public_sample.json");
  EXPECT_EQ(tags.tags(), 7u);
  EXPECT_EQ(tags.prefixes(), 10u);  // distinct prefixes over all tags

  struct Case {
    const char* address;
    ServiceTag expected;
  };
  for (const Case& c : {
           // Inside AzureCloud.westeurope's /19 only.
           Case{"20.38.97.1", {"AzureCloud.westeurope", "westeurope", ""}},
           // The /23 inside it, listed by Storage and Storage.WestEurope: the longer prefix
           // wins over AzureCloud, the regional tag over the global one.
           Case{"20.38.108.5", {"Storage.WestEurope", "westeurope", "AzureStorage"}},
           Case{"20.38.109.255", {"Storage.WestEurope", "westeurope", "AzureStorage"}},
           Case{"20.38.110.0", {"AzureCloud.westeurope", "westeurope", ""}},
           // Global Storage /16 with a regional /19 inside.
           Case{"20.60.1.1", {"Storage", "", "AzureStorage"}},
           Case{"20.60.40.1", {"Storage.WestEurope", "westeurope", "AzureStorage"}},
           // Same /18 in AzureCloud.westeurope (region, no service) and AzureMonitor (service,
           // no region): neither has both, so the longer name wins.
           Case{"20.50.1.2", {"AzureCloud.westeurope", "westeurope", ""}},
           // Same /32 in AzureMonitor and AzureMonitor.WestEurope: region and service win.
           Case{"13.84.49.247", {"AzureMonitor.WestEurope", "westeurope", "AzureMonitor"}},
           // Two global tags with the same /24: the longer name wins.
           Case{"13.107.246.10", {"AzureFrontDoor.Frontend", "", "AzureFrontDoor"}},
           // IPv6.
           Case{"2603:1020:205::1", {"Storage.WestEurope", "westeurope", "AzureStorage"}},
           Case{"2603:1020:201:ffff::1", {"AzureCloud.westeurope", "westeurope", ""}},
           Case{"2620:1ec:bdf::42", {"AzureFrontDoor.Frontend", "", "AzureFrontDoor"}},
       }) {
    EXPECT_EQ(tag_of(tags, c.address), c.expected) << c.address;
  }
  for (const char* outside : {"8.8.8.8", "20.38.128.0", "13.84.49.246", "2603:1020:204::1",
                              "::ffff:0:0", "2001:db8::1"}) {
    EXPECT_EQ(tag_of(tags, outside), std::nullopt) << outside;
  }
}

TEST(ServiceTags, TieBreakDoesNotDependOnFileOrder) {
  // The same prefix in four tags, given in every rotation of the order.
  const std::vector<std::string> entries = {
      R"({"name": "AzureB", "properties": {"region": "", "systemService": "B",
          "addressPrefixes": ["192.0.2.0/24"]}})",
      R"({"name": "AzureA", "properties": {"region": "", "systemService": "A",
          "addressPrefixes": ["192.0.2.0/24"]}})",
      R"({"name": "AzureCloud.eastus2", "properties": {"region": "eastus2", "systemService": "",
          "addressPrefixes": ["192.0.2.0/24"]}})",
      R"({"name": "Sql.EastUS", "properties": {"region": "eastus", "systemService": "AzureSQL",
          "addressPrefixes": ["192.0.2.0/24"]}})",
  };
  for (std::size_t rotation = 0; rotation < entries.size(); ++rotation) {
    std::string json = R"({"values": [)";
    for (std::size_t k = 0; k < entries.size(); ++k) {
      if (k > 0) json += ',';
      json += entries[(k + rotation) % entries.size()];
    }
    json += "]}";
    ServiceTags tags = ServiceTags::parse(json, "inline.json");
    EXPECT_EQ(tags.tags(), 4u);
    EXPECT_EQ(tags.prefixes(), 1u);
    EXPECT_EQ(tag_of(tags, "192.0.2.77"), (ServiceTag{"Sql.EastUS", "eastus", "AzureSQL"}))
        << rotation;
  }
  // Without the regional tag with a service: longer name, then alphabetical.
  for (std::size_t rotation = 0; rotation < 3; ++rotation) {
    std::string json = R"({"values": [)";
    for (std::size_t k = 0; k < 3; ++k) {
      if (k > 0) json += ',';
      json += entries[(k + rotation) % 3];
    }
    json += "]}";
    ServiceTags tags = ServiceTags::parse(json, "inline.json");
    EXPECT_EQ(tag_of(tags, "192.0.2.77"), (ServiceTag{"AzureCloud.eastus2", "eastus2", ""}))
        << rotation;
  }
  for (std::size_t rotation = 0; rotation < 2; ++rotation) {
    std::string json = R"({"values": [)";
    json += entries[rotation];
    json += ',';
    json += entries[1 - rotation];
    json += "]}";
    ServiceTags tags = ServiceTags::parse(json, "inline.json");
    EXPECT_EQ(tag_of(tags, "192.0.2.77"), (ServiceTag{"AzureA", "", "A"})) << rotation;
  }
}

TEST(ServiceTags, AcceptsMissingOptionalProperties) {
  ServiceTags tags = ServiceTags::parse(
      R"({"values": [{"name": "Minimal", "properties": {"addressPrefixes": ["198.51.100.0/24",
          "2001:db8::/32"]}}, {"name": "Empty", "properties": {"addressPrefixes": []}}]})",
      "inline.json");
  EXPECT_EQ(tags.tags(), 2u);
  EXPECT_EQ(tags.prefixes(), 2u);
  EXPECT_EQ(tag_of(tags, "2001:db8::5"), (ServiceTag{"Minimal", "", ""}));
  EXPECT_EQ(tag_of(tags, "198.51.100.9"), (ServiceTag{"Minimal", "", ""}));
}

TEST(ServiceTags, RejectsMalformedFiles) {
  std::string error = load_error("ServiceTags_bad_prefix.json");
  EXPECT_NE(error.find("ServiceTags_bad_prefix.json: values[1] (Sql.WestEurope): "
                       "addressPrefixes[1]: \"10.0.0.0/33\" is not an address prefix"),
            std::string::npos)
      << error;

  error = load_error("ServiceTags_no_values.json");
  EXPECT_NE(error.find("ServiceTags_no_values.json: missing \"values\" array"), std::string::npos)
      << error;

  error = load_error("ServiceTags_no_name.json");
  EXPECT_NE(error.find("ServiceTags_no_name.json: values[1]: missing \"name\""), std::string::npos)
      << error;

  error = load_error("ServiceTags_no_prefixes.json");
  EXPECT_NE(error.find("ServiceTags_no_prefixes.json: values[2] (EventHub): missing "
                       "\"addressPrefixes\" array"),
            std::string::npos)
      << error;

  error = load_error("ServiceTags_invalid.json");
  EXPECT_NE(error.find("ServiceTags_invalid.json: invalid JSON: "), std::string::npos) << error;

  error = load_error("ServiceTags_does_not_exist.json");
  EXPECT_NE(error.find("ServiceTags_does_not_exist.json: cannot open the file"), std::string::npos)
      << error;
}

TEST(ServiceTags, RejectsWrongShapes) {
  EXPECT_EQ(parse_error("[]"), "inline.json: not a service-tags file (expected a JSON object)");
  EXPECT_EQ(parse_error(R"({"values": {}})"), "inline.json: missing \"values\" array");
  EXPECT_EQ(parse_error(R"({"values": [42]})"), "inline.json: values[0]: not an object");
  EXPECT_EQ(parse_error(R"({"values": [{"name": "X"}]})"),
            "inline.json: values[0] (X): missing \"properties\" with \"addressPrefixes\"");
  EXPECT_EQ(parse_error(R"({"values": [{"name": 7, "properties": {"addressPrefixes": []}}]})"),
            "inline.json: values[0]: \"name\" is not a string");
  EXPECT_EQ(parse_error(R"({"values": [{"name": "X", "properties": {"addressPrefixes": [10]}}]})"),
            "inline.json: values[0] (X): addressPrefixes[0] is not a string");
  EXPECT_EQ(parse_error(R"({"values": [{"name": "X", "properties": {"addressPrefixes":
                          ["10.0.0.0/8", " 10.0.0.0/8"]}}]})"),
            "inline.json: values[0] (X): addressPrefixes[1]: \" 10.0.0.0/8\" is not an address "
            "prefix");
  EXPECT_EQ(parse_error(R"({"values": [{"name": "X", "properties": {"region": 1,
                          "addressPrefixes": []}}]})"),
            "inline.json: values[0] (X): \"region\" is not a string");
}

}  // namespace
}  // namespace flowlens::enrich
