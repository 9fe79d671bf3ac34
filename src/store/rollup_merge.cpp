#include "store/rollup_merge.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <map>

#include "common/ip_address.h"

namespace flowlens::store {
namespace {

std::uint64_t mix(std::uint64_t h, const void* data, std::size_t size) {
  return XXH3_64bits_withSeed(data, size, h);
}

// Splits `s` at each occurrence of `separator`, skipping empty pieces.
template <typename F>
void for_each_piece(std::string_view s, std::string_view separator, F&& f) {
  while (!s.empty()) {
    std::size_t at = s.find(separator);
    std::string_view piece = s.substr(0, at);
    if (!piece.empty()) f(piece);
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + separator.size());
  }
}

bool parse_int(std::string_view s, std::int64_t& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::string merge_port_sets(const std::vector<std::string_view>& values) {
  std::vector<std::int64_t> ports;
  std::vector<std::string_view> other;  // never produced by flowlens; kept, not dropped
  for (std::string_view v : values) {
    for_each_piece(v, "|", [&](std::string_view p) {
      std::int64_t n;
      if (parse_int(p, n)) {
        ports.push_back(n);
      } else {
        other.push_back(p);
      }
    });
  }
  std::sort(ports.begin(), ports.end());
  ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
  std::sort(other.begin(), other.end());
  other.erase(std::unique(other.begin(), other.end()), other.end());
  std::string out;
  for (std::int64_t p : ports) {
    if (!out.empty()) out += '|';
    out += std::to_string(p);
  }
  for (std::string_view p : other) {
    if (!out.empty()) out += '|';
    out += p;
  }
  return out;
}

std::string merge_word_sets(const std::vector<std::string_view>& values) {
  std::vector<std::string_view> words;
  for (std::string_view v : values)
    for_each_piece(v, ", ", [&](std::string_view w) { words.push_back(w); });
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

std::string merge_public_ip_lists(const std::vector<std::string_view>& values) {
  // Address -> (started, ended, packets s->d, packets d->s, bytes s->d, bytes d->s), ordered
  // like IpAddress (numerically, IPv4 before IPv6); text that is not an address sorts last.
  struct Counters {
    std::array<std::int64_t, 6> n{};
    std::string_view text;
  };
  std::map<std::pair<IpAddress, std::string_view>, Counters> merged;
  for (std::string_view v : values) {
    for_each_piece(v, " ", [&](std::string_view entry) {
      std::size_t bar = entry.find('|');
      std::string_view ip_text = entry.substr(0, bar);
      IpAddress ip{};
      std::pair<IpAddress, std::string_view> key{ip, ip_text};
      if (parse_ip(ip_text, ip))
        key = {ip, std::string_view()};
      else
        key.first.bytes.fill(0xff);
      Counters& c = merged[key];
      c.text = ip_text;
      std::string_view rest =
          bar == std::string_view::npos ? std::string_view() : entry.substr(bar + 1);
      for (std::size_t i = 0; i < 6 && !rest.empty(); ++i) {
        std::size_t next = rest.find('|');
        std::int64_t n = 0;
        if (parse_int(rest.substr(0, next), n)) c.n[i] += n;
        rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
      }
    });
  }
  std::string out;
  char buf[kMaxIpTextLength];
  for (const auto& [key, c] : merged) {
    if (!out.empty()) out += ' ';
    if (key.second.empty())
      out.append(buf, format_ip(key.first, buf));
    else
      out += c.text;
    for (std::int64_t n : c.n) {
      out += '|';
      out += std::to_string(n);
    }
  }
  return out;
}

RollupMerger::RollupMerger(const TableDef& table) : table_(table) {
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    if (table.columns[c].merge == Merge::kKey) key_columns_.push_back(c);
  }
}

std::uint64_t RollupMerger::hash_key(const DecodedRowGroup& g, std::uint32_t row) const {
  std::uint64_t h = 0x9e3779b97f4a7c15ull;
  for (std::size_t c : key_columns_) {
    const ColumnData& d = g.columns[c];
    if (d.is_null(row)) {
      h = mix(h, "\0null", 5);
    } else if (d.type == ColumnType::kString) {
      std::string_view s = d.string_at(row);
      h = mix(h, s.data(), s.size());
    } else if (d.type == ColumnType::kReal) {
      h = mix(h, &d.reals[row], sizeof(double));
    } else {
      h = mix(h, &d.ints[row], sizeof(std::int64_t));
    }
  }
  return h;
}

namespace {

// Three-way comparison of two cells of the same column; nulls first.
int compare_cells(const ColumnData& a, std::uint32_t ra, const ColumnData& b, std::uint32_t rb) {
  bool na = a.is_null(ra), nb = b.is_null(rb);
  if (na || nb) return na == nb ? 0 : na ? -1 : 1;
  if (a.type == ColumnType::kString) {
    int c = a.string_at(ra).compare(b.string_at(rb));
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if (a.type == ColumnType::kReal)
    return a.reals[ra] < b.reals[rb] ? -1 : a.reals[ra] > b.reals[rb];
  return a.ints[ra] < b.ints[rb] ? -1 : a.ints[ra] > b.ints[rb] ? 1 : 0;
}

}  // namespace

bool RollupMerger::same_key(const Ref& a, const DecodedRowGroup& g, std::uint32_t row) const {
  for (std::size_t c : key_columns_) {
    if (compare_cells(a.group->columns[c], a.row, g.columns[c], row) != 0) return false;
  }
  return true;
}

int RollupMerger::compare_keys(const Ref& a, const Ref& b) const {
  for (std::size_t c : key_columns_) {
    int r = compare_cells(a.group->columns[c], a.row, b.group->columns[c], b.row);
    if (r != 0) return r;
  }
  return 0;
}

void RollupMerger::add(const DecodedRowGroup& group, std::uint32_t row) {
  std::uint64_t h = hash_key(group, row);
  auto ref = static_cast<std::uint32_t>(refs_.size());
  std::uint32_t e = index_.find_or_insert(
      h, entries_.size(),
      [&](std::uint32_t entry) { return same_key(refs_[entries_[entry].first], group, row); },
      [&] {
        entries_.push_back(Entry{ref, ref});
        return static_cast<std::uint32_t>(entries_.size() - 1);
      });
  refs_.push_back(Ref{&group, row, kNone});
  if (entries_[e].first != ref) {
    refs_[entries_[e].last].next = ref;
    entries_[e].last = ref;
  }
}

void RollupMerger::emit_entry(const Entry& e, RowSink& sink) {
  parts_.clear();
  for (std::uint32_t r = e.first; r != kNone; r = refs_[r].next)
    parts_.push_back(&refs_[r]);
  const Ref& first = *parts_[0];
  for (std::size_t c = 0; c < table_.columns.size(); ++c) {
    const ColumnDef& def = table_.columns[c];
    if (!wanted_.empty() && !wanted_[c]) continue;
    if (parts_.size() == 1 || def.merge == Merge::kKey || def.merge == Merge::kAny) {
      copy_cell(first.group->columns[c], c, first.row, sink);
      continue;
    }
    switch (def.merge) {
      case Merge::kSum:
      case Merge::kMin:
      case Merge::kMax: {
        bool any = false;
        std::int64_t v = 0;
        for (const Ref* p : parts_) {
          const ColumnData& d = p->group->columns[c];
          if (d.is_null(p->row)) continue;
          std::int64_t x = d.ints[p->row];
          if (!any) {
            v = x;
          } else if (def.merge == Merge::kSum) {
            v += x;
          } else if (def.merge == Merge::kMin) {
            v = std::min(v, x);
          } else {
            v = std::max(v, x);
          }
          any = true;
        }
        if (any)
          sink.put_int(c, v);
        else
          sink.put_null(c);
        break;
      }
      case Merge::kWordSet:
      case Merge::kPortSet:
      case Merge::kPublicIps: {
        std::vector<std::string_view> values;
        for (const Ref* p : parts_) {
          const ColumnData& d = p->group->columns[c];
          if (!d.is_null(p->row)) values.push_back(d.string_at(p->row));
        }
        scratch_ = def.merge == Merge::kWordSet   ? merge_word_sets(values)
                   : def.merge == Merge::kPortSet ? merge_port_sets(values)
                                                  : merge_public_ip_lists(values);
        sink.put_string(c, scratch_);
        break;
      }
      case Merge::kKey:
      case Merge::kAny:
        break;
    }
  }
  sink.end_row();
}

void RollupMerger::emit(RowSink& sink) {
  std::vector<std::uint32_t> order(entries_.size());
  for (std::uint32_t i = 0; i < order.size(); ++i)
    order[i] = i;
  if (ordered_) {
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return compare_keys(refs_[entries_[a].first], refs_[entries_[b].first]) < 0;
    });
  }
  for (std::uint32_t e : order)
    emit_entry(entries_[e], sink);
  refs_.clear();
  entries_.clear();
  index_.clear();
}

namespace {

struct PendingGroup {
  const OpenSegment* segment;
  std::size_t row_group;
  Ticks min_time;
};

struct ActiveGroup {
  std::unique_ptr<DecodedRowGroup> data;
  std::vector<std::uint32_t> order;  // rows in [from, to), by time
  std::size_t cursor = 0;
};

std::unique_ptr<DecodedRowGroup> decode_row_group(const OpenSegment& segment, std::size_t rg,
                                                  const TableDef& table,
                                                  const std::vector<bool>& wanted) {
  auto out = std::make_unique<DecodedRowGroup>();
  out->columns.resize(table.columns.size());
  const SegmentReader& reader = *segment.reader;
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    if (!wanted.empty() && !wanted[c]) {
      out->columns[c].type = table.columns[c].type;
      continue;
    }
    int at = reader.column_index(table.columns[c].name);
    std::string error;
    if (at < 0) {
      throw StoreError(
          fmt::format("{}: segment lacks column {}", segment.record.file, table.columns[c].name));
    }
    if (!reader.read(rg, static_cast<std::size_t>(at), out->columns[c], error)) {
      throw StoreError(error);
    }
  }
  return out;
}

}  // namespace

void merge_rollup(const std::vector<OpenSegment>& segments, const TableDef& table, Ticks from,
                  Ticks to, RowSink& sink, const std::function<void()>& after_interval,
                  const RowGroupFilter& include, const std::vector<bool>& columns, bool ordered) {
  int time_column = table.time_index();
  std::vector<PendingGroup> pending;
  for (const OpenSegment& s : segments) {
    const auto& groups = s.reader->row_groups();
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const RowGroupInfo& info = groups[g];
      if (info.rows == 0) continue;
      if (info.has_time && (info.max_time < from || info.min_time >= to)) continue;
      if (include && !include(s, g)) continue;
      pending.push_back({&s, g, info.has_time ? info.min_time : kMinTicks});
    }
  }
  std::stable_sort(
      pending.begin(), pending.end(),
      [](const PendingGroup& a, const PendingGroup& b) { return a.min_time < b.min_time; });

  RollupMerger merger(table);
  merger.set_ordered(ordered);
  // Decoded: the requested columns, the keys (to find partials of one row) and the time.
  std::vector<bool> decode = columns;
  if (!decode.empty()) {
    merger.set_columns(columns);
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      if (table.columns[c].merge == Merge::kKey) decode[c] = true;
    }
    decode[static_cast<std::size_t>(time_column)] = true;
  }
  std::vector<ActiveGroup> active;
  std::size_t next = 0;
  auto time_of = [&](const ActiveGroup& a, std::size_t i) {
    return a.data->columns[static_cast<std::size_t>(time_column)].ints[a.order[i]];
  };
  for (;;) {
    // The next interval: the earliest time not yet merged, among the loaded row groups and the
    // next one to load.
    bool found = false;
    Ticks window = kMaxTicks;
    if (next < pending.size()) {
      window = pending[next].min_time;
      found = true;
    }
    for (const ActiveGroup& a : active) {
      if (a.cursor < a.order.size()) {
        window = std::min(window, time_of(a, a.cursor));
        found = true;
      }
    }
    if (!found) break;
    while (next < pending.size() && pending[next].min_time <= window) {
      ActiveGroup a;
      a.data = decode_row_group(*pending[next].segment, pending[next].row_group, table, decode);
      const ColumnData& t = a.data->columns[static_cast<std::size_t>(time_column)];
      for (std::uint32_t r = 0; r < t.ints.size(); ++r) {
        if (!t.is_null(r) && t.ints[r] >= from && t.ints[r] < to) a.order.push_back(r);
      }
      std::stable_sort(a.order.begin(), a.order.end(),
                       [&](std::uint32_t x, std::uint32_t y) { return t.ints[x] < t.ints[y]; });
      active.push_back(std::move(a));
      ++next;
    }
    for (ActiveGroup& a : active) {
      while (a.cursor < a.order.size() && time_of(a, a.cursor) == window) {
        merger.add(*a.data, a.order[a.cursor]);
        ++a.cursor;
      }
    }
    if (merger.size() > 0) {
      merger.emit(sink);
      if (after_interval) after_interval();
    }
    active.erase(std::remove_if(active.begin(), active.end(),
                                [](const ActiveGroup& a) { return a.cursor >= a.order.size(); }),
                 active.end());
  }
}

}  // namespace flowlens::store
