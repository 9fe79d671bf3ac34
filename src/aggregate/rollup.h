// The Traffic Analytics rollup (design §4): tuples aggregated per interval into NTANetAnalytics
// rows. (NTAIpDetails, one row per public address and interval, is derived from these rows
// when read: see store/ip_details.h.)
//
// A RollupBuilder aggregates the tuples of one commit into *partial* rows. Partial rows with the
// same key from different commits (late data, a blob read in two parts) are merged by readers
// and by compaction (see store/rollup_merge.h), which is what makes every tuple count exactly
// once whatever the order of arrival.
//
// Key: interval, MacAddress, AclGroup, AclRule, SrcIp, DestIp, DestPort, L4Protocol,
// FlowDirection, FlowStatus (plus TargetResourceId and FlowLogResourceId, which identify the
// capturing NIC's log). A remote side that is a public address is folded: its IP column is
// empty and the address goes, with its own counters, into SrcPublicIps or DestPublicIps as
// `ip|started|ended|pktsSrcToDest|pktsDestToSrc|bytesSrcToDest|bytesDestToSrc`.
//
// FlowType (reference §2.1), decided by the remote side of each tuple (the side that is not the
// capturing NIC):
//  - public: AzurePublic (168.63.129.16 and service-tag ranges; AzureRegion set), else
//    MaliciousFlow (listed by a threat feed) or ExternalPublic, with Country from geo-IP;
//  - private, with topology input: IntraVNet or InterVNet (its VNet against the local side's),
//    S2S (an on-premises site prefix), P2S (a VPN client pool), else UnknownPrivate;
//  - private, without topology: stored as "Private" and resolved when read, from the addresses
//    NICs were seen to own (see flow_type.h);
//  - special addresses (link-local, shared, multicast, ...): Unknown.
// With topology, the Src/Dest Subscription, Region, Subnet, NIC and VM columns come from it
// and AclGroup names the NSG; without, only the capturing side's subscription and region are
// known (from the record's resource ids).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/flat_index.h"
#include "common/string_arena.h"
#include "enrich/enricher.h"
#include "flowlog/flow_batch.h"
#include "store/segment.h"

namespace flowlens::aggregate {

inline constexpr std::string_view kStoredPrivate = "Private";

// FlowType as stored in keys; kFlowTypeNames gives the column value.
enum FlowTypeCode : std::uint8_t {
  kExternalPublic,
  kPrivateUnresolved,
  kUnknown,
  kIntraVNet,
  kInterVNet,
  kS2S,
  kP2S,
  kAzurePublic,
  kMaliciousFlow,
  kUnknownPrivate,
  kFlowTypeCount
};
extern const std::string_view kFlowTypeNames[kFlowTypeCount];

// Per tuple of a batch, what the rollup decided, for FlowTuples' enrichment columns. Countries
// are ids into `strings` (the builder's interned strings, valid as long as the builder; id 0
// is ""), so that the appender can cache one dictionary code per country.
struct TupleEnrichment {
  std::vector<std::uint8_t> flow_type;  // FlowTypeCode
  std::vector<std::uint32_t> src_country, dest_country;
  std::vector<std::uint32_t> src_asn, dest_asn;  // 0: unknown
  const std::vector<std::string_view>* strings = nullptr;
};

// Traffic Analytics' wording for a VNet encryption code.
std::string_view encryption_word(std::string_view code);

class RollupBuilder {
 public:
  // `enricher` (may be null: inference only) must outlive the builder.
  explicit RollupBuilder(Ticks interval, const enrich::Enricher* enricher = nullptr);

  // Aggregates every tuple of `batch` whose record time is after `skip_through` (records at or
  // before it are already stored: a rewritten blob read again). When `enrichment` is given, it
  // receives each tuple's FlowType, countries and ASNs (default values for skipped tuples).
  void add(const FlowBatch& batch, Ticks skip_through, TupleEnrichment* enrichment = nullptr);

  // Merges the entries of `part` (built from other tuples, for example of one chunk on a worker
  // thread) into this builder, and empties `part`. The result is the same as if this builder
  // had added those tuples itself.
  void absorb(RollupBuilder& part);
  // Drops repeated source ports of each entry now rather than at flush (a part does this on its
  // worker thread before it is absorbed).
  void dedupe_ports();

  std::size_t entries() const { return values_.size(); }
  std::size_t memory_bytes() const;

  // Writes the partial rows and clears. `processed` becomes TimeGenerated and TimeProcessed.
  void flush(store::SegmentWriter& analytics, Ticks processed);

  // (local address, network) pairs seen since the last call.
  std::vector<std::pair<IpAddress, std::string>> take_nic_addresses();

 private:
  struct Context {                                   // what the tuples of one flow group share
    std::uint32_t mac, acl, rule, target, flow_log;  // ids into strings_
    std::uint32_t network, subscription, region;     // ids into strings_, derived
  };
  struct Key {
    std::int64_t interval;
    IpAddress src;
    IpAddress dst;
    std::uint32_t context;
    std::uint32_t place;  // folded rows: id of the Country or AzureRegion they share
    std::uint16_t dest_port;
    std::uint8_t protocol;
    std::uint8_t direction;
    std::uint8_t status;
    std::uint8_t flow_type;   // FlowTypeCode
    std::uint8_t padding[2];  // zeroed: the key is hashed as raw bytes
    bool operator==(const Key& o) const { return std::memcmp(this, &o, sizeof(Key)) == 0; }
  };
  static_assert(sizeof(Key) == 56, "Key must have no implicit padding");
  struct Values {
    Ticks first, last;
    std::int64_t flows[4];  // AllowedIn, DeniedIn, AllowedOut, DeniedOut
    std::int64_t completed, packets_sd, packets_ds, bytes_sd, bytes_ds, records;
    std::uint32_t encryptions;  // bit per id in encryption_names_
    // The last source port listed for the entry: the B, C and E tuples of one flow repeat it,
    // and skipping those repeats keeps the port list (sorted and deduplicated later) short.
    std::uint32_t last_port = 0xffffffffu;
  };
  struct PublicStats {
    std::uint32_t entry;
    IpAddress ip;
    std::int64_t started, ended, packets_sd, packets_ds, bytes_sd, bytes_ds;
  };

  // What enrichment says about one address, cached per builder.
  struct AddressFacts {
    IpAddress ip;
    std::uint8_t flow_type;  // as a remote side: a public FlowTypeCode, or the private kind
    std::uint8_t valid;      // a filled cache slot
    std::uint32_t place;     // id of Country (External/Malicious) or AzureRegion (Azure)
    std::uint32_t country;   // id of the country ("" unknown)
    std::uint32_t asn;
    const enrich::TopoVnet* vnet;  // private addresses in the topology
  };
  AddressFacts facts_of(const IpAddress& ip, bool is_public);
  std::uint8_t private_flow_type(const AddressFacts& local, const AddressFacts& remote,
                                 std::uint32_t context);
  // The NTANetAnalytics columns that topology fills, resolved once per flush.
  struct TopologyColumns {
    store::ColumnBuilder *src_subscription, *dest_subscription, *src_region, *dest_region, *src_nic,
        *dest_nic, *src_vm, *dest_vm, *src_subnet, *dest_subnet, *connection_type, *connection_name;
  };
  void fill_topology_columns(const TopologyColumns& columns, const Key& k, bool inbound,
                             std::string_view subscription, std::string_view region);
  std::uint32_t country_id(std::string_view code);
  // What the topology says about an address as a row side, memoized (rows repeat addresses).
  struct TopologySide {
    std::string subscription, region, subnet, nic, vm;
  };
  const TopologySide& topology_side(const IpAddress& ip);
  std::unordered_map<IpAddress, TopologySide, IpAddressHash> topology_sides_;

  std::uint32_t intern(std::string_view s);
  void clear_entries();
  std::uint32_t context_of(const FlowBatch& batch, const TupleGroup& group);
  std::uint32_t encryption_bit(std::string_view code);
  static std::uint64_t hash_key(const Key& k);

  Ticks interval_;
  const enrich::Enricher* enricher_;
  bool no_enrichment_;       // no inputs: public peers are ExternalPublic without lookups
  std::uint32_t global_id_;  // "Global", the platform address's AzureRegion
  // String ids of two-letter country codes (0: not interned yet), so that a cache miss does
  // not hash the code again.
  std::vector<std::uint32_t> country_ids_ = std::vector<std::uint32_t>(26 * 26, 0);
  // A direct-mapped cache of AddressFacts by address hash: fixed memory, no clearing, and a
  // newer address simply replaces an older one in its slot.
  std::vector<AddressFacts> facts_cache_;
  AddressFacts last_facts_{};
  // Strings shared by many rows (MACs, ACL ids, rules, resource ids, networks).
  StringArena arena_;
  std::vector<std::string_view> strings_;
  FlatIndex string_index_;
  std::vector<Context> contexts_;
  FlatIndex context_index_;
  std::vector<std::string_view> encryption_names_;
  // The aggregation: keys and values by entry number.
  std::vector<Key> keys_;
  std::vector<Values> values_;
  FlatIndex key_index_;
  std::vector<std::pair<std::uint32_t, std::uint16_t>> ports_;  // (entry, source port)
  std::vector<PublicStats> public_;
  FlatIndex public_index_;
  // NIC-local addresses: (address, network id).
  std::vector<std::pair<IpAddress, std::uint32_t>> nic_addresses_;
  FlatIndex nic_index_;
  std::pair<IpAddress, std::uint32_t> last_nic_address_{IpAddress{}, 0xffffffff};
};

}  // namespace flowlens::aggregate
