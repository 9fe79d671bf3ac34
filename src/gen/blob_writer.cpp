#include "gen/blob_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <vector>

#include "gen/random.h"
#include "gen/traffic.h"

namespace flowlens::gen {
namespace {

struct Event {
  Ticks time;
  std::uint32_t flow;
  std::uint8_t seq;  // order of the flow's tuples
  FlowState state;
  std::int64_t packets_src_to_dest;
  std::int64_t bytes_src_to_dest;
  std::int64_t packets_dest_to_src;
  std::int64_t bytes_dest_to_src;
};

constexpr Ticks kContinuationInterval = 5 * kTicksPerMinute;
constexpr Ticks kRetryOffsets[] = {0, 3 * kTicksPerSecond, 9 * kTicksPerSecond};

// The tuples a flow produces over its life. C and E carry the traffic since the flow's
// previous tuple; B and D carry none.
void flow_events(const Flow& f, std::uint32_t index, LogKind kind, std::vector<Event>& out) {
  if (f.denied) {
    for (std::uint8_t a = 0; a < f.attempts; ++a) {
      out.push_back(Event{f.start + kRetryOffsets[a], index, a,
                          kind == LogKind::kVNet ? FlowState::kDeny : FlowState::kBegin, 0, 0, 0,
                          0});
    }
    return;
  }
  out.push_back(Event{f.start, index, 0, FlowState::kBegin, 0, 0, 0, 0});
  if (kind == LogKind::kNsgV1) return;  // v1 logs a flow once, when it starts
  Ticks end = f.start + f.duration;
  std::int64_t done[4] = {0, 0, 0, 0};
  const std::int64_t total[4] = {f.packets_src_to_dest, f.bytes_src_to_dest, f.packets_dest_to_src,
                                 f.bytes_dest_to_src};
  std::uint8_t seq = 1;
  for (Ticks t = f.start + kContinuationInterval;; t += kContinuationInterval) {
    bool last = t >= end;
    Ticks at = last ? end : t;
    std::int64_t delta[4];
    for (int k = 0; k < 4; ++k) {
      std::int64_t cumulative =
          last ? total[k]
               : static_cast<std::int64_t>(static_cast<int128>(total[k]) * (at - f.start) /
                                           std::max<Ticks>(1, f.duration));
      delta[k] = cumulative - done[k];
      done[k] = cumulative;
    }
    out.push_back(Event{at, index, seq++, last ? FlowState::kEnd : FlowState::kContinuing, delta[0],
                        delta[1], delta[2], delta[3]});
    if (last) break;
  }
}

template <typename T>
void put_number(std::string& out, T v) {
  char buf[24];
  auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  out.append(buf, static_cast<std::size_t>(end - buf));
}

void put_ip(std::string& out, const IpAddress& ip) {
  char buf[kMaxIpTextLength];
  out.append(buf, format_ip(ip, buf));
}

std::string flow_log_resource_id(const World& w, const VNet& v) {
  return upper(
      fmt::format("/SUBSCRIPTIONS/{}/RESOURCEGROUPS/NETWORKWATCHERRG/PROVIDERS/MICROSOFT.NETWORK/"
                  "NETWORKWATCHERS/NETWORKWATCHER_{}/FLOWLOGS/{}",
                  w.subscription, v.region, v.flow_log_name));
}

std::string vnet_resource_id(const World& w, const VNet& v) {
  return fmt::format(
      "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/virtualNetworks/{}",
      w.subscription, v.resource_group, v.name);
}

std::string nsg_resource_id(const World& w, const Nsg& n) {
  return upper(fmt::format(
      "/SUBSCRIPTIONS/{}/RESOURCEGROUPS/{}/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/{}",
      w.subscription, n.resource_group, n.name));
}

// Encryption as VNet flow logs report it: the SQL tier has VNet encryption, the rest not.
const char* encryption_of(const Flow& f) {
  return !f.denied && f.dest_port == 1433 ? "X" : "NX";
}

}  // namespace

void BlobStats::merge(const BlobStats& o) {
  bool had = tuples > 0;
  files += o.files;
  unterminated += o.unterminated;
  bytes += o.bytes;
  records += o.records;
  tuples += o.tuples;
  for (std::size_t i = 0; i < 3; ++i)
    by_version[i] += o.by_version[i];
  for (std::size_t i = 0; i < 5; ++i)
    by_state[i] += o.by_state[i];
  for (std::size_t i = 0; i < 2; ++i)
    by_status[i] += o.by_status[i];
  for (std::size_t i = 0; i < 2; ++i)
    by_direction[i] += o.by_direction[i];
  for (std::size_t i = 0; i < 3; ++i)
    by_protocol[i] += o.by_protocol[i];
  packets_src_to_dest += o.packets_src_to_dest;
  bytes_src_to_dest += o.bytes_src_to_dest;
  packets_dest_to_src += o.packets_dest_to_src;
  bytes_dest_to_src += o.bytes_dest_to_src;
  if (o.tuples > 0) {
    first_flow = had ? std::min(first_flow, o.first_flow) : o.first_flow;
    last_flow = had ? std::max(last_flow, o.last_flow) : o.last_flow;
  }
}

std::string BlobStats::to_json() const {
  return fmt::format(
      "{{\"files\":{},\"unterminatedFiles\":{},\"bytes\":{},\"records\":{},\"tuples\":{},"
      "\"byVersion\":{{\"1\":{},\"2\":{},\"4\":{}}},"
      "\"byState\":{{\"\":{},\"B\":{},\"C\":{},\"E\":{},\"D\":{}}},"
      "\"byStatus\":{{\"Allowed\":{},\"Denied\":{}}},"
      "\"byDirection\":{{\"Inbound\":{},\"Outbound\":{}}},"
      "\"byProtocol\":{{\"TCP\":{},\"UDP\":{},\"other\":{}}},"
      "\"packetsSrcToDest\":{},\"bytesSrcToDest\":{},\"packetsDestToSrc\":{},"
      "\"bytesDestToSrc\":{},\"firstFlowTime\":\"{}\",\"lastFlowTime\":\"{}\"}}\n",
      files, unterminated, bytes, records, tuples, by_version[0], by_version[1], by_version[2],
      by_state[0], by_state[1], by_state[2], by_state[3], by_state[4], by_status[0], by_status[1],
      by_direction[0], by_direction[1], by_protocol[0], by_protocol[1], by_protocol[2],
      packets_src_to_dest, bytes_src_to_dest, packets_dest_to_src, bytes_dest_to_src,
      format_iso8601(first_flow), format_iso8601(last_flow));
}

std::string blob_path(const World& w, const BlobRequest& r) {
  const Nic& nic = w.nics[r.nic];
  const Subnet& subnet = w.subnets[nic.subnet];
  Ticks t = r.hour * kTicksPerHour;
  std::string stamp = format_iso8601(t);  // YYYY-MM-DDTHH:...
  std::string when =
      fmt::format("y={}/m={}/d={}/h={}/m=00/macAddress={}/PT1H.json", stamp.substr(0, 4),
                  stamp.substr(5, 2), stamp.substr(8, 2), stamp.substr(11, 2), nic.mac);
  if (r.kind == LogKind::kVNet) {
    // Azure's real layout (reference §3.2, form 3): /{SUB}_{RG}/{WATCHER}_{FLOWLOG}, upper case.
    const VNet& v = w.vnets[subnet.vnet];
    return "insights-logs-flowlogflowevent/flowLogResourceID=/" +
           upper(fmt::format("{}_NETWORKWATCHERRG/NETWORKWATCHER_{}_{}", w.subscription, v.region,
                             v.flow_log_name)) +
           "/" + when;
  }
  const Nsg& nsg = w.nsgs[subnet.nsg];
  return "insights-logs-networksecuritygroupflowevent/resourceId=" + nsg_resource_id(w, nsg) + "/" +
         when;
}

BlobStats render_blob(const World& w, std::uint64_t seed, const BlobRequest& r, std::string& out) {
  out.clear();
  BlobStats stats;
  const Nic& nic = w.nics[r.nic];
  const Subnet& subnet = w.subnets[nic.subnet];
  const VNet& vnet = w.vnets[subnet.vnet];
  const Nsg& nsg = w.nsgs[subnet.nsg];

  // Flows that may have tuples in this blob: those started in this hour or the one before.
  std::vector<Flow> flows;
  flows_at_nic(w, seed, r.nic, r.hour - 1, flows);
  flows_at_nic(w, seed, r.nic, r.hour, flows);

  // A record written at minute m+1 (plus a few seconds) carries the tuples of minute m, so the
  // blob of hour h holds minutes 60h-1 .. 60h+58.
  const std::int64_t first_minute = r.hour * 60 - 1;
  const std::int64_t end_minute = first_minute + r.minutes;
  std::vector<Event> events;
  for (std::uint32_t i = 0; i < flows.size(); ++i)
    flow_events(flows[i], i, r.kind, events);
  std::erase_if(events, [&](const Event& e) {
    std::int64_t minute = e.time / kTicksPerMinute;
    return minute < first_minute || minute >= end_minute;
  });
  if (events.empty()) return stats;
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.flow != b.flow) return a.flow < b.flow;
    return a.seq < b.seq;
  });

  const std::string mac = nic.mac;
  const std::string flow_log_id = flow_log_resource_id(w, vnet);
  const std::string target_id = vnet_resource_id(w, vnet);
  const std::string nsg_id = nsg_resource_id(w, nsg);
  const int version = r.kind == LogKind::kNsgV1 ? 1 : 2;

  out.reserve(events.size() * 90 + 4096);
  out += "{\"records\":[";
  std::size_t begin = 0;
  bool first_record = true;
  Ticks lo = std::numeric_limits<Ticks>::max(), hi = std::numeric_limits<Ticks>::min();
  while (begin < events.size()) {
    // Truncating to seconds (NSG) never changes the minute, so one rule fits all kinds.
    std::int64_t minute = events[begin].time / kTicksPerMinute;
    std::size_t end = begin;
    while (end < events.size() && events[end].time / kTicksPerMinute == minute)
      ++end;
    // The record's time: a few seconds after the minute it covers, 100 ns precision.
    Rng jitter(mix_seed(seed, r.nic + 1, static_cast<std::uint64_t>(minute), 0x7173));
    Ticks record_time = (minute + 1) * kTicksPerMinute + 3 * kTicksPerSecond +
                        static_cast<Ticks>(jitter.below(27 * kTicksPerSecond));
    char time_text[kIso8601Length];
    format_iso8601(record_time, time_text);

    // Group key: (avnm, rule). Groups in a fixed order: AVNM first, then NSG rules by id.
    auto key_of = [&](const Event& e) {
      const Verdict& v = flows[e.flow].verdict;
      bool avnm = v.avnm && r.kind == LogKind::kVNet;
      return avnm ? 0u : 1u + v.rule;
    };
    std::vector<std::uint32_t> keys;
    for (std::size_t i = begin; i < end; ++i)
      keys.push_back(key_of(events[i]));
    std::vector<std::uint32_t> distinct = keys;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());

    out += first_record ? "{" : ",{";
    first_record = false;
    out += "\"time\":\"";
    out.append(time_text, kIso8601Length);
    out += '"';
    if (r.kind == LogKind::kVNet) {
      out += ",\"flowLogVersion\":4,\"flowLogGUID\":\"" + vnet.flow_log_guid +
             "\",\"macAddress\":\"" + mac +
             "\",\"category\":\"FlowLogFlowEvent\",\"flowLogResourceID\":\"" + flow_log_id +
             "\",\"targetResourceID\":\"" + target_id +
             "\",\"operationName\":\"FlowLogFlowEvent\",\"flowRecords\":{\"flows\":[";
    } else {
      out += ",\"systemId\":\"" + nsg.guid + "\",\"macAddress\":\"" + mac +
             "\",\"category\":\"NetworkSecurityGroupFlowEvent\",\"resourceId\":\"" + nsg_id +
             "\",\"operationName\":\"NetworkSecurityGroupFlowEvents\",\"properties\":{"
             "\"Version\":" +
             std::to_string(version) + ",\"flows\":[";
    }
    bool open_acl = false;
    for (std::size_t d = 0; d < distinct.size(); ++d) {
      std::uint32_t key = distinct[d];
      const char* rule = key == 0 ? nullptr : kRuleNames[key - 1];
      if (r.kind == LogKind::kVNet) {
        // One aclID entry for the AVNM configuration, one for the subnet's NSG.
        bool new_acl = d == 0 || (distinct[d - 1] == 0 && key != 0);
        if (new_acl) {
          if (open_acl) out += "]},";
          out += "{\"aclID\":\"";
          out += key == 0 ? w.avnm_guid : nsg.guid;
          out += "\",\"flowGroups\":[";
          open_acl = true;
        } else {
          out += ',';
        }
        out += "{\"rule\":\"";
        out += key == 0 ? w.avnm_rule : std::string(rule);
        out += "\",\"flowTuples\":[";
      } else {
        if (d > 0) out += ',';
        out += "{\"rule\":\"";
        out += rule;
        out += "\",\"flows\":[{\"mac\":\"" + mac + "\",\"flowTuples\":[";
      }
      bool first_tuple = true;
      for (std::size_t i = begin; i < end; ++i) {
        if (keys[i - begin] != key) continue;
        const Event& e = events[i];
        const Flow& f = flows[e.flow];
        out += first_tuple ? "\"" : ",\"";
        first_tuple = false;
        Ticks t = e.time;
        if (r.kind == LogKind::kVNet) {
          put_number(out, t / kTicksPerMillisecond);
        } else {
          t -= t % kTicksPerSecond;
          put_number(out, t / kTicksPerSecond);
        }
        lo = std::min(lo, t);
        hi = std::max(hi, t);
        out += ',';
        put_ip(out, f.src);
        out += ',';
        put_ip(out, f.dst);
        out += ',';
        put_number(out, f.src_port);
        out += ',';
        put_number(out, f.dest_port);
        out += ',';
        if (r.kind == LogKind::kVNet) {
          put_number(out, f.protocol);
        } else {
          out += f.protocol == 6 ? 'T' : 'U';
        }
        out += f.direction == FlowDirection::kInbound ? ",I," : ",O,";
        bool counters = false;
        if (r.kind == LogKind::kVNet) {
          out += state_code(e.state);
          out += ',';
          out += encryption_of(f);
          out += ',';
          counters = true;
          stats.by_version[2]++;
        } else {
          out += f.denied ? 'D' : 'A';
          if (r.kind == LogKind::kNsgV2) {
            out += ',';
            out += state_code(e.state);
            out += ',';
            counters = true;
            stats.by_version[1]++;
          } else {
            stats.by_version[0]++;
          }
        }
        if (counters) {
          if (r.kind == LogKind::kNsgV2 && e.state == FlowState::kBegin) {
            out += ",,,";  // NSG v2 leaves B counters empty
          } else {
            put_number(out, e.packets_src_to_dest);
            out += ',';
            put_number(out, e.bytes_src_to_dest);
            out += ',';
            put_number(out, e.packets_dest_to_src);
            out += ',';
            put_number(out, e.bytes_dest_to_src);
          }
        }
        out += '"';
        ++stats.tuples;
        FlowState state = r.kind == LogKind::kNsgV1 ? FlowState::kNone : e.state;
        ++stats.by_state[static_cast<std::size_t>(state)];
        ++stats.by_status[f.denied ? 1 : 0];
        ++stats.by_direction[f.direction == FlowDirection::kInbound ? 0 : 1];
        ++stats.by_protocol[f.protocol == 6 ? 0 : f.protocol == 17 ? 1 : 2];
        if (counters) {
          stats.packets_src_to_dest += static_cast<std::uint64_t>(e.packets_src_to_dest);
          stats.bytes_src_to_dest += static_cast<std::uint64_t>(e.bytes_src_to_dest);
          stats.packets_dest_to_src += static_cast<std::uint64_t>(e.packets_dest_to_src);
          stats.bytes_dest_to_src += static_cast<std::uint64_t>(e.bytes_dest_to_src);
        }
      }
      out += r.kind == LogKind::kVNet ? "]}" : "]}]}";
    }
    if (r.kind == LogKind::kVNet) out += "]}";  // flowGroups, acl entry
    out += "]}}";                               // flows, flowRecords/properties, record
    ++stats.records;
    begin = end;
  }
  bool complete = r.minutes >= 60;
  if (complete) out += "]}";
  stats.files = 1;
  stats.unterminated = complete ? 0 : 1;
  stats.bytes = out.size();
  stats.first_flow = lo;
  stats.last_flow = hi;
  return stats;
}

}  // namespace flowlens::gen
