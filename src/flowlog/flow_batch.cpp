#include "flowlog/flow_batch.h"

#include <array>
#include <charconv>

namespace flowlens {
namespace {

constexpr std::array<std::string_view, kFirstCustomEncryption> kKnownEncryptions = {
    "",                     // NSG logs have no encryption field
    "X",                    // encrypted
    "NX",                   // unencrypted (the default)
    "NX_HW_NOT_SUPPORTED",  // unsupported hardware
    "NX_SW_NOT_READY",      // software not ready; packet dropped
    "NX_NOT_ACCEPTED",      // dropped: no encryption though both ends require it
    "NX_NOT_SUPPORTED",     // discovery not supported; packet dropped
    "NX_LOCAL_DST",         // destination on the same host
    "NX_FALLBACK",          // fell back to no encryption
};

}  // namespace

std::string_view direction_name(FlowDirection d) {
  return d == FlowDirection::kInbound ? "Inbound" : "Outbound";
}

std::string_view state_code(FlowState s) {
  switch (s) {
    case FlowState::kNone:
      return "";
    case FlowState::kBegin:
      return "B";
    case FlowState::kContinuing:
      return "C";
    case FlowState::kEnd:
      return "E";
    case FlowState::kDeny:
      return "D";
  }
  return "";
}

std::string_view status_name(FlowStatus s) {
  return s == FlowStatus::kAllowed ? "Allowed" : "Denied";
}

std::string_view l4_protocol_name(std::uint8_t protocol, char* buf) {
  if (protocol == 6) return "TCP";
  if (protocol == 17) return "UDP";
  auto end = std::to_chars(buf, buf + 4, protocol).ptr;
  return {buf, static_cast<std::size_t>(end - buf)};
}

std::uint8_t known_encryption_id(std::string_view code) {
  for (std::size_t i = 1; i < kKnownEncryptions.size(); ++i) {
    if (kKnownEncryptions[i] == code) return static_cast<std::uint8_t>(i);
  }
  return 0xff;
}

void FlowBatch::reserve(std::size_t tuples) {
  flow_time.reserve(tuples);
  src_ip.reserve(tuples);
  dest_ip.reserve(tuples);
  src_port.reserve(tuples);
  dest_port.reserve(tuples);
  protocol.reserve(tuples);
  direction.reserve(tuples);
  state.reserve(tuples);
  status.reserve(tuples);
  encryption.reserve(tuples);
  packets_src_to_dest.reserve(tuples);
  bytes_src_to_dest.reserve(tuples);
  packets_dest_to_src.reserve(tuples);
  bytes_dest_to_src.reserve(tuples);
  version.reserve(tuples);
  group.reserve(tuples);
}

void FlowBatch::resize(std::size_t tuples) {
  flow_time.resize(tuples);
  src_ip.resize(tuples);
  dest_ip.resize(tuples);
  src_port.resize(tuples);
  dest_port.resize(tuples);
  protocol.resize(tuples);
  direction.resize(tuples);
  state.resize(tuples);
  status.resize(tuples);
  encryption.resize(tuples);
  packets_src_to_dest.resize(tuples);
  bytes_src_to_dest.resize(tuples);
  packets_dest_to_src.resize(tuples);
  bytes_dest_to_src.resize(tuples);
  version.resize(tuples);
  group.resize(tuples);
}

void FlowBatch::clear() {
  flow_time.clear();
  src_ip.clear();
  dest_ip.clear();
  src_port.clear();
  dest_port.clear();
  protocol.clear();
  direction.clear();
  state.clear();
  status.clear();
  encryption.clear();
  packets_src_to_dest.clear();
  bytes_src_to_dest.clear();
  packets_dest_to_src.clear();
  bytes_dest_to_src.clear();
  version.clear();
  group.clear();
  groups.clear();
  records.clear();
  custom_encryptions.clear();
  source = {};
  arena.clear();
}

std::string_view FlowBatch::encryption_name(std::size_t tuple) const {
  std::uint8_t id = encryption[tuple];
  if (id < kFirstCustomEncryption) return kKnownEncryptions[id];
  return custom_encryptions[id - kFirstCustomEncryption];
}

std::uint8_t FlowBatch::intern_other_encryption(std::string_view code) {
  std::uint8_t id = known_encryption_id(code);
  if (id != 0xff) return id;
  for (std::size_t i = 0; i < custom_encryptions.size(); ++i) {
    if (custom_encryptions[i] == code) return static_cast<std::uint8_t>(kFirstCustomEncryption + i);
  }
  if (custom_encryptions.size() >= 0xff - kFirstCustomEncryption) return 0xff;
  custom_encryptions.push_back(arena.copy(code));
  return static_cast<std::uint8_t>(kFirstCustomEncryption + custom_encryptions.size() - 1);
}

}  // namespace flowlens
