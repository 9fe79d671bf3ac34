#include "aggregate/rollup.h"

#include <xxhash.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "aggregate/address_class.h"
#include "aggregate/l7_protocols.h"
#include "aggregate/resource_ids.h"
#include "store/table_schema.h"

namespace flowlens::aggregate {
namespace {

const enrich::Enricher kNoEnrichment;

bool is_folded(std::uint8_t flow_type) {
  return flow_type == kExternalPublic || flow_type == kAzurePublic || flow_type == kMaliciousFlow;
}

std::string joined(std::string_view a, std::string_view b) {
  std::string out(a);
  out += '/';
  out += b;
  return out;
}

std::uint64_t hash_ip(const IpAddress& ip, std::uint64_t seed) {
  return IpAddressHash::hash(ip, seed);
}

void append_number(std::string& out, std::int64_t v) {
  char buf[24];
  out.append(buf, static_cast<std::size_t>(std::to_chars(buf, buf + sizeof buf, v).ptr - buf));
}

}  // namespace

const std::string_view kFlowTypeNames[kFlowTypeCount] = {
    "ExternalPublic", kStoredPrivate,  "Unknown",       "IntraVNet", "InterVNet", "S2S", "P2S",
    "AzurePublic",    "MaliciousFlow", "UnknownPrivate"};

std::string_view encryption_word(std::string_view code) {
  if (code == "X") return "Encrypted";
  if (code == "NX") return "Unencrypted";
  if (code == "NX_HW_NOT_SUPPORTED") return "Unsupported hardware";
  if (code == "NX_SW_NOT_READY") return "Software not ready";
  if (code == "NX_NOT_ACCEPTED") return "Drop due to no encryption";
  if (code == "NX_NOT_SUPPORTED") return "Discovery not supported";
  if (code == "NX_LOCAL_DST") return "Destination on same host";
  if (code == "NX_FALLBACK") return "Fall back to no encryption";
  return code;  // a reason Microsoft added later, or "" (NSG logs)
}

RollupBuilder::RollupBuilder(Ticks interval, const enrich::Enricher* enricher)
    : interval_(interval),
      enricher_(enricher != nullptr ? enricher : &kNoEnrichment),
      no_enrichment_(enricher_ == &kNoEnrichment) {
  intern("");  // id 0: the empty string (no place, no country)
  global_id_ = intern("Global");
}

RollupBuilder::AddressFacts RollupBuilder::facts_of(const IpAddress& ip, bool is_public) {
  // 2^17 slots of 48 bytes (6 MB per builder): most repeated peers stay cached, while a day
  // of mostly unique scanner and client addresses cannot grow memory.
  constexpr std::size_t kCacheSlots = std::size_t{1} << 17;
  if (facts_cache_.empty()) facts_cache_.resize(kCacheSlots);  // zeroed: no slot valid
  // The tuples of one flow (B, C, E) usually follow each other: try the last answer first.
  if (last_facts_.valid != 0 && last_facts_.ip == ip) return last_facts_;
  AddressFacts& slot = facts_cache_[hash_ip(ip, 0x5eed) & (kCacheSlots - 1)];
  if (slot.valid != 0 && slot.ip == ip) {
    last_facts_ = slot;
    return slot;
  }
  AddressFacts f{ip, kUnknown, 1, 0, 0, 0, nullptr};
  if (is_public) {
    enrich::PublicInfo info = enricher_->public_info(ip, false);
    f.country = country_id(info.country);
    f.asn = info.asn;
    switch (info.kind) {
      case enrich::PublicInfo::Kind::kAzure:
        f.flow_type = kAzurePublic;
        f.place = intern(info.azure_region);
        break;
      case enrich::PublicInfo::Kind::kMalicious:
        f.flow_type = kMaliciousFlow;
        f.place = f.country;
        break;
      case enrich::PublicInfo::Kind::kExternal:
        f.flow_type = kExternalPublic;
        f.place = f.country;
        break;
    }
  } else if (enricher_->has_topology()) {
    enrich::Endpoint ep = enricher_->endpoint(ip);
    f.vnet = ep.vnet;
    f.flow_type = ep.site != nullptr          ? kS2S
                  : ep.p2s_gateway != nullptr ? kP2S
                  : ep.vnet != nullptr        ? kIntraVNet  // in a VNet; which one decides
                                              : kUnknownPrivate;
  }
  slot = f;
  last_facts_ = f;
  return f;
}

const RollupBuilder::TopologySide& RollupBuilder::topology_side(const IpAddress& ip) {
  auto it = topology_sides_.find(ip);
  if (it != topology_sides_.end()) return it->second;
  TopologySide side;
  enrich::Endpoint ep = enricher_->endpoint(ip);
  if (ep.vnet != nullptr) {
    side.subscription = ep.vnet->subscription;
    side.region = ep.vnet->region;
    if (ep.subnet != nullptr) {
      side.subnet = joined(joined(ep.vnet->resource_group, ep.vnet->name), ep.subnet->name);
    }
  }
  if (ep.nic != nullptr) {
    if (side.subscription.empty()) side.subscription = ep.nic->subscription;
    if (side.region.empty()) side.region = ep.nic->region;
    side.nic = joined(ep.nic->resource_group, ep.nic->name);
    if (!ep.nic->vm.empty()) {
      side.vm = joined(
          ep.nic->vm_resource_group.empty() ? ep.nic->resource_group : ep.nic->vm_resource_group,
          ep.nic->vm);
    }
  }
  return topology_sides_.emplace(ip, std::move(side)).first->second;
}

std::uint32_t RollupBuilder::country_id(std::string_view code) {
  if (code.size() != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z') {
    return intern(code);
  }
  std::uint32_t& id =
      country_ids_[static_cast<std::size_t>((code[0] - 'A') * 26 + (code[1] - 'A'))];
  if (id == 0) id = intern(code);
  return id;
}

std::uint8_t RollupBuilder::private_flow_type(const AddressFacts& local, const AddressFacts& remote,
                                              std::uint32_t context) {
  if (remote.flow_type == kS2S || remote.flow_type == kP2S) return remote.flow_type;
  if (remote.vnet == nullptr) return kUnknownPrivate;
  const enrich::TopoVnet* local_vnet = local.vnet;
  if (local_vnet == nullptr)
    local_vnet = enricher_->vnet_by_id(strings_[contexts_[context].network]);
  return local_vnet == remote.vnet ? kIntraVNet : kInterVNet;
}

std::size_t RollupBuilder::memory_bytes() const {
  return keys_.capacity() * sizeof(Key) + values_.capacity() * sizeof(Values) +
         ports_.capacity() * sizeof(ports_[0]) + public_.capacity() * sizeof(PublicStats) +
         nic_addresses_.capacity() * sizeof(nic_addresses_[0]) +
         32 * (keys_.size() + public_.size());
}

std::uint32_t RollupBuilder::intern(std::string_view s) {
  std::uint64_t h = XXH3_64bits(s.data(), s.size());
  return string_index_.find_or_insert(
      h, strings_.size(), [&](std::uint32_t e) { return strings_[e] == s; },
      [&] {
        strings_.push_back(arena_.copy(s));
        return static_cast<std::uint32_t>(strings_.size() - 1);
      });
}

std::uint32_t RollupBuilder::context_of(const FlowBatch& batch, const TupleGroup& group) {
  const RecordInfo& record = batch.records[group.record];
  Context c{intern(group.mac),
            intern(group.acl_id),
            intern(group.rule),
            intern(record.target_resource_id),
            intern(record.flow_log_resource_id),
            0,
            0,
            0};
  std::uint64_t h = XXH3_64bits(&c, sizeof(std::uint32_t) * 5);
  return context_index_.find_or_insert(
      h, contexts_.size(),
      [&](std::uint32_t e) {
        const Context& o = contexts_[e];
        return o.mac == c.mac && o.acl == c.acl && o.rule == c.rule && o.target == c.target &&
               o.flow_log == c.flow_log;
      },
      [&] {
        c.network = intern(network_of_target(record.target_resource_id));
        c.subscription = intern(subscription_of(record.target_resource_id));
        c.region = intern(region_of_flow_log(record.flow_log_resource_id));
        contexts_.push_back(c);
        return static_cast<std::uint32_t>(contexts_.size() - 1);
      });
}

std::uint32_t RollupBuilder::encryption_bit(std::string_view code) {
  for (std::size_t i = 0; i < encryption_names_.size(); ++i) {
    if (encryption_names_[i] == code) return 1u << i;
  }
  if (encryption_names_.size() == 32) return 1u << 31;  // cannot happen with real logs
  encryption_names_.push_back(arena_.copy(code));
  return 1u << (encryption_names_.size() - 1);
}

std::uint64_t RollupBuilder::hash_key(const Key& k) {
  return XXH3_64bits(&k, sizeof(Key));
}

void RollupBuilder::add(const FlowBatch& batch, Ticks skip_through, TupleEnrichment* enrichment) {
  if (enrichment != nullptr) {
    std::size_t n = batch.size();
    enrichment->flow_type.assign(n, kUnknown);
    enrichment->src_country.assign(n, 0);
    enrichment->dest_country.assign(n, 0);
    enrichment->strings = &strings_;
    enrichment->src_asn.assign(n, 0);
    enrichment->dest_asn.assign(n, 0);
  }
  const bool topology = enricher_->has_topology();
  // Per group: context, and the encryption bits of the batch's codes.
  std::vector<std::uint32_t> group_context(batch.groups.size());
  for (std::size_t g = 0; g < batch.groups.size(); ++g) {
    group_context[g] = context_of(batch, batch.groups[g]);
  }
  std::uint32_t encryption_bits[256] = {};
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const TupleGroup& group = batch.groups[batch.group[i]];
    if (batch.records[group.record].time <= skip_through) continue;
    std::uint8_t enc = batch.encryption[i];
    if (encryption_bits[enc] == 0) encryption_bits[enc] = encryption_bit(batch.encryption_name(i));

    bool inbound = batch.direction[i] == FlowDirection::kInbound;
    const IpAddress& local = inbound ? batch.dest_ip[i] : batch.src_ip[i];
    const IpAddress& remote = inbound ? batch.src_ip[i] : batch.dest_ip[i];
    AddressClass remote_class = classify_address(remote);
    AddressClass local_class = classify_address(local);
    bool folded = remote_class == AddressClass::kPublic;
    std::uint32_t context = group_context[batch.group[i]];
    std::uint8_t flow_type = kUnknown;
    std::uint32_t place = 0;
    AddressFacts remote_facts{};
    if (folded) {
      if (no_enrichment_) {
        // Without inputs only the platform address is known to be Azure's (what
        // Enricher::public_info answers too, without the cache).
        bool platform = remote == enrich::kAzurePlatformIp;
        remote_facts.flow_type = platform ? kAzurePublic : kExternalPublic;
        remote_facts.place = platform ? global_id_ : 0;
      } else {
        remote_facts = facts_of(remote, true);
      }
      flow_type = remote_facts.flow_type;
      place = remote_facts.place;
    } else if (topology) {
      remote_facts = facts_of(remote, false);
      AddressFacts local_facts = facts_of(local, local_class == AddressClass::kPublic);
      if (remote_facts.flow_type != kUnknownPrivate || remote_class == AddressClass::kPrivate) {
        flow_type = private_flow_type(local_facts, remote_facts, context);
      }
    } else if (remote_class == AddressClass::kPrivate) {
      flow_type = kPrivateUnresolved;
    }
    if (enrichment != nullptr) {
      enrichment->flow_type[i] = flow_type;
      std::uint32_t remote_country = folded ? remote_facts.country : 0;
      std::uint32_t remote_asn = folded ? remote_facts.asn : 0;
      std::uint32_t local_country = 0;
      std::uint32_t local_asn = 0;
      if (local_class == AddressClass::kPublic) {  // a NIC with a public address (rare)
        AddressFacts lf = facts_of(local, true);
        local_country = lf.country;
        local_asn = lf.asn;
      }
      (inbound ? enrichment->src_country : enrichment->dest_country)[i] = remote_country;
      (inbound ? enrichment->src_asn : enrichment->dest_asn)[i] = remote_asn;
      (inbound ? enrichment->dest_country : enrichment->src_country)[i] = local_country;
      (inbound ? enrichment->dest_asn : enrichment->src_asn)[i] = local_asn;
    }

    Key key;
    std::memset(&key, 0, sizeof key);
    Ticks t = batch.flow_time[i];
    Ticks start = t - ((t % interval_) + interval_) % interval_;
    key.interval = start;
    key.src = folded && inbound ? IpAddress{} : batch.src_ip[i];
    key.dst = folded && !inbound ? IpAddress{} : batch.dest_ip[i];
    key.context = context;
    key.place = place;
    key.dest_port = batch.dest_port[i];
    key.protocol = batch.protocol[i];
    key.direction = static_cast<std::uint8_t>(batch.direction[i]);
    key.status = static_cast<std::uint8_t>(batch.status[i]);
    key.flow_type = flow_type;

    std::uint64_t h = hash_key(key);
    std::uint32_t entry = key_index_.find_or_insert(
        h, keys_.size(), [&](std::uint32_t e) { return keys_[e] == key; },
        [&] {
          keys_.push_back(key);
          values_.push_back(Values{t, t, {0, 0, 0, 0}, 0, 0, 0, 0, 0, 0, 0});
          return static_cast<std::uint32_t>(keys_.size() - 1);
        });
    Values& v = values_[entry];
    v.first = std::min(v.first, t);
    v.last = std::max(v.last, t);
    // A flow starts with B (allowed, or denied in NSG v2), D (VNet deny) or any NSG v1 tuple.
    FlowState state = batch.state[i];
    bool started =
        state == FlowState::kBegin || state == FlowState::kDeny || state == FlowState::kNone;
    bool ended = state == FlowState::kEnd;
    int counter = (batch.status[i] == FlowStatus::kDenied ? 1 : 0) + (inbound ? 0 : 2);
    v.flows[counter] += started;
    v.completed += ended;
    v.packets_sd += batch.packets_src_to_dest[i];
    v.packets_ds += batch.packets_dest_to_src[i];
    v.bytes_sd += batch.bytes_src_to_dest[i];
    v.bytes_ds += batch.bytes_dest_to_src[i];
    ++v.records;
    v.encryptions |= encryption_bits[enc];
    if (v.last_port != batch.src_port[i]) {
      v.last_port = batch.src_port[i];
      ports_.emplace_back(entry, batch.src_port[i]);
    }

    if (folded) {
      std::uint64_t ph = hash_ip(remote, entry);
      std::uint32_t p = public_index_.find_or_insert(
          ph, public_.size(),
          [&](std::uint32_t e) { return public_[e].entry == entry && public_[e].ip == remote; },
          [&] {
            public_.push_back(PublicStats{entry, remote, 0, 0, 0, 0, 0, 0});
            return static_cast<std::uint32_t>(public_.size() - 1);
          });
      PublicStats& s = public_[p];
      s.started += started;
      s.ended += ended;
      s.packets_sd += batch.packets_src_to_dest[i];
      s.packets_ds += batch.packets_dest_to_src[i];
      s.bytes_sd += batch.bytes_src_to_dest[i];
      s.bytes_ds += batch.bytes_dest_to_src[i];
    }
    // The local address belongs to the capturing NIC's network.
    std::uint32_t network = contexts_[context].network;
    if (strings_[network].empty()) continue;
    if (last_nic_address_.second == network && last_nic_address_.first == local) continue;
    last_nic_address_ = {local, network};
    std::uint64_t nh = hash_ip(local, network);
    nic_index_.find_or_insert(
        nh, nic_addresses_.size(),
        [&](std::uint32_t e) {
          return nic_addresses_[e].second == network && nic_addresses_[e].first == local;
        },
        [&] {
          nic_addresses_.emplace_back(local, network);
          return static_cast<std::uint32_t>(nic_addresses_.size() - 1);
        });
  }
}

void RollupBuilder::absorb(RollupBuilder& part) {
  // The part's strings, contexts and encryption codes, in this builder's numbering.
  std::vector<std::uint32_t> context_map(part.contexts_.size());
  for (std::size_t c = 0; c < part.contexts_.size(); ++c) {
    const Context& pc = part.contexts_[c];
    Context g{intern(part.strings_[pc.mac]),          intern(part.strings_[pc.acl]),
              intern(part.strings_[pc.rule]),         intern(part.strings_[pc.target]),
              intern(part.strings_[pc.flow_log]),     intern(part.strings_[pc.network]),
              intern(part.strings_[pc.subscription]), intern(part.strings_[pc.region])};
    std::uint64_t h = XXH3_64bits(&g, sizeof(std::uint32_t) * 5);
    context_map[c] = context_index_.find_or_insert(
        h, contexts_.size(),
        [&](std::uint32_t e) {
          const Context& o = contexts_[e];
          return o.mac == g.mac && o.acl == g.acl && o.rule == g.rule && o.target == g.target &&
                 o.flow_log == g.flow_log;
        },
        [&] {
          contexts_.push_back(g);
          return static_cast<std::uint32_t>(contexts_.size() - 1);
        });
  }
  std::uint32_t encryption_map[32] = {};
  for (std::size_t b = 0; b < part.encryption_names_.size(); ++b) {
    encryption_map[b] = encryption_bit(part.encryption_names_[b]);
  }

  std::vector<std::uint32_t> entry_map(part.keys_.size());
  for (std::size_t e = 0; e < part.keys_.size(); ++e) {
    Key key = part.keys_[e];
    key.context = context_map[key.context];
    key.place = intern(part.strings_[key.place]);
    const Values& pv = part.values_[e];
    std::uint32_t entry = key_index_.find_or_insert(
        hash_key(key), keys_.size(), [&](std::uint32_t x) { return keys_[x] == key; },
        [&] {
          keys_.push_back(key);
          values_.push_back(Values{pv.first, pv.last, {0, 0, 0, 0}, 0, 0, 0, 0, 0, 0, 0});
          return static_cast<std::uint32_t>(keys_.size() - 1);
        });
    entry_map[e] = entry;
    Values& v = values_[entry];
    v.first = std::min(v.first, pv.first);
    v.last = std::max(v.last, pv.last);
    for (int i = 0; i < 4; ++i)
      v.flows[i] += pv.flows[i];
    v.completed += pv.completed;
    v.packets_sd += pv.packets_sd;
    v.packets_ds += pv.packets_ds;
    v.bytes_sd += pv.bytes_sd;
    v.bytes_ds += pv.bytes_ds;
    v.records += pv.records;
    for (std::size_t b = 0; b < part.encryption_names_.size(); ++b) {
      if (pv.encryptions & (1u << b)) v.encryptions |= encryption_map[b];
    }
  }
  // Source ports (the part's distinct pairs, if it deduplicated them).
  for (const auto& [e, port] : part.ports_)
    ports_.emplace_back(entry_map[e], port);
  for (const PublicStats& ps : part.public_) {
    std::uint32_t entry = entry_map[ps.entry];
    std::uint32_t p = public_index_.find_or_insert(
        hash_ip(ps.ip, entry), public_.size(),
        [&](std::uint32_t x) { return public_[x].entry == entry && public_[x].ip == ps.ip; },
        [&] {
          public_.push_back(PublicStats{entry, ps.ip, 0, 0, 0, 0, 0, 0});
          return static_cast<std::uint32_t>(public_.size() - 1);
        });
    PublicStats& s = public_[p];
    s.started += ps.started;
    s.ended += ps.ended;
    s.packets_sd += ps.packets_sd;
    s.packets_ds += ps.packets_ds;
    s.bytes_sd += ps.bytes_sd;
    s.bytes_ds += ps.bytes_ds;
  }
  for (const auto& entry : part.nic_addresses_) {
    // Named copies: lambdas may not capture structured bindings (clang 14).
    const IpAddress ip = entry.first;
    std::uint32_t network = intern(part.strings_[entry.second]);
    nic_index_.find_or_insert(
        hash_ip(ip, network), nic_addresses_.size(),
        [&](std::uint32_t x) {
          return nic_addresses_[x].second == network && nic_addresses_[x].first == ip;
        },
        [&] {
          nic_addresses_.emplace_back(ip, network);
          return static_cast<std::uint32_t>(nic_addresses_.size() - 1);
        });
  }
  part.clear_entries();
  part.take_nic_addresses();
}

void RollupBuilder::dedupe_ports() {
  std::sort(ports_.begin(), ports_.end());
  ports_.erase(std::unique(ports_.begin(), ports_.end()), ports_.end());
}

void RollupBuilder::clear_entries() {
  keys_.clear();
  values_.clear();
  key_index_.clear();
  ports_.clear();
  public_.clear();
  public_index_.clear();
}

std::vector<std::pair<IpAddress, std::string>> RollupBuilder::take_nic_addresses() {
  std::vector<std::pair<IpAddress, std::string>> out;
  out.reserve(nic_addresses_.size());
  for (const auto& [ip, network] : nic_addresses_)
    out.emplace_back(ip, std::string(strings_[network]));
  nic_addresses_.clear();
  nic_index_.clear();
  last_nic_address_ = {IpAddress{}, 0xffffffff};
  return out;
}

void RollupBuilder::flush(store::SegmentWriter& analytics, Ticks processed) {
  const store::TableDef& na = store::net_analytics_table();
  auto col = [&](std::string_view name) -> store::ColumnBuilder& {
    return analytics.column(static_cast<std::size_t>(na.column_index(name)));
  };
  // Source ports and public addresses, grouped by entry (a counting sort), each group then
  // sorted on its own: entry e's are [start[e], start[e + 1]).
  std::vector<std::uint32_t> port_start(keys_.size() + 1, 0), public_start(keys_.size() + 1, 0);
  for (const auto& p : ports_)
    ++port_start[p.first + 1];
  for (const PublicStats& p : public_)
    ++public_start[p.entry + 1];
  for (std::size_t e = 0; e < keys_.size(); ++e) {
    port_start[e + 1] += port_start[e];
    public_start[e + 1] += public_start[e];
  }
  std::vector<std::uint16_t> ports_by_entry(ports_.size());
  std::vector<std::uint32_t> public_order(public_.size());
  {
    std::vector<std::uint32_t> fill(port_start.begin(), port_start.end() - 1);
    for (const auto& p : ports_)
      ports_by_entry[fill[p.first]++] = p.second;
    fill.assign(public_start.begin(), public_start.end() - 1);
    for (std::uint32_t i = 0; i < public_.size(); ++i)
      public_order[fill[public_[i].entry]++] = i;
  }
  for (std::size_t e = 0; e < keys_.size(); ++e) {
    std::sort(ports_by_entry.begin() + port_start[e], ports_by_entry.begin() + port_start[e + 1]);
    std::sort(public_order.begin() + public_start[e], public_order.begin() + public_start[e + 1],
              [&](std::uint32_t a, std::uint32_t b) { return public_[a].ip < public_[b].ip; });
  }
  // Rows go out in interval order, so that each row group's zone map covers few intervals and
  // readers merge one interval at a time.
  std::vector<std::uint32_t> order(keys_.size());
  for (std::uint32_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return keys_[a].interval < keys_[b].interval;
  });

  store::ColumnBuilder &time_generated = col("TimeGenerated"),
                       &time_processed = col("TimeProcessed"), &sub_type = col("SubType"),
                       &schema = col("FaSchemaVersion"),
                       &interval_start = col("FlowIntervalStartTime"),
                       &interval_end = col("FlowIntervalEndTime"),
                       &flow_start = col("FlowStartTime"), &flow_end = col("FlowEndTime"),
                       &flow_type = col("FlowType"), &src_ip = col("SrcIp"),
                       &dest_ip = col("DestIp"), &src_public = col("SrcPublicIps"),
                       &dest_public = col("DestPublicIps"), &src_ports = col("SrcPorts"),
                       &dest_port = col("DestPort"), &l4 = col("L4Protocol"),
                       &l7 = col("L7Protocol"), &direction = col("FlowDirection"),
                       &status = col("FlowStatus"), &acl = col("AclGroup"), &rule = col("AclRule"),
                       &mac = col("MacAddress"), &target_col = col("TargetResourceId"),
                       &target_type = col("TargetResourceType"),
                       &flow_log_col = col("FlowLogResourceId"),
                       &allowed_in = col("AllowedInFlows"), &denied_in = col("DeniedInFlows"),
                       &allowed_out = col("AllowedOutFlows"), &denied_out = col("DeniedOutFlows"),
                       &completed = col("CompletedFlows"), &packets_sd = col("PacketsSrcToDest"),
                       &packets_ds = col("PacketsDestToSrc"), &bytes_sd = col("BytesSrcToDest"),
                       &bytes_ds = col("BytesDestToSrc"), &encryption = col("FlowEncryption"),
                       &record_count = col("RecordCount"), &udr_hop = col("IsFlowCapturedAtUdrHop");
  store::ColumnBuilder &country = col("Country"), &azure_region = col("AzureRegion");
  const TopologyColumns topology_columns{
      &col("SrcSubscription"), &col("DestSubscription"), &col("SrcRegion"),
      &col("DestRegion"),      &col("SrcNic"),           &col("DestNic"),
      &col("SrcVm"),           &col("DestVm"),           &col("SrcSubnet"),
      &col("DestSubnet"),      &col("ConnectionType"),   &col("ConnectionName")};

  std::string ports, public_list, word_list;
  std::vector<std::string_view> words;
  char ip_text[kMaxIpTextLength];
  for (std::uint32_t e : order) {
    const Key& k = keys_[e];
    const Values& v = values_[e];
    const Context& c = contexts_[k.context];
    bool inbound = k.direction == static_cast<std::uint8_t>(FlowDirection::kInbound);
    ports.clear();
    for (std::uint32_t p = port_start[e]; p < port_start[e + 1]; ++p) {
      if (p > port_start[e] && ports_by_entry[p] == ports_by_entry[p - 1]) continue;
      if (!ports.empty()) ports += '|';
      append_number(ports, ports_by_entry[p]);
    }
    public_list.clear();
    for (std::uint32_t p = public_start[e]; p < public_start[e + 1]; ++p) {
      const PublicStats& s = public_[public_order[p]];
      if (!public_list.empty()) public_list += ' ';
      public_list.append(ip_text, format_ip(s.ip, ip_text));
      for (std::int64_t n :
           {s.started, s.ended, s.packets_sd, s.packets_ds, s.bytes_sd, s.bytes_ds}) {
        public_list += '|';
        append_number(public_list, n);
      }
    }
    word_list.clear();
    words.clear();
    for (std::size_t b = 0; b < encryption_names_.size(); ++b) {
      if (v.encryptions & (1u << b)) words.push_back(encryption_word(encryption_names_[b]));
    }
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    for (std::string_view w : words) {
      if (w.empty()) continue;
      if (!word_list.empty()) word_list += ", ";
      word_list += w;
    }
    std::string_view target = strings_[c.target], flow_log = strings_[c.flow_log];
    std::string_view subscription = strings_[c.subscription];
    std::string_view region = strings_[c.region];
    char proto_buf[4];

    time_generated.add_int(processed);
    time_processed.add_int(processed);
    sub_type.add_string("FlowLog");
    schema.add_string("3");
    interval_start.add_int(k.interval);
    interval_end.add_int(k.interval + interval_);
    flow_start.add_int(v.first);
    flow_end.add_int(v.last);
    bool folded = is_folded(k.flow_type);
    flow_type.add_string(kFlowTypeNames[k.flow_type]);
    src_ip.add_ip(k.src);
    dest_ip.add_ip(k.dst);
    src_public.add_string(folded && inbound ? std::string_view(public_list) : "");
    dest_public.add_string(folded && !inbound ? std::string_view(public_list) : "");
    src_ports.add_string(ports);
    dest_port.add_int(k.dest_port);
    l4.add_string(l4_protocol_name(k.protocol, proto_buf));
    l7.add_string(l7_protocol(k.dest_port, k.protocol));
    direction.add_string(direction_name(static_cast<FlowDirection>(k.direction)));
    status.add_string(status_name(static_cast<FlowStatus>(k.status)));
    const enrich::TopoNsg* nsg = enricher_->nsg_for_acl(strings_[c.acl]);
    if (nsg != nullptr) {
      acl.add_string(joined(joined(nsg->subscription, nsg->resource_group), nsg->name));
    } else {
      acl.add_string(strings_[c.acl]);
    }
    rule.add_string(strings_[c.rule]);
    mac.add_string(strings_[c.mac]);
    target_col.add_string(target);
    target_type.add_string(target_resource_type(target));
    flow_log_col.add_string(flow_log);
    fill_topology_columns(topology_columns, k, inbound, subscription, region);
    country.add_string(
        k.flow_type == kExternalPublic || k.flow_type == kMaliciousFlow ? strings_[k.place] : "");
    azure_region.add_string(k.flow_type == kAzurePublic ? strings_[k.place] : "");
    allowed_in.add_int(v.flows[0]);
    denied_in.add_int(v.flows[1]);
    allowed_out.add_int(v.flows[2]);
    denied_out.add_int(v.flows[3]);
    completed.add_int(v.completed);
    packets_sd.add_int(v.packets_sd);
    packets_ds.add_int(v.packets_ds);
    bytes_sd.add_int(v.bytes_sd);
    bytes_ds.add_int(v.bytes_ds);
    encryption.add_string(word_list);
    record_count.add_int(v.records);
    udr_hop.add_null();
    analytics.row_appended();
  }

  clear_entries();
}

void RollupBuilder::fill_topology_columns(const TopologyColumns& columns, const Key& k,
                                          bool inbound, std::string_view subscription,
                                          std::string_view region) {
  struct SideView {
    std::string_view subscription, region, subnet, nic, vm;
  };
  SideView sides[2];  // 0 source, 1 destination
  // Bounded memory; cleared only here, before this row takes views into the memo.
  if (topology_sides_.size() >= (1u << 16)) topology_sides_.clear();
  const IpAddress* ips[2] = {&k.src, &k.dst};
  bool folded = is_folded(k.flow_type);
  for (int s = 0; s < 2; ++s) {
    bool local = (s == 1) == inbound;
    if (folded && !local) continue;  // the public side: its IP column is empty
    SideView& side = sides[s];
    if (enricher_->has_topology()) {
      const TopologySide& t = topology_side(*ips[s]);
      side = SideView{t.subscription, t.region, t.subnet, t.nic, t.vm};
    }
    // The capturing NIC's side without topology: its subscription (from the target) and region
    // (from the flow log's network watcher).
    if (local && side.subscription.empty()) side.subscription = subscription;
    if (local && side.region.empty()) side.region = region;
  }
  columns.src_subscription->add_string(sides[0].subscription);
  columns.dest_subscription->add_string(sides[1].subscription);
  columns.src_region->add_string(sides[0].region);
  columns.dest_region->add_string(sides[1].region);
  columns.src_nic->add_string(sides[0].nic);
  columns.dest_nic->add_string(sides[1].nic);
  columns.src_vm->add_string(sides[0].vm);
  columns.dest_vm->add_string(sides[1].vm);
  columns.src_subnet->add_string(sides[0].subnet);
  columns.dest_subnet->add_string(sides[1].subnet);

  // Gateway traffic: which connection carried it (reference §1.1 ConnectionType/Name).
  std::string connection_type, connection_name;
  const IpAddress& remote = inbound ? k.src : k.dst;
  if (k.flow_type == kS2S) {
    enrich::Endpoint ep = enricher_->endpoint(remote);
    const enrich::TopoConnection* c = ep.connection;
    connection_type = c != nullptr && c->type == "ExpressRoute" ? "ExpressRoute" : "VpnGateway";
    if (c != nullptr) connection_name = joined(joined(c->subscription, c->resource_group), c->name);
  } else if (k.flow_type == kP2S) {
    enrich::Endpoint ep = enricher_->endpoint(remote);
    connection_type = "VpnGateway";
    if (ep.p2s_gateway != nullptr) {
      connection_name = ep.p2s_gateway->name;
      connection_name += '_';
      connection_name += format_ip(remote);
    }
  } else if (k.flow_type == kInterVNet && enricher_->has_topology()) {
    connection_type = "VNetPeering";
  }
  columns.connection_type->add_string(connection_type);
  columns.connection_name->add_string(connection_name);
}

}  // namespace flowlens::aggregate
