#include "enrich/topology_file.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <utility>
#include <variant>
#include <vector>

#include "common/json_text.h"
#include "enrich/json_input.h"

namespace flowlens::enrich {
namespace {

namespace dom = simdjson::dom;
using json_input::type_name;

// ---------------------------------------------------------------------------------------------
// Reading. Every accessor knows the JSON path of what it reads ("vnets[2].prefixes[0]") so that
// an error names the file and the exact place.

class Reader {
 public:
  explicit Reader(const std::string& file) : file_(file) {}

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw EnrichError(fmt::format("{}: {}: {}", file_, path, what));
  }

  const std::string& file() const { return file_; }

 private:
  const std::string& file_;
};

// One JSON object being read, with its path. null counts as absent, so that optional keys may
// be written as null.
class ObjectReader {
 public:
  ObjectReader(const Reader& reader, dom::element element, std::string path)
      : reader_(reader), path_(std::move(path)) {
    if (element.get_object().get(object_) != simdjson::SUCCESS) {
      reader_.fail(path_, fmt::format("expected an object, found {}", type_name(element.type())));
    }
  }

  const std::string& path() const { return path_; }
  // "vnets[2].prefixes"; keys of the top-level object (whose path is "") stand alone.
  std::string child_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
  }

  std::optional<dom::element> find(std::string_view key) const {
    dom::element value;
    if (object_.at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) {
      return std::nullopt;
    }
    return value;
  }
  dom::element require(std::string_view key) const {
    auto value = find(key);
    if (!value) reader_.fail(path_, fmt::format("missing \"{}\"", key));
    return *value;
  }

  std::string string(std::string_view key, bool required = false) const {
    auto value = required ? std::optional(require(key)) : find(key);
    if (!value) return {};
    return as_string(*value, child_path(key));
  }
  bool boolean(std::string_view key) const {
    auto value = find(key);
    if (!value) return false;
    bool out = false;
    if (value->get_bool().get(out) != simdjson::SUCCESS) {
      reader_.fail(child_path(key),
                   fmt::format("expected true or false, found {}", type_name(value->type())));
    }
    return out;
  }
  // The elements of an array-valued key with their paths; empty when absent and optional.
  std::vector<std::pair<dom::element, std::string>> array(std::string_view key,
                                                          bool required = false) const {
    auto value = required ? std::optional(require(key)) : find(key);
    std::vector<std::pair<dom::element, std::string>> out;
    if (!value) return out;
    std::string path = child_path(key);
    dom::array items;
    if (value->get_array().get(items) != simdjson::SUCCESS) {
      reader_.fail(path, fmt::format("expected an array, found {}", type_name(value->type())));
    }
    std::size_t i = 0;
    for (dom::element item : items)
      out.emplace_back(item, fmt::format("{}[{}]", path, i++));
    return out;
  }

  std::vector<Cidr> prefixes(std::string_view key, bool required = false) const {
    std::vector<Cidr> out;
    for (auto& [item, path] : array(key, required)) {
      std::string text = as_string(item, path);
      Cidr cidr;
      if (!parse_cidr(text, cidr)) {
        reader_.fail(path, fmt::format("\"{}\" is not an address prefix", text));
      }
      out.push_back(cidr);
    }
    return out;
  }
  std::vector<IpAddress> addresses(std::string_view key, bool required = false) const {
    std::vector<IpAddress> out;
    for (auto& [item, path] : array(key, required)) {
      std::string text = as_string(item, path);
      IpAddress ip;
      if (!parse_ip(text, ip)) reader_.fail(path, fmt::format("\"{}\" is not an IP address", text));
      out.push_back(ip);
    }
    return out;
  }

  std::string as_string(dom::element value, const std::string& path) const {
    std::string_view s;
    if (value.get_string().get(s) != simdjson::SUCCESS) {
      reader_.fail(path, fmt::format("expected a string, found {}", type_name(value.type())));
    }
    return std::string(s);
  }

  const Reader& reader() const { return reader_; }

 private:
  const Reader& reader_;
  std::string path_;
  dom::object object_;
};

// A string that must be one of `allowed` (compared case-insensitively; the canonical spelling
// is kept), or empty.
std::string one_of(const ObjectReader& o, std::string_view key,
                   std::initializer_list<std::string_view> allowed) {
  std::string value = o.string(key);
  if (value.empty()) return value;
  for (std::string_view a : allowed) {
    if (json_input::iequals(value, a)) return std::string(a);
  }
  std::string list;
  for (std::string_view a : allowed) {
    if (!list.empty()) list += ", ";
    list += fmt::format("\"{}\"", a);
  }
  o.reader().fail(o.child_path(key), fmt::format("\"{}\" is not one of {}", value, list));
}

std::string mac_of(const ObjectReader& o) {
  std::string text = o.string("mac", true);
  auto mac = json_input::normalize_mac(text);
  if (!mac) o.reader().fail(o.child_path("mac"), fmt::format("\"{}\" is not a MAC address", text));
  return *mac;
}

std::string ip_text(const ObjectReader& o, std::string_view key) {
  std::string text = o.string(key);
  if (text.empty()) return text;
  IpAddress ip;
  if (!parse_ip(text, ip)) {
    o.reader().fail(o.child_path(key), fmt::format("\"{}\" is not an IP address", text));
  }
  return format_ip(ip);
}

std::string lower(const ObjectReader& o, std::string_view key, bool required = false) {
  return json_input::to_lower(o.string(key, required));
}
std::string region(const ObjectReader& o) {
  return json_input::normalize_region(o.string("region"));
}

TopoSubnet read_subnet(const ObjectReader& o) {
  TopoSubnet s;
  s.name = o.string("name", true);
  s.prefixes = o.prefixes("prefixes", true);
  s.nsg = o.string("nsg");
  s.nsg_resource_group = o.string("nsgResourceGroup");
  return s;
}

TopoVnet read_vnet(const ObjectReader& o) {
  TopoVnet v;
  v.subscription = lower(o, "subscription", true);
  v.resource_group = o.string("resourceGroup", true);
  v.name = o.string("name", true);
  v.region = region(o);
  v.prefixes = o.prefixes("prefixes", true);
  for (auto& [item, path] : o.array("subnets")) {
    v.subnets.push_back(read_subnet(ObjectReader(o.reader(), item, path)));
  }
  return v;
}

TopoNic read_nic(const ObjectReader& o) {
  TopoNic n;
  n.subscription = lower(o, "subscription");
  n.resource_group = o.string("resourceGroup", true);
  n.name = o.string("name", true);
  n.mac = mac_of(o);
  n.private_ips = o.addresses("privateIps", true);
  if (n.private_ips.empty()) {
    o.reader().fail(o.child_path("privateIps"), "must list at least one address");
  }
  n.public_ips = o.addresses("publicIps");
  n.vm = o.string("vm");
  n.vm_resource_group = o.string("vmResourceGroup");
  n.vnet = o.string("vnet");
  n.vnet_resource_group = o.string("vnetResourceGroup");
  n.subnet = o.string("subnet");
  n.nsg = o.string("nsg");
  n.nsg_resource_group = o.string("nsgResourceGroup");
  n.region = region(o);
  return n;
}

TopoNsg read_nsg(const ObjectReader& o) {
  TopoNsg n;
  n.subscription = lower(o, "subscription");
  n.resource_group = o.string("resourceGroup");
  n.name = o.string("name", true);
  n.guid = lower(o, "guid", true);
  n.region = region(o);
  return n;
}

TopoPeering read_peering(const ObjectReader& o) {
  TopoPeering p;
  p.subscription = lower(o, "subscription");
  p.resource_group = o.string("resourceGroup");
  p.vnet = o.string("vnet");
  p.name = o.string("name");
  p.remote_vnet_id = lower(o, "remoteVnetId");
  p.allow_forwarded_traffic = o.boolean("allowForwardedTraffic");
  p.allow_gateway_transit = o.boolean("allowGatewayTransit");
  p.use_remote_gateways = o.boolean("useRemoteGateways");
  return p;
}

TopoGateway read_gateway(const ObjectReader& o) {
  TopoGateway g;
  g.subscription = lower(o, "subscription");
  g.resource_group = o.string("resourceGroup");
  g.name = o.string("name");
  g.type = one_of(o, "type", {"Vpn", "ExpressRoute"});
  g.vnet = o.string("vnet");
  g.vnet_resource_group = o.string("vnetResourceGroup");
  g.region = region(o);
  g.vpn_client_pools = o.prefixes("vpnClientPools");
  return g;
}

TopoSite read_site(const ObjectReader& o) {
  TopoSite s;
  s.subscription = lower(o, "subscription");
  s.resource_group = o.string("resourceGroup");
  s.name = o.string("name");
  s.prefixes = o.prefixes("prefixes");
  s.gateway_ip = ip_text(o, "gatewayIp");
  return s;
}

TopoConnection read_connection(const ObjectReader& o) {
  TopoConnection c;
  c.subscription = lower(o, "subscription");
  c.resource_group = o.string("resourceGroup");
  c.name = o.string("name");
  c.type = one_of(o, "type", {"IPsec", "Vnet2Vnet", "ExpressRoute"});
  c.gateway = o.string("gateway");
  c.gateway_resource_group = o.string("gatewayResourceGroup");
  c.site = o.string("site");
  c.site_resource_group = o.string("siteResourceGroup");
  return c;
}

template <typename T, typename F>
void read_all(const ObjectReader& top, std::string_view key, std::vector<T>& out, F read) {
  for (auto& [item, path] : top.array(key)) {
    out.push_back(read(ObjectReader(top.reader(), item, path)));
  }
}

// ---------------------------------------------------------------------------------------------
// Writing: a small value tree rendered with two-space indentation. Arrays of scalars stay on one
// line ("prefixes": ["10.0.0.0/16"]), objects and arrays of objects take one line per member.

struct Json {
  struct Member;
  using Object = std::vector<Member>;
  using Array = std::vector<Json>;
  std::variant<std::string, Object, Array> value;  // std::string: a rendered scalar

  // Defined below Member: clang rejects instantiating vector<Member> while it is incomplete.
  static Json string(std::string_view s);
  static Json boolean(bool b);
};
struct Json::Member {
  std::string key;
  Json value;
};
Json Json::string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return Json{std::move(out)};
}
Json Json::boolean(bool b) {
  return Json{std::string(b ? "true" : "false")};
}

void render(const Json& j, int indent, std::string& out) {
  std::string pad(static_cast<std::size_t>(indent) + 2, ' ');
  if (auto* scalar = std::get_if<std::string>(&j.value)) {
    out += *scalar;
  } else if (auto* object = std::get_if<Json::Object>(&j.value)) {
    if (object->empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    for (std::size_t i = 0; i < object->size(); ++i) {
      out += pad;
      append_json_string(out, (*object)[i].key);
      out += ": ";
      render((*object)[i].value, indent + 2, out);
      out += i + 1 < object->size() ? ",\n" : "\n";
    }
    out.append(static_cast<std::size_t>(indent), ' ');
    out += '}';
  } else {
    const auto& array = std::get<Json::Array>(j.value);
    bool scalars = true;
    for (const Json& item : array)
      scalars = scalars && std::holds_alternative<std::string>(item.value);
    if (scalars) {
      out += '[';
      for (std::size_t i = 0; i < array.size(); ++i) {
        if (i > 0) out += ", ";
        out += std::get<std::string>(array[i].value);
      }
      out += ']';
      return;
    }
    out += "[\n";
    for (std::size_t i = 0; i < array.size(); ++i) {
      out += pad;
      render(array[i], indent + 2, out);
      out += i + 1 < array.size() ? ",\n" : "\n";
    }
    out.append(static_cast<std::size_t>(indent), ' ');
    out += ']';
  }
}

Json prefixes_json(const std::vector<Cidr>& prefixes) {
  Json::Array out;
  for (const Cidr& c : prefixes)
    out.push_back(Json::string(format_cidr(c)));
  return Json{std::move(out)};
}
Json addresses_json(const std::vector<IpAddress>& ips) {
  Json::Array out;
  for (const IpAddress& ip : ips)
    out.push_back(Json::string(format_ip(ip)));
  return Json{std::move(out)};
}
Json::Member str(std::string key, std::string_view value) {
  return {std::move(key), Json::string(value)};
}

Json to_json(const TopoSubscription& s) {
  return Json{Json::Object{str("id", s.id), str("name", s.name)}};
}
Json to_json(const TopoSubnet& s) {
  return Json{Json::Object{str("name", s.name),
                           {"prefixes", prefixes_json(s.prefixes)},
                           str("nsg", s.nsg),
                           str("nsgResourceGroup", s.nsg_resource_group)}};
}
Json to_json(const TopoVnet& v) {
  Json::Array subnets;
  for (const TopoSubnet& s : v.subnets)
    subnets.push_back(to_json(s));
  return Json{Json::Object{str("subscription", v.subscription),
                           str("resourceGroup", v.resource_group),
                           str("name", v.name),
                           str("region", v.region),
                           {"prefixes", prefixes_json(v.prefixes)},
                           {"subnets", Json{std::move(subnets)}}}};
}
Json to_json(const TopoNic& n) {
  return Json{Json::Object{str("subscription", n.subscription),
                           str("resourceGroup", n.resource_group),
                           str("name", n.name),
                           str("mac", n.mac),
                           {"privateIps", addresses_json(n.private_ips)},
                           {"publicIps", addresses_json(n.public_ips)},
                           str("vm", n.vm),
                           str("vmResourceGroup", n.vm_resource_group),
                           str("vnet", n.vnet),
                           str("vnetResourceGroup", n.vnet_resource_group),
                           str("subnet", n.subnet),
                           str("nsg", n.nsg),
                           str("nsgResourceGroup", n.nsg_resource_group),
                           str("region", n.region)}};
}
Json to_json(const TopoNsg& n) {
  return Json{Json::Object{str("subscription", n.subscription),
                           str("resourceGroup", n.resource_group), str("name", n.name),
                           str("guid", n.guid), str("region", n.region)}};
}
Json to_json(const TopoPeering& p) {
  return Json{Json::Object{str("subscription", p.subscription),
                           str("resourceGroup", p.resource_group),
                           str("vnet", p.vnet),
                           str("name", p.name),
                           str("remoteVnetId", p.remote_vnet_id),
                           {"allowForwardedTraffic", Json::boolean(p.allow_forwarded_traffic)},
                           {"allowGatewayTransit", Json::boolean(p.allow_gateway_transit)},
                           {"useRemoteGateways", Json::boolean(p.use_remote_gateways)}}};
}
Json to_json(const TopoGateway& g) {
  return Json{Json::Object{str("subscription", g.subscription),
                           str("resourceGroup", g.resource_group),
                           str("name", g.name),
                           str("type", g.type),
                           str("vnet", g.vnet),
                           str("vnetResourceGroup", g.vnet_resource_group),
                           str("region", g.region),
                           {"vpnClientPools", prefixes_json(g.vpn_client_pools)}}};
}
Json to_json(const TopoSite& s) {
  return Json{Json::Object{str("subscription", s.subscription),
                           str("resourceGroup", s.resource_group),
                           str("name", s.name),
                           {"prefixes", prefixes_json(s.prefixes)},
                           str("gatewayIp", s.gateway_ip)}};
}
Json to_json(const TopoConnection& c) {
  return Json{Json::Object{str("subscription", c.subscription),
                           str("resourceGroup", c.resource_group), str("name", c.name),
                           str("type", c.type), str("gateway", c.gateway),
                           str("gatewayResourceGroup", c.gateway_resource_group),
                           str("site", c.site), str("siteResourceGroup", c.site_resource_group)}};
}

template <typename T>
Json::Member list(std::string key, const std::vector<T>& items) {
  Json::Array out;
  for (const T& item : items)
    out.push_back(to_json(item));
  return {std::move(key), Json{std::move(out)}};
}

}  // namespace

Topology parse_topology_json(std::string_view json, const std::string& name_for_errors) {
  simdjson::padded_string padded(json);
  dom::parser parser;
  dom::element root = json_input::parse_document(parser, padded, name_for_errors);
  if (!root.is_object()) {
    throw EnrichError(fmt::format("{}: the top level must be an object, found {}", name_for_errors,
                                  type_name(root.type())));
  }
  Reader reader(name_for_errors);
  ObjectReader top(reader, root, "");
  Topology t;
  read_all(top, "subscriptions", t.subscriptions, [](const ObjectReader& o) {
    return TopoSubscription{lower(o, "id", true), o.string("name")};
  });
  read_all(top, "vnets", t.vnets, read_vnet);
  read_all(top, "nics", t.nics, read_nic);
  read_all(top, "nsgs", t.nsgs, read_nsg);
  read_all(top, "peerings", t.peerings, read_peering);
  read_all(top, "gateways", t.gateways, read_gateway);
  read_all(top, "sites", t.sites, read_site);
  read_all(top, "connections", t.connections, read_connection);
  return t;
}

Topology load_topology_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw EnrichError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw EnrichError(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  return parse_topology_json(bytes.str(), path);
}

std::string topology_to_json(const Topology& t) {
  Json doc{Json::Object{list("subscriptions", t.subscriptions), list("vnets", t.vnets),
                        list("nics", t.nics), list("nsgs", t.nsgs), list("peerings", t.peerings),
                        list("gateways", t.gateways), list("sites", t.sites),
                        list("connections", t.connections)}};
  std::string out;
  render(doc, 0, out);
  out += '\n';
  return out;
}

}  // namespace flowlens::enrich
