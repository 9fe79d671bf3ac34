#include "enrich/service_tags.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include "enrich/json_input.h"

namespace flowlens::enrich {
namespace {

using json_input::quote_value;

namespace dom = simdjson::dom;

// The most specific of two tags listing the same prefix: one with a region and a
// systemService (Storage.WestEurope) over one without (AzureCloud.westeurope, Storage), then
// the longer name, then the alphabetically first, so that the winner does not depend on the
// order of the file.
bool more_specific(const ServiceTag& a, const ServiceTag& b) {
  bool a_full = !a.region.empty() && !a.service.empty();
  bool b_full = !b.region.empty() && !b.service.empty();
  if (a_full != b_full) return a_full;
  if (a.name.size() != b.name.size()) return a.name.size() > b.name.size();
  return a.name < b.name;
}

// An optional string member: "" when absent or null; an error when of another type.
std::string optional_string(dom::object object, std::string_view key, const std::string& where) {
  dom::element value;
  if (object[key].get(value) != simdjson::SUCCESS || value.is_null()) return {};
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    throw EnrichError(fmt::format("{}: \"{}\" is not a string", where, key));
  }
  return std::string(text);
}

}  // namespace

ServiceTags ServiceTags::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw EnrichError(fmt::format("{}: cannot open the file", path));
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw EnrichError(fmt::format("{}: cannot read the file", path));
  return parse(content.view(), path);
}

ServiceTags ServiceTags::parse(std::string_view json, const std::string& name_for_errors) {
  const std::string& file = name_for_errors;
  constexpr std::string_view kBom = "\xEF\xBB\xBF";  // some downloads are saved with one
  if (json.starts_with(kBom)) json.remove_prefix(kBom.size());
  dom::parser parser;
  dom::element root;
  if (auto error = parser.parse(json.data(), json.size()).get(root)) {
    throw EnrichError(fmt::format("{}: invalid JSON: {}", file, simdjson::error_message(error)));
  }
  dom::object top;
  if (root.get_object().get(top) != simdjson::SUCCESS) {
    throw EnrichError(fmt::format("{}: not a service-tags file (expected a JSON object)", file));
  }
  dom::array values;
  if (top["values"].get_array().get(values) != simdjson::SUCCESS) {
    throw EnrichError(fmt::format("{}: missing \"values\" array", file));
  }

  ServiceTags out;
  std::size_t i = 0;
  for (dom::element entry : values) {
    std::string where = fmt::format("{}: values[{}]", file, i++);
    dom::object tag_object;
    if (entry.get_object().get(tag_object) != simdjson::SUCCESS) {
      throw EnrichError(fmt::format("{}: not an object", where));
    }
    ServiceTag tag;
    tag.name = optional_string(tag_object, "name", where);
    if (tag.name.empty()) throw EnrichError(fmt::format("{}: missing \"name\"", where));
    where += fmt::format(" ({})", tag.name);

    dom::object properties;
    if (tag_object["properties"].get_object().get(properties) != simdjson::SUCCESS) {
      throw EnrichError(fmt::format("{}: missing \"properties\" with \"addressPrefixes\"", where));
    }
    tag.region = optional_string(properties, "region", where);
    tag.service = optional_string(properties, "systemService", where);
    dom::array prefixes;
    if (properties["addressPrefixes"].get_array().get(prefixes) != simdjson::SUCCESS) {
      throw EnrichError(fmt::format("{}: missing \"addressPrefixes\" array", where));
    }

    std::size_t j = 0;
    for (dom::element prefix : prefixes) {
      std::string_view text;
      Cidr block;
      if (prefix.get_string().get(text) != simdjson::SUCCESS) {
        throw EnrichError(fmt::format("{}: addressPrefixes[{}] is not a string", where, j));
      }
      if (!parse_cidr(text, block)) {
        throw EnrichError(fmt::format("{}: addressPrefixes[{}]: {} is not an address prefix", where,
                                      j, quote_value(text)));
      }
      ++j;
      // exact() creates an empty slot for a new prefix; names are never empty, so an empty
      // name means this tag is the first to list the prefix.
      ServiceTag& stored = out.map_.exact(block);
      if (stored.name.empty() || more_specific(tag, stored)) stored = tag;
    }
    ++out.tags_;
  }
  return out;
}

}  // namespace flowlens::enrich
