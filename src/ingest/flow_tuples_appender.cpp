#include "ingest/flow_tuples_appender.h"

#include <algorithm>

#include "store/table_schema.h"

namespace flowlens::ingest {
namespace {

constexpr std::uint32_t kUnset = 0xffffffff;

// Column positions in store::flow_tuples_table().
enum Col : std::size_t {
  kFlowTime,
  kRecordTime,
  kSrcIp,
  kDestIp,
  kSrcPort,
  kDestPort,
  kProtocol,
  kL4Protocol,
  kFlowDirection,
  kFlowState,
  kFlowStatus,
  kFlowEncryption,
  kPacketsSrcToDest,
  kBytesSrcToDest,
  kPacketsDestToSrc,
  kBytesDestToSrc,
  kMacAddress,
  kAclId,
  kAclRule,
  kTargetResourceId,
  kFlowLogResourceId,
  kFlowLogVersion,
  kSource,
  kFlowType,
  kSrcCountry,
  kDestCountry,
  kSrcAsn,
  kDestAsn,
  kColumnCount
};

// Checked once: the enum above must match the table definition.
bool layout_matches() {
  static constexpr std::string_view kNames[] = {
      "FlowTime",         "RecordTime",       "SrcIp",
      "DestIp",           "SrcPort",          "DestPort",
      "Protocol",         "L4Protocol",       "FlowDirection",
      "FlowState",        "FlowStatus",       "FlowEncryption",
      "PacketsSrcToDest", "BytesSrcToDest",   "PacketsDestToSrc",
      "BytesDestToSrc",   "MacAddress",       "AclId",
      "AclRule",          "TargetResourceId", "FlowLogResourceId",
      "FlowLogVersion",   "Source",           "FlowType",
      "SrcCountry",       "DestCountry",      "SrcAsn",
      "DestAsn"};
  const store::TableDef& t = store::flow_tuples_table();
  if (t.columns.size() != kColumnCount) return false;
  for (std::size_t i = 0; i < kColumnCount; ++i) {
    if (t.columns[i].name != kNames[i]) return false;
  }
  return true;
}

}  // namespace

FlowTuplesAppender::FlowTuplesAppender() {
  if (!layout_matches()) throw std::logic_error("FlowTuples column layout changed");
  writer_ = store::new_segment_writer(store::flow_tuples_table());
  for (auto& codes : small_codes_)
    std::fill(std::begin(codes), std::end(codes), kUnset);
  reset_country_codes();
}

void FlowTuplesAppender::add_country(store::ColumnBuilder& column, std::uint32_t* codes,
                                     std::uint32_t id,
                                     const aggregate::TupleEnrichment& enrichment) {
  if (id >= kCountryCodeSlots) {
    column.add_string((*enrichment.strings)[id]);
    return;
  }
  if (codes[id] == kUnset) codes[id] = column.intern((*enrichment.strings)[id]);
  column.add_code(codes[id]);
}

void FlowTuplesAppender::reset_country_codes() {
  std::fill(std::begin(src_country_codes_), std::end(src_country_codes_), kUnset);
  std::fill(std::begin(dest_country_codes_), std::end(dest_country_codes_), kUnset);
}

store::SegmentFragment FlowTuplesAppender::take_fragment() {
  store::SegmentFragment f = writer_->take_fragment();
  reset_country_codes();
  // The row groups' dictionaries went with them.
  for (auto& codes : small_codes_)
    std::fill(std::begin(codes), std::end(codes), kUnset);
  return f;
}

std::uint64_t FlowTuplesAppender::add(const FlowBatch& batch, std::string_view source,
                                      Ticks skip_through,
                                      const aggregate::TupleEnrichment* enrichment) {
  store::SegmentWriter& w = *writer_;
  store::ColumnBuilder* c[kColumnCount];
  for (std::size_t i = 0; i < kColumnCount; ++i)
    c[i] = &w.column(i);

  // Codes cached for this batch and row group.
  group_codes_.assign(batch.groups.size() * 5, kUnset);
  std::fill(std::begin(small_codes_[4]) + kFirstCustomEncryption, std::end(small_codes_[4]),
            kUnset);      // custom encryption ids are batch-local
  reset_country_codes();  // string ids belong to the batch's rollup builder
  std::uint32_t source_code = kUnset;
  char proto_buf[4];

  std::uint64_t appended = 0;
  const std::size_t n = batch.size();
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t g = batch.group[i];
    const TupleGroup& group = batch.groups[g];
    const RecordInfo& record = batch.records[group.record];
    if (record.time <= skip_through) continue;

    c[kFlowTime]->add_int(batch.flow_time[i]);
    c[kRecordTime]->add_int(record.time);
    c[kSrcIp]->add_ip(batch.src_ip[i]);
    c[kDestIp]->add_ip(batch.dest_ip[i]);
    c[kSrcPort]->add_int(batch.src_port[i]);
    c[kDestPort]->add_int(batch.dest_port[i]);
    std::uint8_t protocol = batch.protocol[i];
    c[kProtocol]->add_int(protocol);

    std::uint32_t& l4 = small_codes_[0][protocol];
    if (l4 == kUnset) l4 = c[kL4Protocol]->intern(l4_protocol_name(protocol, proto_buf));
    c[kL4Protocol]->add_code(l4);
    auto direction = static_cast<std::uint8_t>(batch.direction[i]);
    std::uint32_t& dir = small_codes_[1][direction];
    if (dir == kUnset) dir = c[kFlowDirection]->intern(direction_name(batch.direction[i]));
    c[kFlowDirection]->add_code(dir);
    auto state = static_cast<std::uint8_t>(batch.state[i]);
    std::uint32_t& st = small_codes_[2][state];
    if (st == kUnset) st = c[kFlowState]->intern(state_code(batch.state[i]));
    c[kFlowState]->add_code(st);
    auto status = static_cast<std::uint8_t>(batch.status[i]);
    std::uint32_t& stat = small_codes_[3][status];
    if (stat == kUnset) stat = c[kFlowStatus]->intern(status_name(batch.status[i]));
    c[kFlowStatus]->add_code(stat);
    std::uint32_t& enc = small_codes_[4][batch.encryption[i]];
    if (enc == kUnset) enc = c[kFlowEncryption]->intern(batch.encryption_name(i));
    c[kFlowEncryption]->add_code(enc);

    c[kPacketsSrcToDest]->add_int(batch.packets_src_to_dest[i]);
    c[kBytesSrcToDest]->add_int(batch.bytes_src_to_dest[i]);
    c[kPacketsDestToSrc]->add_int(batch.packets_dest_to_src[i]);
    c[kBytesDestToSrc]->add_int(batch.bytes_dest_to_src[i]);

    std::uint32_t* codes = &group_codes_[g * 5];
    if (codes[0] == kUnset) {
      codes[0] = c[kMacAddress]->intern(group.mac);
      codes[1] = c[kAclId]->intern(group.acl_id);
      codes[2] = c[kAclRule]->intern(group.rule);
      codes[3] = c[kTargetResourceId]->intern(record.target_resource_id);
      codes[4] = c[kFlowLogResourceId]->intern(record.flow_log_resource_id);
    }
    c[kMacAddress]->add_code(codes[0]);
    c[kAclId]->add_code(codes[1]);
    c[kAclRule]->add_code(codes[2]);
    c[kTargetResourceId]->add_code(codes[3]);
    c[kFlowLogResourceId]->add_code(codes[4]);
    c[kFlowLogVersion]->add_int(batch.version[i]);
    if (source_code == kUnset) source_code = c[kSource]->intern(source);
    c[kSource]->add_code(source_code);
    if (enrichment != nullptr) {
      std::uint8_t type = enrichment->flow_type[i];
      std::uint32_t& tc = small_codes_[5][type];
      if (tc == kUnset) tc = c[kFlowType]->intern(aggregate::kFlowTypeNames[type]);
      c[kFlowType]->add_code(tc);
      // One dictionary lookup per country and row group, not per tuple.
      add_country(*c[kSrcCountry], src_country_codes_, enrichment->src_country[i], *enrichment);
      add_country(*c[kDestCountry], dest_country_codes_, enrichment->dest_country[i], *enrichment);
      c[kSrcAsn]->add_int(enrichment->src_asn[i]);
      c[kDestAsn]->add_int(enrichment->dest_asn[i]);
    } else {
      c[kFlowType]->add_string("");
      c[kSrcCountry]->add_string("");
      c[kDestCountry]->add_string("");
      c[kSrcAsn]->add_int(0);
      c[kDestAsn]->add_int(0);
    }
    ++appended;

    if (w.row_appended()) {
      // A new row group: its dictionaries start empty.
      for (auto& small : small_codes_)
        std::fill(std::begin(small), std::end(small), kUnset);
      reset_country_codes();
      std::fill(group_codes_.begin(), group_codes_.end(), kUnset);
      source_code = kUnset;
    }
  }
  return appended;
}

}  // namespace flowlens::ingest
