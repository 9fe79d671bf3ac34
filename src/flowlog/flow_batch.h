// FlowBatch: the parser's output, a columnar batch of flow tuples (design §3.1).
//
// Per-tuple values live in parallel column vectors indexed by tuple. Values shared by many
// tuples (record time, MAC, ACL id, rule, resource ids) live once per TupleGroup, the unit of
// the flow-log nesting that carries them: a VNet (aclID, rule) flow group, or an NSG
// (rule, mac) entry. Strings are owned by the batch's arena, so a batch is self-contained and
// can outlive the input buffer it was parsed from.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/ip_address.h"
#include "common/string_arena.h"
#include "common/timestamp.h"

namespace flowlens {

// A vector whose resize() leaves new elements uninitialised (for trivial types): the parser
// grows all columns once per record and then writes each slot exactly once.
template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  using std::allocator<T>::allocator;
  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
template <typename T>
using Column = std::vector<T, DefaultInitAllocator<T>>;

enum class FlowDirection : std::uint8_t { kInbound, kOutbound };
// kNone: NSG version 1 tuples carry no state.
enum class FlowState : std::uint8_t { kNone, kBegin, kContinuing, kEnd, kDeny };
enum class FlowStatus : std::uint8_t { kAllowed, kDenied };
enum class FlowLogKind : std::uint8_t { kVNet, kNsg };

std::string_view direction_name(FlowDirection d);  // Inbound / Outbound
std::string_view state_code(FlowState s);          // "", B, C, E, D
std::string_view status_name(FlowStatus s);        // Allowed / Denied
// TCP, UDP, else the protocol number as text ("1", "47"...). `buf` needs 4 bytes.
std::string_view l4_protocol_name(std::uint8_t protocol, char* buf);

// Encryption codes: index 0 is the empty string (NSG logs), 1-8 the values Microsoft documents.
// Codes of the form NX_<reason> that Microsoft adds later get batch-local ids above that.
inline constexpr std::uint8_t kEncryptionNone = 0;
inline constexpr std::uint8_t kFirstCustomEncryption = 9;
// Returns the id of a documented code, or 0xff when `code` is not one.
std::uint8_t known_encryption_id(std::string_view code);

// One parsed record: the context shared by all its groups.
struct RecordInfo {
  Ticks time;  // the record's `time`
  std::string_view target_resource_id;
  std::string_view flow_log_resource_id;  // empty for NSG logs
  FlowLogKind kind;
  std::int64_t record_index;  // position in the input's `records` array
  std::uint64_t byte_offset;  // where the record starts in the input
};

struct TupleGroup {
  std::uint32_t record;     // index into FlowBatch::records
  std::string_view acl_id;  // VNet aclID; NSG resourceId
  std::string_view rule;
  std::string_view mac;  // 12 upper-case hex digits
};

class FlowBatch {
 public:
  // Tuple columns, all the same length.
  Column<Ticks> flow_time;
  Column<IpAddress> src_ip;
  Column<IpAddress> dest_ip;
  Column<std::uint16_t> src_port;
  Column<std::uint16_t> dest_port;
  Column<std::uint8_t> protocol;  // IANA number
  Column<FlowDirection> direction;
  Column<FlowState> state;
  Column<FlowStatus> status;
  Column<std::uint8_t> encryption;  // id; see encryption_name()
  Column<std::int64_t> packets_src_to_dest;
  Column<std::int64_t> bytes_src_to_dest;
  Column<std::int64_t> packets_dest_to_src;
  Column<std::int64_t> bytes_dest_to_src;
  Column<std::uint8_t> version;  // 4 (VNet), 1 or 2 (NSG)
  Column<std::uint32_t> group;   // index into groups

  std::vector<TupleGroup> groups;
  std::vector<RecordInfo> records;
  std::vector<std::string_view> custom_encryptions;  // id kFirstCustomEncryption + i
  std::string_view source;                           // the input this batch came from
  StringArena arena;

  std::size_t size() const { return flow_time.size(); }
  void reserve(std::size_t tuples);
  // Sets the number of tuples; new slots are uninitialised until written.
  void resize(std::size_t tuples);
  void clear();

  const TupleGroup& group_of(std::size_t tuple) const { return groups[group[tuple]]; }
  const RecordInfo& record_of(std::size_t tuple) const { return records[group_of(tuple).record]; }
  std::string_view encryption_name(std::size_t tuple) const;
  // Interns an encryption code for this batch; returns 0xff when the batch already holds the
  // maximum number of custom codes (never the case with real logs).
  std::uint8_t intern_other_encryption(std::string_view code);
  std::uint8_t intern_encryption(std::string_view code) {
    // Nearly every tuple says NX or X.
    if (code.size() == 2 && code[0] == 'N' && code[1] == 'X') return 2;
    if (code.size() == 1 && code[0] == 'X') return 1;
    return intern_other_encryption(code);
  }
};

}  // namespace flowlens
