#include "enrich/azure_cli_import.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "enrich/json_input.h"

namespace flowlens::enrich {
namespace {

namespace dom = simdjson::dom;
using json_input::iequals;
using json_input::to_lower;
using json_input::type_name;

// An ARM resource id, "/subscriptions/<guid>/resourceGroups/<rg>/providers/<namespace>/<type>/
// <name>[/<child type>/<child name>...]", split into its parts. Segment keywords are matched
// case-insensitively (ARM prints "resourcegroups" in places); values keep their case, except the
// subscription GUID, which is lower-cased.
struct ArmId {
  std::string subscription;
  std::string resource_group;
  std::vector<std::pair<std::string, std::string>> types;  // (type, name), outermost first

  const std::string& name() const { return types.back().second; }
  // The name of the `type` segment ("virtualNetworks" -> the VNet of a subnet id), "" if none.
  std::string name_of(std::string_view type) const {
    for (const auto& [t, n] : types) {
      if (iequals(t, type)) return n;
    }
    return {};
  }
};

std::optional<ArmId> parse_arm_id(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  if (text.empty() || text[0] != '/') return std::nullopt;
  start = 1;
  while (start <= text.size()) {
    std::size_t slash = text.find('/', start);
    if (slash == std::string_view::npos) slash = text.size();
    parts.push_back(text.substr(start, slash - start));
    start = slash + 1;
  }
  if (!parts.empty() && parts.back().empty()) parts.pop_back();  // a trailing '/'
  // subscriptions/<guid>/resourceGroups/<rg>/providers/<namespace>/<type>/<name>...
  if (parts.size() < 8 || parts.size() % 2 != 0) return std::nullopt;
  if (!iequals(parts[0], "subscriptions") || !iequals(parts[2], "resourceGroups") ||
      !iequals(parts[4], "providers")) {
    return std::nullopt;
  }
  for (std::string_view p : parts) {
    if (p.empty()) return std::nullopt;
  }
  ArmId id;
  id.subscription = to_lower(parts[1]);
  id.resource_group = std::string(parts[3]);
  for (std::size_t i = 6; i + 1 < parts.size(); i += 2) {
    id.types.emplace_back(std::string(parts[i]), std::string(parts[i + 1]));
  }
  return id;
}

// Identity of a resource for joins and de-duplication: ARM names are case-insensitive.
std::string resource_key(const std::string& subscription, const std::string& resource_group,
                         const std::string& name) {
  return fmt::format("{}/{}/{}", subscription, to_lower(resource_group), to_lower(name));
}

enum class Kind { vnet, nic, nsg, vnet_gateway, local_gateway, connection, vm };

struct KindName {
  Kind kind;
  std::string_view type;
};
constexpr KindName kKinds[] = {
    {Kind::vnet, "Microsoft.Network/virtualNetworks"},
    {Kind::nic, "Microsoft.Network/networkInterfaces"},
    {Kind::nsg, "Microsoft.Network/networkSecurityGroups"},
    {Kind::vnet_gateway, "Microsoft.Network/virtualNetworkGateways"},
    {Kind::local_gateway, "Microsoft.Network/localNetworkGateways"},
    {Kind::connection, "Microsoft.Network/connections"},
    {Kind::vm, "Microsoft.Compute/virtualMachines"},
};

// A value inside the resource being imported, with its key path ("ipConfigurations[0].subnet").
struct Node {
  dom::element element;
  std::string path;
};

// The resource being imported: knows how to name itself in errors ("nics.json: [3]
// (Microsoft.Network/networkInterfaces "web-1-nic")") and reads typed values below it. JSON
// null counts as absent, as az prints null for unset properties.
class Resource {
 public:
  Resource(std::string where, dom::element root) : where_(std::move(where)), root_{root, ""} {}

  const Node& root() const { return root_; }

  [[noreturn]] void fail(const std::string& what) const {
    throw EnrichError(fmt::format("{}: {}", where_, what));
  }

  static std::string child_path(const Node& parent, std::string_view key) {
    return parent.path.empty() ? std::string(key) : fmt::format("{}.{}", parent.path, key);
  }

  std::optional<Node> find(const Node& parent, std::string_view key) const {
    dom::element value;
    if (parent.element.at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) {
      return std::nullopt;
    }
    return Node{value, child_path(parent, key)};
  }
  Node require(const Node& parent, std::string_view key) const {
    auto node = find(parent, key);
    if (!node) fail(fmt::format("missing \"{}\"", child_path(parent, key)));
    return *node;
  }

  std::string as_string(const Node& node) const {
    std::string_view s;
    if (node.element.get_string().get(s) != simdjson::SUCCESS) {
      fail(fmt::format("\"{}\" must be a string, found {}", node.path,
                       type_name(node.element.type())));
    }
    return std::string(s);
  }
  std::string string(const Node& parent, std::string_view key, bool required = false) const {
    auto node = required ? std::optional(require(parent, key)) : find(parent, key);
    return node ? as_string(*node) : std::string();
  }
  bool boolean(const Node& parent, std::string_view key) const {
    auto node = find(parent, key);
    if (!node) return false;
    bool out = false;
    if (node->element.get_bool().get(out) != simdjson::SUCCESS) {
      fail(fmt::format("\"{}\" must be true or false, found {}", node->path,
                       type_name(node->element.type())));
    }
    return out;
  }
  std::optional<Node> object(const Node& parent, std::string_view key) const {
    auto node = find(parent, key);
    if (node && !node->element.is_object()) {
      fail(fmt::format("\"{}\" must be an object, found {}", node->path,
                       type_name(node->element.type())));
    }
    return node;
  }
  std::vector<Node> array(const Node& parent, std::string_view key) const {
    std::vector<Node> out;
    auto node = find(parent, key);
    if (!node) return out;
    dom::array items;
    if (node->element.get_array().get(items) != simdjson::SUCCESS) {
      fail(fmt::format("\"{}\" must be an array, found {}", node->path,
                       type_name(node->element.type())));
    }
    std::size_t i = 0;
    for (dom::element item : items)
      out.push_back(Node{item, fmt::format("{}[{}]", node->path, i++)});
    return out;
  }

  Cidr prefix(const Node& node) const {
    std::string text = as_string(node);
    Cidr cidr;
    if (!parse_cidr(text, cidr)) {
      fail(fmt::format("\"{}\" \"{}\" is not an address prefix", node.path, text));
    }
    return cidr;
  }
  // `parent.<object>.addressPrefixes`, the shape of addressSpace and its relatives.
  std::vector<Cidr> address_space(const Node& parent, std::string_view object) const {
    std::vector<Cidr> out;
    if (auto space = this->object(parent, object)) {
      for (const Node& item : array(*space, "addressPrefixes"))
        out.push_back(prefix(item));
    }
    return out;
  }
  IpAddress address(const Node& node) const {
    std::string text = as_string(node);
    IpAddress ip;
    if (!parse_ip(text, ip))
      fail(fmt::format("\"{}\" \"{}\" is not an IP address", node.path, text));
    return ip;
  }

  ArmId arm_id(const Node& node) const {
    std::string text = as_string(node);
    auto id = parse_arm_id(text);
    if (!id) fail(fmt::format("\"{}\" \"{}\" is not an Azure resource id", node.path, text));
    return *id;
  }
  // The id of a reference object such as "subnet": {"id": "..."}; nullopt when absent.
  std::optional<ArmId> reference(const Node& parent, std::string_view key) const {
    auto ref = object(parent, key);
    if (!ref) return std::nullopt;
    auto id = find(*ref, "id");
    if (!id) return std::nullopt;
    return arm_id(*id);
  }

 private:
  std::string where_;
  Node root_;
};

// Gateway and connection types as the topology model spells them; nullopt for others.
std::optional<std::string> canonical(std::string_view value,
                                     std::initializer_list<std::string_view> allowed) {
  for (std::string_view a : allowed) {
    if (iequals(value, a)) return std::string(a);
  }
  return std::nullopt;
}

class Importer {
 public:
  void add(std::string_view json, const std::string& file) {
    simdjson::padded_string padded(json);
    dom::parser parser;
    dom::element root = json_input::parse_document(parser, padded, file);
    dom::array items;
    if (root.get_array().get(items) == simdjson::SUCCESS) {
      std::size_t i = 0;
      for (dom::element item : items)
        add_resource(item, file, fmt::format("[{}]", i++));
    } else if (root.is_object()) {
      add_resource(root, file, "");
    } else {
      throw EnrichError(fmt::format("{}: expected an array of Azure resources, found {}", file,
                                    type_name(root.type())));
    }
  }

  std::size_t skipped() const { return skipped_; }

  // The merged topology, each list sorted by subscription, resource group and name so that
  // the result does not depend on the order of files or of resources within them. A resource
  // given twice (e.g. connections from both `vpn-connection list` and `list-connections`) is
  // kept once, as first seen.
  Topology finish() {
    for (TopoNic& nic : t_.nics) {
      if (!nic.vm.empty()) continue;
      auto it = vm_of_nic_.find(resource_key(nic.subscription, nic.resource_group, nic.name));
      if (it == vm_of_nic_.end()) continue;
      nic.vm = it->second.first;
      nic.vm_resource_group = it->second.second;
    }
    for (const std::string& s : subscriptions_)
      t_.subscriptions.push_back({s, ""});
    auto by_name = [](const auto& o) {
      return resource_key(o.subscription, o.resource_group, o.name);
    };
    sort_unique(t_.vnets, by_name);
    sort_unique(t_.nics, by_name);
    sort_unique(t_.nsgs, by_name);
    sort_unique(t_.peerings, [](const TopoPeering& p) {
      return resource_key(p.subscription, p.resource_group, p.vnet + "/" + p.name);
    });
    sort_unique(t_.gateways, by_name);
    sort_unique(t_.sites, by_name);
    sort_unique(t_.connections, by_name);
    return std::move(t_);
  }

 private:
  template <typename T, typename Key>
  static void sort_unique(std::vector<T>& items, Key key) {
    std::stable_sort(items.begin(), items.end(),
                     [&](const T& a, const T& b) { return key(a) < key(b); });
    auto last = std::unique(items.begin(), items.end(),
                            [&](const T& a, const T& b) { return key(a) == key(b); });
    items.erase(last, items.end());
  }

  void add_resource(dom::element element, const std::string& file, const std::string& index) {
    std::string_view type, name;
    if (!element.is_object()) {
      throw EnrichError(fmt::format("{}: {}: expected an Azure resource object, found {}", file,
                                    index, type_name(element.type())));
    }
    // Either may be missing or not a string: then the resource is of no known type / unnamed.
    if (element["type"].get(type) != simdjson::SUCCESS) type = {};
    if (element["name"].get(name) != simdjson::SUCCESS) name = {};
    const KindName* kind = nullptr;
    for (const KindName& k : kKinds) {
      if (iequals(type, k.type)) kind = &k;
    }
    if (kind == nullptr) {  // a resource flowlens has no use for (or not a resource at all)
      ++skipped_;
      return;
    }
    std::string where = index.empty()
                            ? fmt::format("{}: ({} \"{}\")", file, kind->type, name)
                            : fmt::format("{}: {} ({} \"{}\")", file, index, kind->type, name);
    Resource r(std::move(where), element);
    ArmId id = r.arm_id(r.require(r.root(), "id"));
    // "name" is what az prints; the id's last segment says the same when it is missing.
    Named self{id.subscription, id.resource_group, name.empty() ? id.name() : std::string(name),
               json_input::normalize_region(r.string(r.root(), "location"))};
    bool kept = true;
    switch (kind->kind) {
      case Kind::vnet:
        add_vnet(r, self);
        break;
      case Kind::nic:
        kept = add_nic(r, self);
        break;
      case Kind::nsg:
        add_nsg(r, self);
        break;
      case Kind::vnet_gateway:
        kept = add_gateway(r, self);
        break;
      case Kind::local_gateway:
        add_site(r, self);
        break;
      case Kind::connection:
        kept = add_connection(r, self);
        break;
      case Kind::vm:
        add_vm(r, self);
        break;
    }
    if (kept) {
      subscriptions_.insert(id.subscription);
    } else {
      ++skipped_;
    }
  }

  // What every resource has: where it lives and what it is called.
  struct Named {
    std::string subscription;
    std::string resource_group;
    std::string name;
    std::string region;
  };

  void add_vnet(const Resource& r, const Named& self) {
    const Node& root = r.root();
    TopoVnet v;
    v.subscription = self.subscription;
    v.resource_group = self.resource_group;
    v.name = self.name;
    v.region = self.region;
    v.prefixes = r.address_space(root, "addressSpace");
    for (const Node& item : r.array(root, "subnets")) {
      TopoSubnet s;
      s.name = r.string(item, "name", true);
      // A subnet has "addressPrefix", or "addressPrefixes" when it has more than one (az may
      // print both); the union, in order, without repeats.
      if (auto one = r.find(item, "addressPrefix")) s.prefixes.push_back(r.prefix(*one));
      for (const Node& p : r.array(item, "addressPrefixes")) {
        Cidr c = r.prefix(p);
        if (std::find(s.prefixes.begin(), s.prefixes.end(), c) == s.prefixes.end()) {
          s.prefixes.push_back(c);
        }
      }
      if (auto nsg = r.reference(item, "networkSecurityGroup")) {
        s.nsg = nsg->name();
        s.nsg_resource_group = nsg->resource_group;
      }
      v.subnets.push_back(std::move(s));
    }
    for (const Node& item : r.array(root, "virtualNetworkPeerings")) {
      TopoPeering p;
      p.subscription = self.subscription;
      p.resource_group = self.resource_group;
      p.vnet = self.name;
      p.name = r.string(item, "name", true);
      auto remote_ref = r.object(item, "remoteVirtualNetwork");
      if (!remote_ref) r.fail(fmt::format("missing \"{}.remoteVirtualNetwork\"", item.path));
      Node remote = r.require(*remote_ref, "id");
      r.arm_id(remote);  // validates
      p.remote_vnet_id = to_lower(r.as_string(remote));
      p.allow_forwarded_traffic = r.boolean(item, "allowForwardedTraffic");
      p.allow_gateway_transit = r.boolean(item, "allowGatewayTransit");
      p.use_remote_gateways = r.boolean(item, "useRemoteGateways");
      t_.peerings.push_back(std::move(p));
    }
    t_.vnets.push_back(std::move(v));
  }

  // False when the NIC is skipped: without a MAC address (az prints none until the NIC's VM
  // has run) it cannot be matched to flow log records.
  bool add_nic(const Resource& r, const Named& self) {
    const Node& root = r.root();
    TopoNic n;
    n.subscription = self.subscription;
    n.resource_group = self.resource_group;
    n.name = self.name;
    n.region = self.region;
    auto mac_node = r.find(root, "macAddress");
    std::string mac_text = mac_node ? r.as_string(*mac_node) : std::string();
    if (mac_text.empty()) return false;
    auto mac = json_input::normalize_mac(mac_text);
    if (!mac) r.fail(fmt::format("\"macAddress\" \"{}\" is not a MAC address", mac_text));
    n.mac = *mac;
    bool first = true;
    for (const Node& config : r.array(root, "ipConfigurations")) {
      if (auto ip = r.find(config, "privateIPAddress")) n.private_ips.push_back(r.address(*ip));
      if (auto pip = r.object(config, "publicIPAddress")) {
        // Only an expanded public IP resource carries its address; a bare {"id"} does not.
        if (auto ip = r.find(*pip, "ipAddress")) n.public_ips.push_back(r.address(*ip));
      }
      if (auto subnet = r.reference(config, "subnet"); subnet && first) {
        n.vnet = subnet->name_of("virtualNetworks");
        n.vnet_resource_group = subnet->resource_group;
        n.subnet = subnet->name_of("subnets");
      }
      first = false;
    }
    if (n.private_ips.empty()) r.fail("missing \"ipConfigurations[].privateIPAddress\"");
    if (auto vm = r.reference(root, "virtualMachine")) {
      n.vm = vm->name();
      n.vm_resource_group = vm->resource_group;
    }
    if (auto nsg = r.reference(root, "networkSecurityGroup")) {
      n.nsg = nsg->name();
      n.nsg_resource_group = nsg->resource_group;
    }
    t_.nics.push_back(std::move(n));
    return true;
  }

  void add_nsg(const Resource& r, const Named& self) {
    TopoNsg n;
    n.subscription = self.subscription;
    n.resource_group = self.resource_group;
    n.name = self.name;
    n.guid = to_lower(r.string(r.root(), "resourceGuid", true));
    n.region = self.region;
    t_.nsgs.push_back(std::move(n));
  }

  // False when the gateway is skipped: a gatewayType the topology model does not know.
  bool add_gateway(const Resource& r, const Named& self) {
    const Node& root = r.root();
    auto type = canonical(r.string(root, "gatewayType", true), {"Vpn", "ExpressRoute"});
    if (!type) return false;
    TopoGateway g;
    g.subscription = self.subscription;
    g.resource_group = self.resource_group;
    g.name = self.name;
    g.type = *type;
    g.region = self.region;
    for (const Node& config : r.array(root, "ipConfigurations")) {
      if (auto subnet = r.reference(config, "subnet")) {
        g.vnet = subnet->name_of("virtualNetworks");
        g.vnet_resource_group = subnet->resource_group;
        break;
      }
    }
    if (auto p2s = r.object(root, "vpnClientConfiguration")) {
      g.vpn_client_pools = r.address_space(*p2s, "vpnClientAddressPool");
    }
    t_.gateways.push_back(std::move(g));
    return true;
  }

  void add_site(const Resource& r, const Named& self) {
    TopoSite s;
    s.subscription = self.subscription;
    s.resource_group = self.resource_group;
    s.name = self.name;
    s.prefixes = r.address_space(r.root(), "localNetworkAddressSpace");
    // A site may be addressed by "fqdn" instead; then there is no gateway address to record.
    if (auto ip = r.find(r.root(), "gatewayIpAddress")) s.gateway_ip = format_ip(r.address(*ip));
    t_.sites.push_back(std::move(s));
  }

  // False when the connection is skipped: a connectionType the topology model does not know
  // (e.g. "VPNClient").
  bool add_connection(const Resource& r, const Named& self) {
    const Node& root = r.root();
    auto type =
        canonical(r.string(root, "connectionType", true), {"IPsec", "Vnet2Vnet", "ExpressRoute"});
    if (!type) return false;
    TopoConnection c;
    c.subscription = self.subscription;
    c.resource_group = self.resource_group;
    c.name = self.name;
    c.type = *type;
    auto gateway = r.reference(root, "virtualNetworkGateway1");
    if (!gateway) r.fail("missing \"virtualNetworkGateway1.id\"");
    c.gateway = gateway->name();
    c.gateway_resource_group = gateway->resource_group;
    if (auto site = r.reference(root, "localNetworkGateway2")) {
      c.site = site->name();
      c.site_resource_group = site->resource_group;
    }
    t_.connections.push_back(std::move(c));
    return true;
  }

  // VMs only name their NICs; finish() copies the VM onto NICs that do not name their VM.
  void add_vm(const Resource& r, const Named& self) {
    auto profile = r.object(r.root(), "networkProfile");
    if (!profile) return;
    for (const Node& item : r.array(*profile, "networkInterfaces")) {
      ArmId nic = r.arm_id(r.require(item, "id"));
      vm_of_nic_.emplace(resource_key(nic.subscription, nic.resource_group, nic.name()),
                         std::pair(self.name, self.resource_group));
    }
  }

  Topology t_;
  std::set<std::string> subscriptions_;
  std::map<std::string, std::pair<std::string, std::string>> vm_of_nic_;  // -> (name, group)
  std::size_t skipped_ = 0;
};

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw EnrichError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw EnrichError(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  return bytes.str();
}

}  // namespace

Topology import_azure_cli(const std::vector<std::string>& paths, std::size_t* skipped) {
  Importer importer;
  for (const std::string& path : paths)
    importer.add(read_whole_file(path), path);
  if (skipped != nullptr) *skipped = importer.skipped();
  return importer.finish();
}

Topology import_azure_cli_json(std::string_view json, const std::string& name_for_errors,
                               std::size_t* skipped) {
  Importer importer;
  importer.add(json, name_for_errors);
  if (skipped != nullptr) *skipped = importer.skipped();
  return importer.finish();
}

}  // namespace flowlens::enrich
