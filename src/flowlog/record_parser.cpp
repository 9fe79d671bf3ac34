#include "flowlog/record_parser.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cstring>
#include <optional>
#include <string>

#include "flowlog/tuple_parser.h"

namespace flowlens {
namespace {

namespace od = simdjson::ondemand;

std::string_view json_type_name(od::json_type t) {
  switch (t) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "a number";
    case od::json_type::string:
      return "a string";
    case od::json_type::boolean:
      return "a boolean";
    case od::json_type::null:
      return "null";
  }
  return "unknown";
}

// Normalises a MAC address to 12 upper-case hex digits. Accepts the bare form Azure writes and,
// leniently, the dash- or colon-separated forms other tools print.
bool normalize_mac(std::string_view in, char (&out)[12]) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if ((c == '-' || c == ':') && in.size() == 17 && i % 3 == 2) continue;
    if (n == 12) return false;
    if (c >= '0' && c <= '9') {
      out[n++] = c;
    } else if (c >= 'A' && c <= 'F') {
      out[n++] = c;
    } else if (c >= 'a' && c <= 'f') {
      out[n++] = static_cast<char>(c - 'a' + 'A');
    } else {
      return false;
    }
  }
  return n == 12;
}

// Why an outer entry or a group cannot be used; empty message means usable.
struct Problem {
  ParseErrorCode code = ParseErrorCode::missing_field;
  std::string message;
  bool empty() const { return message.empty(); }
  void set(ParseErrorCode c, std::string m) {
    if (message.empty()) {
      code = c;
      message = std::move(m);
    }
  }
};

// A tuple seen but not yet interpreted: 16 bytes, as there are millions of them. Its input
// offset, needed only for errors, is derived from `text` when the text lies in the chunk.
struct PendingTuple {
  enum Kind : std::uint8_t {
    kInChunk,     // text in the chunk buffer (padded, offset derivable)
    kUnescaped,   // text unescaped into simdjson's buffer; offset in escaped_offsets
    kNotAString,  // not a string: `text` points at the token, `type` says what it is
  };
  const char* text;
  std::uint32_t length;
  std::uint16_t group;
  Kind kind;
  std::uint8_t type;  // an od::json_type, for kNotAString
};
static_assert(sizeof(PendingTuple) == 16);

// An element of the outer array: VNet `flowRecords.flows[i]` (carries aclID) or NSG
// `properties.flows[i]` (carries rule).
struct PendingOuter {
  std::optional<std::string_view> value;
  Problem problem;  // why this entry's tuples cannot be used
};

// An element of the inner array: VNet `flowGroups[j]` (carries rule) or NSG `flows[j]`
// (carries mac). It owns the tuples.
struct PendingGroup {
  std::uint32_t outer;
  std::uint32_t inner;
  std::optional<std::string_view> value;
  Problem problem;
  std::uint64_t offset;
};

// A record-level failure: the record is rejected with this code and message.
struct Failure {
  ParseErrorCode code;
  std::string message;
  std::uint64_t offset;
};

}  // namespace

struct RecordParser::Impl {
  explicit Impl(const ParseLimits& l) : limits(l) {}

  ParseLimits limits;
  od::parser parser;

  // Per-record state, reused across records.
  const char* chunk_bytes = nullptr;
  std::uint64_t chunk_offset = 0;
  std::uint64_t record_offset = 0;
  bool record_has_escapes = true;
  std::optional<Failure> failure;
  std::optional<std::string_view> time_text, mac_text, target_id, flow_log_id, resource_id;
  std::optional<std::int64_t> vnet_version, nsg_version;
  bool has_flow_records = false, has_properties = false;
  std::vector<PendingOuter> outers;
  std::vector<PendingGroup> groups;
  std::vector<PendingTuple> tuples;
  std::vector<std::uint64_t> escaped_offsets;  // input offsets of kUnescaped tuples, in order

  std::uint64_t offset_of(const char* p) const {
    return chunk_offset + static_cast<std::uint64_t>(p - chunk_bytes);
  }
  std::uint64_t offset_of(od::value& v) const { return offset_of(v.raw_json_token().data()); }

  void reset_record() {
    failure.reset();
    time_text.reset();
    mac_text.reset();
    target_id.reset();
    flow_log_id.reset();
    resource_id.reset();
    vnet_version.reset();
    nsg_version.reset();
    has_flow_records = has_properties = false;
    outers.clear();
    groups.clear();
    tuples.clear();
    escaped_offsets.clear();
  }

  // Returns false (and sets the record failure) on a JSON syntax error. The error is the
  // record's (it is rejected whole); `where` is the input offset of the offending value when
  // known, which the message names.
  bool json_error(simdjson::error_code e, std::uint64_t where) {
    if (!failure) {
      std::string what = e == simdjson::INCORRECT_TYPE
                             ? "malformed literal (true, false, null or a number)"
                             : std::string(simdjson::error_message(e));
      std::string at = where > record_offset ? fmt::format(" at byte {}", where) : std::string();
      failure = Failure{ParseErrorCode::invalid_json, fmt::format("invalid JSON{}: {}", at, what),
                        record_offset};
    }
    return false;
  }
  // Rejects the record. The error's offset is the record's start; `where`, the offending
  // value's position, is named in the message.
  bool fail(ParseErrorCode code, std::string message, std::uint64_t where) {
    if (!failure) {
      if (where > record_offset) message += fmt::format(" (at byte {})", where);
      failure = Failure{code, std::move(message), record_offset};
    }
    return false;
  }

  // Reads the type of `v`; false on a JSON error.
  bool type_of(od::value& v, od::json_type& t) {
    auto e = v.type().get(t);
    return e == simdjson::SUCCESS || json_error(e, offset_of(v));
  }

  // Reads a string value of a record-level key. A value of another type fails the record.
  bool record_string(od::value& v, std::string_view key, std::optional<std::string_view>& out) {
    od::json_type t;
    if (!type_of(v, t)) return false;
    if (t != od::json_type::string) {
      return fail(ParseErrorCode::wrong_type,
                  fmt::format("`{}` must be a string, found {}", key, json_type_name(t)),
                  offset_of(v));
    }
    std::string_view s;
    if (auto e = v.get_string().get(s)) return json_error(e, offset_of(v));
    if (s.size() > limits.max_string_bytes) {
      return fail(
          ParseErrorCode::field_too_long,
          fmt::format("`{}` is {} bytes long (limit {})", key, s.size(), limits.max_string_bytes),
          offset_of(v));
    }
    out = s;
    return true;
  }

  // Reads a string that labels an outer entry or a group. A wrong type or excessive length
  // only disqualifies that entry, recorded in `problem`.
  bool group_string(od::value& v, std::string_view path, std::optional<std::string_view>& out,
                    Problem& problem) {
    od::json_type t;
    if (!type_of(v, t)) return false;
    if (t != od::json_type::string) {
      problem.set(ParseErrorCode::wrong_type,
                  fmt::format("`{}` must be a string, found {}", path, json_type_name(t)));
      return true;
    }
    std::string_view s;
    if (auto e = v.get_string().get(s)) return json_error(e, offset_of(v));
    if (s.size() > limits.max_string_bytes) {
      problem.set(
          ParseErrorCode::field_too_long,
          fmt::format("`{}` is {} bytes long (limit {})", path, s.size(), limits.max_string_bytes));
      return true;
    }
    out = s;
    return true;
  }

  bool integer(od::value& v, std::string_view key, std::optional<std::int64_t>& out) {
    od::json_type t;
    if (!type_of(v, t)) return false;
    std::int64_t n = 0;
    if (t != od::json_type::number || v.get_int64().get(n) != simdjson::SUCCESS) {
      return fail(
          ParseErrorCode::wrong_type,
          fmt::format("`{}` must be an integer, found {}", key,
                      t == od::json_type::number ? "a non-integer number" : json_type_name(t)),
          offset_of(v));
    }
    out = n;
    return true;
  }

  // Reads a value flowlens does not use, only to validate it: On-Demand skips unread values
  // without checking them, and a record must be valid JSON to the last byte to be accepted.
  bool validate(od::value v, int depth = 0) {
    od::json_type t;
    if (!type_of(v, t)) return false;
    simdjson::error_code e = simdjson::SUCCESS;
    switch (t) {
      case od::json_type::string: {
        std::string_view s;
        e = v.get_string().get(s);
        break;
      }
      case od::json_type::number: {
        double d;
        e = v.get_double().get(d);
        break;
      }
      case od::json_type::boolean: {
        bool b;
        e = v.get_bool().get(b);
        break;
      }
      case od::json_type::null: {
        bool is_null = false;
        e = v.is_null().get(is_null);
        if (e == simdjson::SUCCESS && !is_null) e = simdjson::N_ATOM_ERROR;
        break;
      }
      case od::json_type::array: {
        od::array a;
        if ((e = v.get_array().get(a))) break;
        for (auto element : a) {
          od::value item;
          if ((e = element.get(item))) break;
          if (!validate(item, depth + 1)) return false;
        }
        break;
      }
      case od::json_type::object: {
        od::object o;
        if ((e = v.get_object().get(o))) break;
        for (auto field : o) {
          std::string_view key;
          if ((e = field.unescaped_key().get(key))) break;
          od::value item;
          if ((e = field.value().get(item))) break;
          if (!validate(item, depth + 1)) return false;
        }
        break;
      }
    }
    return e == simdjson::SUCCESS || json_error(e, offset_of(v));
  }

  // Gets an array or object value, failing the record when the type differs.
  bool expect(od::value& v, od::json_type want, std::string_view path) {
    od::json_type t;
    if (!type_of(v, t)) return false;
    if (t != want) {
      return fail(
          ParseErrorCode::wrong_type,
          fmt::format("`{}` must be {}, found {}", path, json_type_name(want), json_type_name(t)),
          offset_of(v));
    }
    return true;
  }

  // flowTuples of one group: collect the raw strings.
  bool collect_tuples(od::value& v, std::uint32_t group) {
    od::array array;
    if (auto e = v.get_array().get(array)) return json_error(e, offset_of(v));
    if (group > UINT16_MAX) {
      return fail(ParseErrorCode::record_too_large, "record has more than 65535 flow groups",
                  record_offset);
    }
    for (auto element : array) {
      od::value tv;
      if (auto e = element.get(tv)) return json_error(e, record_offset);
      std::string_view token = tv.raw_json_token();
      PendingTuple t{token.data(), 0, static_cast<std::uint16_t>(group), PendingTuple::kInChunk, 0};
      if (token.empty() || token.front() != '"') {
        od::json_type type;
        if (!type_of(tv, type)) return false;
        t.kind = PendingTuple::kNotAString;
        t.type = static_cast<std::uint8_t>(type);
        tuples.push_back(t);
        continue;
      }
      // The token is the quoted string plus any whitespace after it.
      std::size_t n = token.size();
      while (n > 0 && token[n - 1] != '"')
        --n;
      std::string_view content = n >= 2 ? token.substr(1, n - 2) : std::string_view{};
      if (record_has_escapes && std::memchr(content.data(), '\\', content.size()) != nullptr) {
        // Escapes are legal JSON though Azure never writes them: unescape properly. The
        // unescaped copy lives in simdjson's buffer, which has no padding guarantee.
        std::uint64_t offset = offset_of(token.data());
        if (auto e = tv.get_string().get(content)) return json_error(e, offset);
        t.kind = PendingTuple::kUnescaped;
        escaped_offsets.push_back(offset);
      }
      t.text = content.data();
      t.length = static_cast<std::uint32_t>(content.size());
      tuples.push_back(t);
    }
    return true;
  }

  // VNet: flowRecords { flows: [ { aclID, flowGroups: [ { rule, flowTuples: [...] } ] } ] }
  bool walk_flow_records(od::value& v) {
    if (!expect(v, od::json_type::object, "flowRecords")) return false;
    od::object object;
    if (auto e = v.get_object().get(object)) return json_error(e, offset_of(v));
    bool saw_flows = false;
    for (auto field : object) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return json_error(e, record_offset);
      od::value fv;
      if (auto e = field.value().get(fv)) return json_error(e, record_offset);
      if (key != "flows") {
        if (!validate(fv)) return false;
        continue;
      }
      saw_flows = true;
      if (!expect(fv, od::json_type::array, "flowRecords.flows")) return false;
      od::array flows;
      if (auto e = fv.get_array().get(flows)) return json_error(e, offset_of(fv));
      for (auto flow_element : flows) {
        od::value flow;
        if (auto e = flow_element.get(flow)) return json_error(e, record_offset);
        auto outer = static_cast<std::uint32_t>(outers.size());
        std::string path = fmt::format("flowRecords.flows[{}]", outer);
        if (!expect(flow, od::json_type::object, path)) return false;
        outers.push_back({});
        od::object flow_object;
        if (auto e = flow.get_object().get(flow_object)) return json_error(e, offset_of(flow));
        bool saw_groups = false;
        for (auto flow_field : flow_object) {
          std::string_view fkey;
          if (auto e = flow_field.unescaped_key().get(fkey)) return json_error(e, record_offset);
          od::value value;
          if (auto e = flow_field.value().get(value)) return json_error(e, record_offset);
          if (fkey == "aclID") {
            if (!group_string(value, path + ".aclID", outers[outer].value, outers[outer].problem))
              return false;
          } else if (fkey == "flowGroups") {
            saw_groups = true;
            if (!walk_inner(value, outer, path + ".flowGroups", "rule")) return false;
          } else if (!validate(value)) {
            return false;
          }
        }
        if (!outers[outer].value) {
          outers[outer].problem.set(ParseErrorCode::missing_field,
                                    fmt::format("`{}` has no `aclID`", path));
        }
        if (!saw_groups) {
          return fail(ParseErrorCode::missing_field, fmt::format("`{}` has no `flowGroups`", path),
                      offset_of(flow));
        }
      }
    }
    if (!saw_flows) {
      return fail(ParseErrorCode::missing_field, "`flowRecords` has no `flows` array",
                  offset_of(v));
    }
    return true;
  }

  // NSG: properties { Version, flows: [ { rule, flows: [ { mac, flowTuples: [...] } ] } ] }
  bool walk_properties(od::value& v) {
    if (!expect(v, od::json_type::object, "properties")) return false;
    od::object object;
    if (auto e = v.get_object().get(object)) return json_error(e, offset_of(v));
    bool saw_flows = false;
    for (auto field : object) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return json_error(e, record_offset);
      od::value fv;
      if (auto e = field.value().get(fv)) return json_error(e, record_offset);
      if (key == "Version") {
        if (!integer(fv, "properties.Version", nsg_version)) return false;
      } else if (key != "flows") {
        if (!validate(fv)) return false;
      } else {
        saw_flows = true;
        if (!expect(fv, od::json_type::array, "properties.flows")) return false;
        od::array rules;
        if (auto e = fv.get_array().get(rules)) return json_error(e, offset_of(fv));
        for (auto rule_element : rules) {
          od::value rule;
          if (auto e = rule_element.get(rule)) return json_error(e, record_offset);
          auto outer = static_cast<std::uint32_t>(outers.size());
          std::string path = fmt::format("properties.flows[{}]", outer);
          if (!expect(rule, od::json_type::object, path)) return false;
          outers.push_back({});
          od::object rule_object;
          if (auto e = rule.get_object().get(rule_object)) return json_error(e, offset_of(rule));
          for (auto rule_field : rule_object) {
            std::string_view rkey;
            if (auto e = rule_field.unescaped_key().get(rkey)) return json_error(e, record_offset);
            od::value value;
            if (auto e = rule_field.value().get(value)) return json_error(e, record_offset);
            if (rkey == "rule") {
              if (!group_string(value, path + ".rule", outers[outer].value, outers[outer].problem))
                return false;
            } else if (rkey == "flows") {
              if (!walk_inner(value, outer, path + ".flows", "mac")) return false;
            } else if (!validate(value)) {
              return false;
            }
          }
          if (!outers[outer].value) {
            outers[outer].problem.set(ParseErrorCode::missing_field,
                                      fmt::format("`{}` has no `rule`", path));
          }
        }
      }
    }
    if (!saw_flows) {
      return fail(ParseErrorCode::missing_field, "`properties` has no `flows` array", offset_of(v));
    }
    return true;
  }

  // The inner array: VNet flowGroups (label key `rule`) or NSG flows (label key `mac`).
  bool walk_inner(od::value& v, std::uint32_t outer, const std::string& path,
                  std::string_view label_key) {
    if (!expect(v, od::json_type::array, path)) return false;
    od::array array;
    if (auto e = v.get_array().get(array)) return json_error(e, offset_of(v));
    std::uint32_t inner = 0;
    for (auto element : array) {
      od::value item;
      if (auto e = element.get(item)) return json_error(e, record_offset);
      std::string item_path = fmt::format("{}[{}]", path, inner);
      if (!expect(item, od::json_type::object, item_path)) return false;
      auto group = static_cast<std::uint32_t>(groups.size());
      groups.push_back(PendingGroup{outer, inner, std::nullopt, {}, offset_of(item)});
      ++inner;
      od::object object;
      if (auto e = item.get_object().get(object)) return json_error(e, offset_of(item));
      bool saw_tuples = false;
      for (auto field : object) {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return json_error(e, record_offset);
        od::value value;
        if (auto e = field.value().get(value)) return json_error(e, record_offset);
        if (key == label_key) {
          if (!group_string(value, fmt::format("{}.{}", item_path, label_key), groups[group].value,
                            groups[group].problem))
            return false;
        } else if (key == "flowTuples") {
          saw_tuples = true;
          od::json_type t;
          if (!type_of(value, t)) return false;
          if (t != od::json_type::array) {
            groups[group].problem.set(ParseErrorCode::wrong_type,
                                      fmt::format("`{}.flowTuples` must be an array, found {}",
                                                  item_path, json_type_name(t)));
            continue;
          }
          if (!collect_tuples(value, group)) return false;
        } else if (!validate(value)) {
          return false;
        }
      }
      if (!groups[group].value) {
        groups[group].problem.set(ParseErrorCode::missing_field,
                                  fmt::format("`{}` has no `{}`", item_path, label_key));
      }
      if (!saw_tuples) {
        groups[group].problem.set(ParseErrorCode::missing_field,
                                  fmt::format("`{}` has no `flowTuples`", item_path));
      }
    }
    return true;
  }

  // Reads the top-level keys of a record. False when the record must be rejected.
  bool walk_record(od::document& doc) {
    od::object object;
    if (auto e = doc.get_object().get(object)) {
      if (e == simdjson::INCORRECT_TYPE) {
        return fail(ParseErrorCode::not_a_flow_log, "a record must be a JSON object",
                    record_offset);
      }
      return json_error(e, record_offset);
    }
    for (auto field : object) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return json_error(e, record_offset);
      od::value v;
      if (auto e = field.value().get(v)) return json_error(e, record_offset);
      bool ok = true;
      if (key == "time") {
        ok = record_string(v, key, time_text);
      } else if (key == "flowLogVersion") {
        ok = integer(v, key, vnet_version);
      } else if (key == "macAddress") {
        ok = record_string(v, key, mac_text);
      } else if (key == "targetResourceID") {
        ok = record_string(v, key, target_id);
      } else if (key == "flowLogResourceID") {
        ok = record_string(v, key, flow_log_id);
      } else if (key == "resourceId") {
        ok = record_string(v, key, resource_id);
      } else if (key == "flowRecords") {
        has_flow_records = true;
        ok = walk_flow_records(v);
      } else if (key == "properties") {
        has_properties = true;
        ok = walk_properties(v);
      } else {
        ok = validate(v);
      }
      if (!ok) return false;
    }
    return true;
  }

  // Checks the record-level context once all keys are read.
  bool validate(FlowLogKind& kind, Ticks& time, char (&mac)[12]) {
    if (has_flow_records && has_properties) {
      return fail(ParseErrorCode::not_a_flow_log,
                  "record has both `flowRecords` (VNet flow log) and `properties` (NSG flow log)",
                  record_offset);
    }
    if (!has_flow_records && !has_properties) {
      return fail(ParseErrorCode::missing_field,
                  "record has neither `flowRecords` (VNet flow log) nor `properties` (NSG flow "
                  "log)",
                  record_offset);
    }
    kind = has_flow_records ? FlowLogKind::kVNet : FlowLogKind::kNsg;
    auto missing = [this](std::string_view key) {
      return fail(ParseErrorCode::missing_field, fmt::format("record has no `{}`", key),
                  record_offset);
    };
    if (!time_text) return missing("time");
    if (kind == FlowLogKind::kVNet) {
      if (!vnet_version) return missing("flowLogVersion");
      if (*vnet_version != 4) {
        return fail(ParseErrorCode::unsupported_version,
                    fmt::format("flowLogVersion {} is not supported (VNet flow logs are version 4)",
                                *vnet_version),
                    record_offset);
      }
      if (!mac_text) return missing("macAddress");
      if (!normalize_mac(*mac_text, mac)) {
        return fail(
            ParseErrorCode::invalid_mac,
            fmt::format("macAddress \"{}\" is not 12 hexadecimal digits", mac_text->substr(0, 40)),
            record_offset);
      }
      if (!target_id) return missing("targetResourceID");
      if (!flow_log_id) return missing("flowLogResourceID");
    } else {
      if (!nsg_version) return missing("properties.Version");
      if (*nsg_version != 1 && *nsg_version != 2) {
        return fail(ParseErrorCode::unsupported_version,
                    fmt::format("properties.Version {} is not supported (NSG flow logs are "
                                "version 1 or 2)",
                                *nsg_version),
                    record_offset);
      }
      if (!resource_id) return missing("resourceId");
    }
    auto t = parse_iso8601(*time_text);
    if (!t) {
      return fail(
          ParseErrorCode::invalid_time,
          fmt::format("`time` \"{}\" is not an ISO-8601 UTC instant", time_text->substr(0, 40)),
          record_offset);
    }
    time = *t;
    return true;
  }

  void add_error(std::vector<ParseError>& errors, std::string_view source, std::int64_t record,
                 std::int64_t tuple, std::uint64_t offset, ParseErrorCode code, std::string message,
                 std::string_view excerpt) {
    errors.push_back(ParseError{std::string(source), record, tuple, offset, code,
                                std::move(message), make_excerpt(excerpt)});
  }

  void parse_record(const Chunk& chunk, const RecordSpan& span, FlowBatch& batch,
                    std::vector<ParseError>& errors, RecordStats& stats) {
    reset_record();
    const char* data = chunk.buffer.bytes.get() + span.begin;
    std::size_t len = span.end - span.begin;
    std::size_t readable = chunk.buffer.capacity + kBufferPadding - span.begin;
    record_offset = chunk.input_offset + span.begin;
    record_has_escapes = span.has_escapes;
    std::string_view record_text(data, len);

    od::document doc;
    bool ok = false;
    if (auto e = parser.iterate(data, len, readable).get(doc)) {
      json_error(e, record_offset);
    } else {
      ok = walk_record(doc);
      // For syntax errors found while iterating, name where the iterator stopped.
      const char* at = nullptr;
      if (!ok && failure && failure->code == ParseErrorCode::invalid_json &&
          failure->message.find(" at byte ") == std::string::npos &&
          doc.current_location().get(at) == simdjson::SUCCESS && at >= data && at < data + len) {
        failure->message.insert(12, fmt::format(" near byte {}", offset_of(at)));
      }
    }
    FlowLogKind kind = FlowLogKind::kVNet;
    Ticks time = 0;
    char mac[12];
    if (ok) ok = validate(kind, time, mac);
    if (!ok) {
      ++stats.rejected_records;
      stats.rejected_tuples += tuples.size();
      std::string message = std::move(failure->message);
      if (!tuples.empty()) message += fmt::format(" ({} tuples rejected with it)", tuples.size());
      add_error(errors, batch.source, span.record_index, -1, failure->offset, failure->code,
                std::move(message), record_text);
      return;
    }
    ++stats.records;

    // The record is good: register it, its usable groups, then each tuple.
    auto record_id = static_cast<std::uint32_t>(batch.records.size());
    std::string_view target = kind == FlowLogKind::kVNet ? *target_id : *resource_id;
    batch.records.push_back(
        RecordInfo{time, batch.arena.copy(target),
                   kind == FlowLogKind::kVNet ? batch.arena.copy(*flow_log_id) : std::string_view{},
                   kind, span.record_index, record_offset});
    std::string_view record_mac = kind == FlowLogKind::kVNet
                                      ? batch.arena.copy(std::string_view(mac, 12))
                                      : std::string_view{};
    std::string_view nsg_id =
        kind == FlowLogKind::kNsg ? batch.records.back().target_resource_id : std::string_view{};
    // group index in this record -> batch group id, or UINT32_MAX when the group is unusable
    std::vector<std::uint32_t>& group_ids = group_ids_scratch;
    group_ids.assign(groups.size(), UINT32_MAX);
    std::vector<std::uint32_t>& group_rejected = group_rejected_scratch;
    group_rejected.assign(groups.size(), 0);
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const PendingGroup& pg = groups[g];
      const PendingOuter& po = outers[pg.outer];
      Problem problem = !po.problem.empty() ? po.problem : pg.problem;
      char group_mac[12];
      if (problem.empty() && kind == FlowLogKind::kNsg && !normalize_mac(*pg.value, group_mac)) {
        problem.set(ParseErrorCode::invalid_mac,
                    fmt::format("mac \"{}\" of properties.flows[{}].flows[{}] is not 12 "
                                "hexadecimal digits",
                                pg.value->substr(0, 40), pg.outer, pg.inner));
      }
      if (!problem.empty()) {
        group_problems_scratch.resize(groups.size());
        group_problems_scratch[g] = std::move(problem);
        continue;
      }
      group_ids[g] = static_cast<std::uint32_t>(batch.groups.size());
      if (kind == FlowLogKind::kVNet) {
        batch.groups.push_back(TupleGroup{record_id, batch.arena.copy(*po.value),
                                          batch.arena.copy(*pg.value), record_mac});
      } else {
        batch.groups.push_back(TupleGroup{record_id, nsg_id, batch.arena.copy(*po.value),
                                          batch.arena.copy(std::string_view(group_mac, 12))});
      }
    }

    TupleLayout layout = kind == FlowLogKind::kVNet ? TupleLayout::kVNet : TupleLayout::kNsg;
    // Grow the columns once for the record; each accepted tuple fills slot n.
    std::size_t n = batch.size();
    batch.resize(n + tuples.size());
    ParsedTuple pt;
    TupleProblem problem;
    std::size_t escaped = 0;
    for (std::size_t i = 0; i < tuples.size(); ++i) {
      const PendingTuple& t = tuples[i];
      std::string_view text(t.text, t.length);
      // The input offset of the tuple's opening quote (only errors need it).
      auto offset = [&] {
        return t.kind == PendingTuple::kUnescaped    ? escaped_offsets[escaped - 1]
               : t.kind == PendingTuple::kNotAString ? offset_of(t.text)
                                                     : offset_of(t.text) - 1;
      };
      escaped += t.kind == PendingTuple::kUnescaped;
      std::uint32_t gid = group_ids[t.group];
      if (gid == UINT32_MAX) {
        ++stats.rejected_tuples;
        ++group_rejected[t.group];
        continue;
      }
      if (t.kind == PendingTuple::kNotAString) {
        ++stats.rejected_tuples;
        add_error(errors, batch.source, span.record_index, static_cast<std::int64_t>(i), offset(),
                  ParseErrorCode::wrong_type,
                  fmt::format("flow tuple must be a string, found {}",
                              json_type_name(static_cast<od::json_type>(t.type))),
                  {});
        continue;
      }
      bool valid = t.kind == PendingTuple::kInChunk ? parse_tuple_padded(text, layout, pt, problem)
                                                    : parse_tuple(text, layout, pt, problem);
      if (!valid) {
        ++stats.rejected_tuples;
        add_error(errors, batch.source, span.record_index, static_cast<std::int64_t>(i), offset(),
                  problem.code, std::move(problem.message), text);
        continue;
      }
      std::uint8_t enc = kEncryptionNone;
      if (layout == TupleLayout::kVNet) {
        enc = batch.intern_encryption(pt.encryption);
        if (enc == 0xff) {
          ++stats.rejected_tuples;
          add_error(errors, batch.source, span.record_index, static_cast<std::int64_t>(i), offset(),
                    ParseErrorCode::invalid_encryption,
                    "too many distinct encryption codes in one chunk", text);
          continue;
        }
      }
      batch.flow_time[n] = pt.time;
      batch.src_ip[n] = pt.src_ip;
      batch.dest_ip[n] = pt.dest_ip;
      batch.src_port[n] = pt.src_port;
      batch.dest_port[n] = pt.dest_port;
      batch.protocol[n] = pt.protocol;
      batch.direction[n] = pt.direction;
      batch.state[n] = pt.state;
      batch.status[n] = pt.status;
      batch.encryption[n] = enc;
      batch.packets_src_to_dest[n] = pt.packets_src_to_dest;
      batch.bytes_src_to_dest[n] = pt.bytes_src_to_dest;
      batch.packets_dest_to_src[n] = pt.packets_dest_to_src;
      batch.bytes_dest_to_src[n] = pt.bytes_dest_to_src;
      batch.version[n] = pt.version;
      batch.group[n] = gid;
      ++n;
      ++stats.tuples;
    }
    batch.resize(n);
    // One error per unusable group, naming how many tuples it held.
    for (std::size_t g = 0; g < groups.size(); ++g) {
      if (group_ids[g] != UINT32_MAX) continue;
      const Problem& why = group_problems_scratch[g];
      add_error(errors, batch.source, span.record_index, -1, groups[g].offset, why.code,
                fmt::format("{} ({} tuples rejected with it)", why.message, group_rejected[g]), {});
    }
    group_problems_scratch.clear();
  }

  std::vector<std::uint32_t> group_ids_scratch;
  std::vector<std::uint32_t> group_rejected_scratch;
  std::vector<Problem> group_problems_scratch;
};

RecordParser::RecordParser(const ParseLimits& limits) : impl_(std::make_unique<Impl>(limits)) {}
RecordParser::~RecordParser() = default;

void RecordParser::parse_chunk(Chunk& chunk, FlowBatch& batch, std::vector<ParseError>& errors,
                               RecordStats& stats) {
  impl_->chunk_bytes = chunk.buffer.bytes.get();
  impl_->chunk_offset = chunk.input_offset;
  std::size_t bytes = 0;
  for (const RecordSpan& span : chunk.records)
    bytes += span.end - span.begin;
  batch.reserve(batch.size() + bytes / 64);
  for (const RecordSpan& span : chunk.records) {
    BlankedTail blank(chunk.buffer.bytes.get() + span.end);
    impl_->parse_record(chunk, span, batch, errors, stats);
  }
  // A huge record grows the parser's buffers; don't keep that memory for the rest of the run.
  if (impl_->parser.capacity() > 4 * impl_->limits.chunk_bytes) {
    impl_->parser = od::parser{};
  }
}

}  // namespace flowlens
