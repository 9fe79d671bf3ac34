#include "output/flow_rows.h"

#include <charconv>
#include <cstdint>
#include <vector>

#include "common/json_text.h"
#include "output/flow_columns.h"

namespace flowlens {
namespace {

template <typename T>
void append_number(std::string& out, T value) {
  char buf[24];
  auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
  out.append(buf, static_cast<std::size_t>(end - buf));
}

void append_time(std::string& out, Ticks t) {
  char buf[kIso8601Length];
  format_iso8601(t, buf);
  out.append(buf, kIso8601Length);
}

void append_ip(std::string& out, const IpAddress& ip) {
  char buf[kMaxIpTextLength];
  out.append(buf, format_ip(ip, buf));
}

// Text shared by all tuples of a group (or the batch), rendered once per batch.
struct Pieces {
  std::vector<std::string> record_times;  // per record, already formatted
  std::vector<std::string> group_tails;   // per group: MacAddress..FlowLogResourceId
  std::string source_tail;                // Source and the line end
};

Pieces make_pieces(const FlowBatch& batch, RowFormat format) {
  Pieces p;
  p.record_times.reserve(batch.records.size());
  for (const RecordInfo& r : batch.records)
    p.record_times.push_back(format_iso8601(r.time));
  p.group_tails.reserve(batch.groups.size());
  for (const TupleGroup& g : batch.groups) {
    const RecordInfo& r = batch.records[g.record];
    std::string s;
    if (format == RowFormat::kNdjson) {
      s += ",\"MacAddress\":";
      append_json_string(s, g.mac);
      s += ",\"AclId\":";
      append_json_string(s, g.acl_id);
      s += ",\"AclRule\":";
      append_json_string(s, g.rule);
      s += ",\"TargetResourceId\":";
      append_json_string(s, r.target_resource_id);
      s += ",\"FlowLogResourceId\":";
      append_json_string(s, r.flow_log_resource_id);
      s += ",\"FlowLogVersion\":";
    } else {
      for (std::string_view v :
           {g.mac, g.acl_id, g.rule, r.target_resource_id, r.flow_log_resource_id}) {
        s += ',';
        append_csv_field(s, v);
      }
      s += ',';
    }
    p.group_tails.push_back(std::move(s));
  }
  if (format == RowFormat::kNdjson) {
    p.source_tail += ",\"Source\":";
    append_json_string(p.source_tail, batch.source);
    p.source_tail += "}\n";
  } else {
    p.source_tail += ',';
    append_csv_field(p.source_tail, batch.source);
    p.source_tail += '\n';
  }
  return p;
}

}  // namespace

std::string csv_header() {
  std::string h;
  for (std::size_t i = 0; i < kFlowColumns.size(); ++i) {
    if (i > 0) h += ',';
    h += kFlowColumns[i].name;
  }
  h += '\n';
  return h;
}

void render_rows(const FlowBatch& batch, RowFormat format, std::string& out) {
  Pieces pieces = make_pieces(batch, format);
  const bool json = format == RowFormat::kNdjson;
  out.reserve(out.size() + batch.size() * (json ? 560 : 360));
  char proto_buf[4];
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const TupleGroup& g = batch.groups[batch.group[i]];
    if (json) {
      out += "{\"FlowTime\":\"";
      append_time(out, batch.flow_time[i]);
      out += "\",\"RecordTime\":\"";
      out += pieces.record_times[g.record];
      out += "\",\"SrcIp\":\"";
      append_ip(out, batch.src_ip[i]);
      out += "\",\"DestIp\":\"";
      append_ip(out, batch.dest_ip[i]);
      out += "\",\"SrcPort\":";
      append_number(out, batch.src_port[i]);
      out += ",\"DestPort\":";
      append_number(out, batch.dest_port[i]);
      out += ",\"Protocol\":";
      append_number(out, batch.protocol[i]);
      out += ",\"L4Protocol\":\"";
      out += l4_protocol_name(batch.protocol[i], proto_buf);
      out += "\",\"FlowDirection\":\"";
      out += direction_name(batch.direction[i]);
      out += "\",\"FlowState\":\"";
      out += state_code(batch.state[i]);
      out += "\",\"FlowStatus\":\"";
      out += status_name(batch.status[i]);
      out += "\",\"FlowEncryption\":\"";
      out += batch.encryption_name(i);  // validated: [A-Z0-9_] only
      out += "\",\"PacketsSrcToDest\":";
      append_number(out, batch.packets_src_to_dest[i]);
      out += ",\"BytesSrcToDest\":";
      append_number(out, batch.bytes_src_to_dest[i]);
      out += ",\"PacketsDestToSrc\":";
      append_number(out, batch.packets_dest_to_src[i]);
      out += ",\"BytesDestToSrc\":";
      append_number(out, batch.bytes_dest_to_src[i]);
    } else {
      append_time(out, batch.flow_time[i]);
      out += ',';
      out += pieces.record_times[g.record];
      out += ',';
      append_ip(out, batch.src_ip[i]);
      out += ',';
      append_ip(out, batch.dest_ip[i]);
      out += ',';
      append_number(out, batch.src_port[i]);
      out += ',';
      append_number(out, batch.dest_port[i]);
      out += ',';
      append_number(out, batch.protocol[i]);
      out += ',';
      out += l4_protocol_name(batch.protocol[i], proto_buf);
      out += ',';
      out += direction_name(batch.direction[i]);
      out += ',';
      out += state_code(batch.state[i]);
      out += ',';
      out += status_name(batch.status[i]);
      out += ',';
      out += batch.encryption_name(i);
      out += ',';
      append_number(out, batch.packets_src_to_dest[i]);
      out += ',';
      append_number(out, batch.bytes_src_to_dest[i]);
      out += ',';
      append_number(out, batch.packets_dest_to_src[i]);
      out += ',';
      append_number(out, batch.bytes_dest_to_src[i]);
    }
    out += pieces.group_tails[batch.group[i]];
    append_number(out, batch.version[i]);
    out += pieces.source_tail;
  }
}

}  // namespace flowlens
