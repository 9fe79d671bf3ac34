#include "query/aggregator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_set>

namespace flowlens::query {
namespace {

// The predicate of an ..if aggregate is true for the row.
bool predicate_true(const Column& p, std::size_t r) {
  return !p.is_null(r) && p.ints[r] != 0;
}

template <typename T>
void ensure(std::vector<T>& v, std::size_t n, const T& init = T()) {
  if (v.size() < n) v.resize(n, init);
}

std::size_t max_group(const std::vector<std::uint32_t>& groups, std::size_t rows) {
  std::uint32_t m = 0;
  for (std::size_t r = 0; r < rows; ++r)
    m = std::max(m, groups[r]);
  return rows == 0 ? 0 : m + 1;
}

std::string encode_key(const Column& c, std::size_t r) {
  std::string k;
  if (c.type == Type::kString) return std::string("s") + std::string(c.str(r));
  if (c.is_null(r)) return "n";
  if (c.type == Type::kReal) {
    k = "r";
    k.append(reinterpret_cast<const char*>(&c.reals[r]), 8);
    return k;
  }
  if (c.type == Type::kDynamic) return "d" + dyn_to_json(c.dyns[r]);
  k = "i";
  k.append(reinterpret_cast<const char*>(&c.ints[r]), 8);
  return k;
}

class CountAcc final : public Accumulator {
 public:
  explicit CountAcc(bool conditional) : conditional_(conditional) {}
  void update(const std::vector<Column>& args, const std::vector<std::uint32_t>& g,
              std::size_t rows) override {
    ensure(n_, max_group(g, rows));
    if (!conditional_) {
      for (std::size_t r = 0; r < rows; ++r)
        ++n_[g[r]];
      return;
    }
    const Column& p = args[0];
    for (std::size_t r = 0; r < rows; ++r)
      n_[g[r]] += predicate_true(p, r);
  }
  void finish(std::size_t count, std::vector<Column>& out) override {
    ensure(n_, count);
    for (std::size_t i = 0; i < count; ++i)
      out[0].push_int(n_[i]);
  }
  void merge(Accumulator& o, const std::vector<std::uint32_t>& map) override {
    auto& other = static_cast<CountAcc&>(o);
    if (!map.empty())
      ensure(n_, static_cast<std::size_t>(*std::max_element(map.begin(), map.end())) + 1);
    for (std::size_t g = 0; g < other.n_.size() && g < map.size(); ++g)
      n_[map[g]] += other.n_[g];
  }
  std::size_t memory_bytes() const override { return n_.size() * 8; }

 private:
  bool conditional_;
  std::vector<std::int64_t> n_;
};

class SumAvgAcc final : public Accumulator {
 public:
  SumAvgAcc(const AggSpec& s)
      : spec_(s), avg_(s.kind == AggKind::kAvg || s.kind == AggKind::kAvgIf) {}
  void update(const std::vector<Column>& args, const std::vector<std::uint32_t>& g,
              std::size_t rows) override {
    std::size_t m = max_group(g, rows);
    ensure(isum_, m);
    ensure(rsum_, m);
    ensure(cnt_, m);
    const Column& x = args[0];
    const Column* p = args.size() > 1 ? &args[1] : nullptr;
    bool real = x.type == Type::kReal;
    if (!avg_ && !real && p == nullptr && x.nulls.empty()) {
      // The common case (sum of a non-null integer column): one array, prefetched ahead
      // (many groups: each row's counter is a cache miss).
      for (std::size_t r = 0; r < rows; ++r) {
        if (r + 16 < rows) __builtin_prefetch(&isum_[g[r + 16]]);
        isum_[g[r]] = static_cast<std::int64_t>(static_cast<std::uint64_t>(isum_[g[r]]) +
                                                static_cast<std::uint64_t>(x.ints[r]));
      }
      return;
    }
    for (std::size_t r = 0; r < rows; ++r) {
      if (x.is_null(r) || (p && !predicate_true(*p, r))) continue;
      if (real) {
        rsum_[g[r]] += x.reals[r];
      } else {
        isum_[g[r]] = static_cast<std::int64_t>(static_cast<std::uint64_t>(isum_[g[r]]) +
                                                static_cast<std::uint64_t>(x.ints[r]));
        rsum_[g[r]] += static_cast<double>(x.ints[r]);
      }
      ++cnt_[g[r]];
    }
  }
  void finish(std::size_t count, std::vector<Column>& out) override {
    ensure(isum_, count);
    ensure(rsum_, count);
    ensure(cnt_, count);
    Type t = spec_.output_types[0];
    for (std::size_t i = 0; i < count; ++i) {
      if (avg_) {
        double v = cnt_[i] == 0 ? std::numeric_limits<double>::quiet_NaN()
                                : rsum_[i] / static_cast<double>(cnt_[i]);
        if (t == Type::kReal) {
          out[0].push_real(v);
        } else if (cnt_[i] == 0) {
          out[0].push_null();
        } else {
          out[0].push_int(static_cast<std::int64_t>(v));
        }
      } else if (t == Type::kReal) {
        out[0].push_real(rsum_[i]);
      } else {
        out[0].push_int(isum_[i]);
      }
    }
  }
  void merge(Accumulator& o, const std::vector<std::uint32_t>& map) override {
    auto& other = static_cast<SumAvgAcc&>(o);
    std::size_t m =
        map.empty() ? 0 : static_cast<std::size_t>(*std::max_element(map.begin(), map.end())) + 1;
    ensure(isum_, m);
    ensure(rsum_, m);
    ensure(cnt_, m);
    for (std::size_t g = 0; g < other.cnt_.size() && g < map.size(); ++g) {
      std::uint32_t k = map[g];
      isum_[k] = static_cast<std::int64_t>(static_cast<std::uint64_t>(isum_[k]) +
                                           static_cast<std::uint64_t>(other.isum_[g]));
      rsum_[k] += other.rsum_[g];
      cnt_[k] += other.cnt_[g];
    }
  }
  std::size_t memory_bytes() const override { return cnt_.size() * 24; }

 private:
  AggSpec spec_;
  bool avg_;
  std::vector<std::int64_t> isum_;
  std::vector<double> rsum_;
  std::vector<std::int64_t> cnt_;
};

class MinMaxAcc final : public Accumulator {
 public:
  explicit MinMaxAcc(const AggSpec& s)
      : max_(s.kind == AggKind::kMax || s.kind == AggKind::kMaxIf), type_(s.output_types[0]) {}
  void update(const std::vector<Column>& args, const std::vector<std::uint32_t>& g,
              std::size_t rows) override {
    std::size_t m = max_group(g, rows);
    ensure(has_, m, std::uint8_t{0});
    const Column& x = args[0];
    const Column* p = args.size() > 1 ? &args[1] : nullptr;
    if (type_ == Type::kString) {
      ensure(s_, m);
      for (std::size_t r = 0; r < rows; ++r) {
        if (p && !predicate_true(*p, r)) continue;
        std::string_view v = x.str(r);
        auto& cur = s_[g[r]];
        if (!has_[g[r]] || (max_ ? v > cur : v < cur)) cur = std::string(v);
        has_[g[r]] = 1;
      }
    } else if (type_ == Type::kReal) {
      ensure(d_, m);
      for (std::size_t r = 0; r < rows; ++r) {
        if (x.is_null(r) || (p && !predicate_true(*p, r)) || std::isnan(x.reals[r])) continue;
        double v = x.reals[r];
        if (!has_[g[r]] || (max_ ? v > d_[g[r]] : v < d_[g[r]])) d_[g[r]] = v;
        has_[g[r]] = 1;
      }
    } else {
      ensure(i_, m);
      for (std::size_t r = 0; r < rows; ++r) {
        if (x.is_null(r) || (p && !predicate_true(*p, r))) continue;
        std::int64_t v = x.ints[r];
        if (!has_[g[r]] || (max_ ? v > i_[g[r]] : v < i_[g[r]])) i_[g[r]] = v;
        has_[g[r]] = 1;
      }
    }
  }
  void finish(std::size_t count, std::vector<Column>& out) override {
    ensure(has_, count, std::uint8_t{0});
    ensure(s_, count);
    ensure(d_, count);
    ensure(i_, count);
    for (std::size_t k = 0; k < count; ++k) {
      if (!has_[k]) {
        out[0].push_null();
      } else if (type_ == Type::kString) {
        out[0].push_string(s_[k]);
      } else if (type_ == Type::kReal) {
        out[0].push_real(d_[k]);
      } else {
        out[0].push_int(i_[k]);
      }
    }
  }
  void merge(Accumulator& o, const std::vector<std::uint32_t>& map) override {
    auto& other = static_cast<MinMaxAcc&>(o);
    std::size_t m =
        map.empty() ? 0 : static_cast<std::size_t>(*std::max_element(map.begin(), map.end())) + 1;
    ensure(has_, m, std::uint8_t{0});
    ensure(s_, m);
    ensure(d_, m);
    ensure(i_, m);
    for (std::size_t g = 0; g < other.has_.size() && g < map.size(); ++g) {
      if (!other.has_[g]) continue;
      std::uint32_t k = map[g];
      bool take = !has_[k];
      if (type_ == Type::kString) {
        take = take || (max_ ? other.s_[g] > s_[k] : other.s_[g] < s_[k]);
        if (take) s_[k] = other.s_[g];
      } else if (type_ == Type::kReal) {
        take = take || (max_ ? other.d_[g] > d_[k] : other.d_[g] < d_[k]);
        if (take) d_[k] = other.d_[g];
      } else {
        take = take || (max_ ? other.i_[g] > i_[k] : other.i_[g] < i_[k]);
        if (take) i_[k] = other.i_[g];
      }
      has_[k] = 1;
    }
  }
  std::size_t memory_bytes() const override { return has_.size() * 24; }

 private:
  bool max_;
  Type type_;
  std::vector<std::uint8_t> has_;
  std::vector<std::string> s_;
  std::vector<double> d_;
  std::vector<std::int64_t> i_;
};

class DCountAcc final : public Accumulator {
 public:
  void update(const std::vector<Column>& args, const std::vector<std::uint32_t>& g,
              std::size_t rows) override {
    std::size_t m = max_group(g, rows);
    const Column& x = args[0];
    const Column* p = args.size() > 1 ? &args[1] : nullptr;
    if (x.type == Type::kString || x.type == Type::kReal || x.type == Type::kDynamic) {
      ensure(sets_, m);
      for (std::size_t r = 0; r < rows; ++r) {
        if (x.is_null(r) || (p && !predicate_true(*p, r))) continue;
        if (sets_[g[r]].insert(encode_key(x, r)).second) bytes_ += 40;
      }
    } else {
      ensure(isets_, m);
      for (std::size_t r = 0; r < rows; ++r) {
        if (x.is_null(r) || (p && !predicate_true(*p, r))) continue;
        if (isets_[g[r]].insert(x.ints[r]).second) bytes_ += 24;
      }
    }
  }
  void finish(std::size_t count, std::vector<Column>& out) override {
    ensure(sets_, count);
    ensure(isets_, count);
    for (std::size_t k = 0; k < count; ++k) {
      out[0].push_int(static_cast<std::int64_t>(sets_[k].size() + isets_[k].size()));
    }
  }
  void merge(Accumulator& o, const std::vector<std::uint32_t>& map) override {
    auto& other = static_cast<DCountAcc&>(o);
    std::size_t m =
        map.empty() ? 0 : static_cast<std::size_t>(*std::max_element(map.begin(), map.end())) + 1;
    ensure(sets_, m);
    ensure(isets_, m);
    for (std::size_t g = 0; g < map.size(); ++g) {
      if (g < other.sets_.size())
        sets_[map[g]].insert(other.sets_[g].begin(), other.sets_[g].end());
      if (g < other.isets_.size())
        isets_[map[g]].insert(other.isets_[g].begin(), other.isets_[g].end());
    }
    bytes_ += other.bytes_;
  }
  std::size_t memory_bytes() const override { return bytes_; }

 private:
  std::vector<std::unordered_set<std::string>> sets_;
  std::vector<std::unordered_set<std::int64_t>> isets_;
  std::size_t bytes_ = 0;
};

class ListAcc final : public Accumulator {
 public:
  explicit ListAcc(const AggSpec& s)
      : set_(s.kind == AggKind::kMakeSet || s.kind == AggKind::kMakeSetIf),
        with_nulls_(s.kind == AggKind::kMakeListWithNulls),
        max_(static_cast<std::size_t>(s.max_size)) {}
  void update(const std::vector<Column>& args, const std::vector<std::uint32_t>& g,
              std::size_t rows) override {
    std::size_t m = max_group(g, rows);
    ensure(items_, m);
    if (set_) ensure(seen_, m);
    const Column& x = args[0];
    const Column* p = args.size() > 1 ? &args[1] : nullptr;
    for (std::size_t r = 0; r < rows; ++r) {
      if (p && !predicate_true(*p, r)) continue;
      auto& list = items_[g[r]];
      if (list.size() >= max_) continue;
      Value v = x.value_at(r);
      if (v.null && !with_nulls_) continue;
      if (set_ && x.type == Type::kDynamic && dyn_is_array(v.d)) {
        for (const auto& item : v.d->items) {  // arrays' elements merge into the set
          if (item == nullptr) continue;
          if (seen_[g[r]].insert(dyn_to_json(item)).second && list.size() < max_) {
            list.push_back(item);
            bytes_ += 64;
          }
        }
        continue;
      }
      Dyn d = value_to_dyn(v);
      if (set_ && !seen_[g[r]].insert(dyn_to_json(d)).second) continue;
      list.push_back(std::move(d));
      bytes_ += 64;
    }
  }
  void finish(std::size_t count, std::vector<Column>& out) override {
    ensure(items_, count);
    for (std::size_t k = 0; k < count; ++k)
      out[0].push_dyn(dyn_array(items_[k]));
  }
  void merge(Accumulator& o, const std::vector<std::uint32_t>& map) override {
    auto& other = static_cast<ListAcc&>(o);
    std::size_t m =
        map.empty() ? 0 : static_cast<std::size_t>(*std::max_element(map.begin(), map.end())) + 1;
    ensure(items_, m);
    if (set_) ensure(seen_, m);
    for (std::size_t g = 0; g < other.items_.size() && g < map.size(); ++g) {
      auto& list = items_[map[g]];
      for (auto& d : other.items_[g]) {
        if (list.size() >= max_) break;
        if (set_ && !seen_[map[g]].insert(dyn_to_json(d)).second) continue;
        list.push_back(d);
      }
    }
    bytes_ += other.bytes_;
  }
  std::size_t memory_bytes() const override { return bytes_; }

 private:
  bool set_;
  bool with_nulls_;
  std::size_t max_;
  std::vector<std::vector<Dyn>> items_;
  std::vector<std::unordered_set<std::string>> seen_;
  std::size_t bytes_ = 0;
};

class ArgAcc final : public Accumulator {
 public:
  explicit ArgAcc(const AggSpec& s) : max_(s.kind == AggKind::kArgMax), spec_(s) {}
  void update(const std::vector<Column>& args, const std::vector<std::uint32_t>& g,
              std::size_t rows) override {
    std::size_t m = max_group(g, rows);
    ensure(best_, m);
    ensure(state_, m, std::uint8_t{0});
    ensure(row_, m);
    const Column& x = args[0];
    for (std::size_t r = 0; r < rows; ++r) {
      std::uint32_t k = g[r];
      bool null = x.is_null(r) || (x.type == Type::kString && x.str(r).empty()) ||
                  (x.type == Type::kReal && std::isnan(x.reals[r]));
      if (null) {
        if (state_[k] == 0) {  // all-null so far: keep the first row, value null
          state_[k] = 1;
          capture(args, r, k);
        }
        continue;
      }
      Value v = x.value_at(r);
      if (state_[k] == 2) {
        int c = compare_values(v, best_[k]);
        if (max_ ? c <= 0 : c >= 0) continue;
      }
      state_[k] = 2;
      best_[k] = std::move(v);
      capture(args, r, k);
    }
  }
  void finish(std::size_t count, std::vector<Column>& out) override {
    ensure(best_, count);
    ensure(state_, count, std::uint8_t{0});
    ensure(row_, count);
    for (std::size_t k = 0; k < count; ++k) {
      for (std::size_t c = 0; c < out.size(); ++c) {
        if (state_[k] == 0 || (c == 0 && state_[k] != 2)) {
          out[c].push_null();
        } else {
          out[c].push_value(row_[k][c]);
        }
      }
    }
  }
  void merge(Accumulator& o, const std::vector<std::uint32_t>& map) override {
    auto& other = static_cast<ArgAcc&>(o);
    std::size_t m =
        map.empty() ? 0 : static_cast<std::size_t>(*std::max_element(map.begin(), map.end())) + 1;
    ensure(best_, m);
    ensure(state_, m, std::uint8_t{0});
    ensure(row_, m);
    for (std::size_t g = 0; g < other.state_.size() && g < map.size(); ++g) {
      std::uint32_t k = map[g];
      std::uint8_t os = other.state_[g];
      if (os == 0) continue;
      bool take = state_[k] < os && (state_[k] == 0 || os == 2);
      if (!take && os == 2 && state_[k] == 2) {
        int c = compare_values(other.best_[g], best_[k]);
        take = max_ ? c > 0 : c < 0;
      }
      if (take) {
        state_[k] = os;
        best_[k] = other.best_[g];
        row_[k] = other.row_[g];
      }
    }
  }
  std::size_t memory_bytes() const override { return row_.size() * spec_.args.size() * 48; }

 private:
  void capture(const std::vector<Column>& args, std::size_t r, std::uint32_t k) {
    auto& row = row_[k];
    row.resize(args.size());
    for (std::size_t c = 0; c < args.size(); ++c)
      row[c] = args[c].value_at(r);
  }
  bool max_;
  AggSpec spec_;
  std::vector<Value> best_;
  std::vector<std::uint8_t> state_;  // 0 nothing, 1 only nulls, 2 a value
  std::vector<std::vector<Value>> row_;
};

class PercentileAcc final : public Accumulator {
 public:
  explicit PercentileAcc(const AggSpec& s) : spec_(s) {}
  void update(const std::vector<Column>& args, const std::vector<std::uint32_t>& g,
              std::size_t rows) override {
    std::size_t m = max_group(g, rows);
    const Column& x = args[0];
    if (x.type == Type::kReal) {
      ensure(reals_, m);
      for (std::size_t r = 0; r < rows; ++r) {
        if (!x.is_null(r) && !std::isnan(x.reals[r])) reals_[g[r]].push_back(x.reals[r]);
      }
    } else {
      ensure(ints_, m);
      for (std::size_t r = 0; r < rows; ++r) {
        if (!x.is_null(r)) ints_[g[r]].push_back(x.ints[r]);
      }
    }
    bytes_ += rows * 8;
  }
  template <typename T>
  static const T* nearest_rank(std::vector<T>& v, double p) {
    if (v.empty()) return nullptr;
    std::size_t n = v.size();
    // ceil with a tolerance: 99.9 % of 1000 is 999.0000000000001 in doubles.
    double rank = std::ceil(p / 100.0 * static_cast<double>(n) - 1e-9);
    std::size_t index = rank <= 1 ? 0 : static_cast<std::size_t>(rank) - 1;
    if (index >= n) index = n - 1;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(index), v.end());
    return &v[index];
  }
  void finish(std::size_t count, std::vector<Column>& out) override {
    ensure(reals_, count);
    ensure(ints_, count);
    bool array = spec_.kind == AggKind::kPercentilesArray;
    for (std::size_t k = 0; k < count; ++k) {
      std::vector<Dyn> items;
      for (std::size_t i = 0; i < spec_.params.size(); ++i) {
        double p = spec_.params[i];
        Value v = Value::null_of(array ? Type::kReal : spec_.output_types[i]);
        if (const double* d = nearest_rank(reals_[k], p)) {
          v = Value::real(*d);
        } else if (const std::int64_t* n = nearest_rank(ints_[k], p)) {
          v = Value::long_(*n);
          if (!array) v.type = spec_.output_types[i];
        }
        if (array) {
          items.push_back(value_to_dyn(v));
        } else {
          out[i].push_value(v);
        }
      }
      if (array) out[0].push_dyn(dyn_array(std::move(items)));
    }
  }
  void merge(Accumulator& o, const std::vector<std::uint32_t>& map) override {
    auto& other = static_cast<PercentileAcc&>(o);
    std::size_t m =
        map.empty() ? 0 : static_cast<std::size_t>(*std::max_element(map.begin(), map.end())) + 1;
    ensure(reals_, m);
    ensure(ints_, m);
    for (std::size_t g = 0; g < map.size(); ++g) {
      if (g < other.reals_.size()) {
        auto& v = reals_[map[g]];
        v.insert(v.end(), other.reals_[g].begin(), other.reals_[g].end());
      }
      if (g < other.ints_.size()) {
        auto& v = ints_[map[g]];
        v.insert(v.end(), other.ints_[g].begin(), other.ints_[g].end());
      }
    }
    bytes_ += other.bytes_;
  }
  std::size_t memory_bytes() const override { return bytes_; }

 private:
  AggSpec spec_;
  std::vector<std::vector<double>> reals_;
  std::vector<std::vector<std::int64_t>> ints_;
  std::size_t bytes_ = 0;
};

class VarianceAcc final : public Accumulator {
 public:
  explicit VarianceAcc(const AggSpec& s) : kind_(s.kind) {}
  void update(const std::vector<Column>& args, const std::vector<std::uint32_t>& g,
              std::size_t rows) override {
    std::size_t m = max_group(g, rows);
    ensure(n_, m);
    ensure(mean_, m);
    ensure(m2_, m);
    const Column& x = args[0];
    const Column* p = args.size() > 1 ? &args[1] : nullptr;
    for (std::size_t r = 0; r < rows; ++r) {
      if (x.is_null(r) || (p && !predicate_true(*p, r))) continue;
      double v = x.type == Type::kReal ? x.reals[r] : static_cast<double>(x.ints[r]);
      std::uint32_t k = g[r];
      ++n_[k];
      double d = v - mean_[k];
      mean_[k] += d / static_cast<double>(n_[k]);
      m2_[k] += d * (v - mean_[k]);
    }
  }
  void finish(std::size_t count, std::vector<Column>& out) override {
    ensure(n_, count);
    ensure(mean_, count);
    ensure(m2_, count);
    bool population = kind_ == AggKind::kStdevP || kind_ == AggKind::kVarianceP;
    bool stdev =
        kind_ == AggKind::kStdev || kind_ == AggKind::kStdevP || kind_ == AggKind::kStdevIf;
    for (std::size_t k = 0; k < count; ++k) {
      double var = 0;
      if (population ? n_[k] >= 1 : n_[k] >= 2) {
        var = m2_[k] / static_cast<double>(population ? n_[k] : n_[k] - 1);
      }
      out[0].push_real(stdev ? std::sqrt(var) : var);
    }
  }
  void merge(Accumulator& o, const std::vector<std::uint32_t>& map) override {
    auto& other = static_cast<VarianceAcc&>(o);
    std::size_t m =
        map.empty() ? 0 : static_cast<std::size_t>(*std::max_element(map.begin(), map.end())) + 1;
    ensure(n_, m);
    ensure(mean_, m);
    ensure(m2_, m);
    for (std::size_t g = 0; g < other.n_.size() && g < map.size(); ++g) {
      std::uint32_t k = map[g];
      std::int64_t nb = other.n_[g];
      if (nb == 0) continue;
      std::int64_t na = n_[k];
      double delta = other.mean_[g] - mean_[k];
      double total = static_cast<double>(na + nb);
      mean_[k] += delta * static_cast<double>(nb) / total;
      m2_[k] +=
          other.m2_[g] + delta * delta * static_cast<double>(na) * static_cast<double>(nb) / total;
      n_[k] = na + nb;
    }
  }
  std::size_t memory_bytes() const override { return n_.size() * 24; }

 private:
  AggKind kind_;
  std::vector<std::int64_t> n_;
  std::vector<double> mean_, m2_;
};

class BagAcc final : public Accumulator {
 public:
  void update(const std::vector<Column>& args, const std::vector<std::uint32_t>& g,
              std::size_t rows) override {
    std::size_t m = max_group(g, rows);
    ensure(bags_, m);
    ensure(keys_, m);
    const Column& x = args[0];
    const Column* p = args.size() > 1 ? &args[1] : nullptr;
    for (std::size_t r = 0; r < rows; ++r) {
      if (x.is_null(r) || (p && !predicate_true(*p, r)) || !dyn_is_bag(x.dyns[r])) continue;
      add(g[r], x.dyns[r]->bag);
    }
  }
  void finish(std::size_t count, std::vector<Column>& out) override {
    ensure(bags_, count);
    for (std::size_t k = 0; k < count; ++k)
      out[0].push_dyn(dyn_bag(bags_[k]));
  }
  void merge(Accumulator& o, const std::vector<std::uint32_t>& map) override {
    auto& other = static_cast<BagAcc&>(o);
    std::size_t m =
        map.empty() ? 0 : static_cast<std::size_t>(*std::max_element(map.begin(), map.end())) + 1;
    ensure(bags_, m);
    ensure(keys_, m);
    for (std::size_t g = 0; g < other.bags_.size() && g < map.size(); ++g)
      add(map[g], other.bags_[g]);
  }
  std::size_t memory_bytes() const override { return bytes_; }

 private:
  void add(std::uint32_t k, const std::vector<std::pair<std::string, Dyn>>& entries) {
    for (const auto& [key, value] : entries) {
      if (!keys_[k].insert(key).second) continue;  // the first value of a key stays
      bags_[k].emplace_back(key, value);
      bytes_ += 64 + key.size();
    }
  }
  std::vector<std::vector<std::pair<std::string, Dyn>>> bags_;
  std::vector<std::unordered_set<std::string>> keys_;
  std::size_t bytes_ = 0;
};

class TakeAnyAcc final : public Accumulator {
 public:
  void update(const std::vector<Column>& args, const std::vector<std::uint32_t>& g,
              std::size_t rows) override {
    std::size_t m = max_group(g, rows);
    ensure(state_, m, std::uint8_t{0});
    ensure(row_, m);
    for (std::size_t r = 0; r < rows; ++r) {
      std::uint32_t k = g[r];
      if (state_[k] == 2) continue;
      bool empty = false;
      for (const auto& a : args) {
        empty = empty || a.is_null(r) || (a.type == Type::kString && a.str(r).empty());
      }
      if (state_[k] == 1 && empty) continue;
      auto& row = row_[k];
      row.resize(args.size());
      for (std::size_t c = 0; c < args.size(); ++c)
        row[c] = args[c].value_at(r);
      state_[k] = empty ? 1 : 2;
    }
  }
  void finish(std::size_t count, std::vector<Column>& out) override {
    ensure(state_, count, std::uint8_t{0});
    ensure(row_, count);
    for (std::size_t k = 0; k < count; ++k) {
      for (std::size_t c = 0; c < out.size(); ++c) {
        if (state_[k] == 0) {
          out[c].push_null();
        } else {
          out[c].push_value(row_[k][c]);
        }
      }
    }
  }
  void merge(Accumulator& o, const std::vector<std::uint32_t>& map) override {
    auto& other = static_cast<TakeAnyAcc&>(o);
    std::size_t m =
        map.empty() ? 0 : static_cast<std::size_t>(*std::max_element(map.begin(), map.end())) + 1;
    ensure(state_, m, std::uint8_t{0});
    ensure(row_, m);
    for (std::size_t g = 0; g < other.state_.size() && g < map.size(); ++g) {
      std::uint32_t k = map[g];
      if (other.state_[g] > state_[k]) {
        state_[k] = other.state_[g];
        row_[k] = other.row_[g];
      }
    }
  }
  std::size_t memory_bytes() const override { return row_.size() * 64; }

 private:
  std::vector<std::uint8_t> state_;
  std::vector<std::vector<Value>> row_;
};

}  // namespace

std::unique_ptr<Accumulator> make_accumulator(const AggSpec& spec) {
  switch (spec.kind) {
    case AggKind::kCount:
      return std::make_unique<CountAcc>(false);
    case AggKind::kCountIf:
      return std::make_unique<CountAcc>(true);
    case AggKind::kSum:
    case AggKind::kSumIf:
    case AggKind::kAvg:
    case AggKind::kAvgIf:
      return std::make_unique<SumAvgAcc>(spec);
    case AggKind::kMin:
    case AggKind::kMax:
    case AggKind::kMinIf:
    case AggKind::kMaxIf:
      return std::make_unique<MinMaxAcc>(spec);
    case AggKind::kDCount:
    case AggKind::kDCountIf:
      return std::make_unique<DCountAcc>();
    case AggKind::kMakeSet:
    case AggKind::kMakeSetIf:
    case AggKind::kMakeList:
    case AggKind::kMakeListIf:
    case AggKind::kMakeListWithNulls:
      return std::make_unique<ListAcc>(spec);
    case AggKind::kArgMax:
    case AggKind::kArgMin:
      return std::make_unique<ArgAcc>(spec);
    case AggKind::kPercentile:
    case AggKind::kPercentilesArray:
      return std::make_unique<PercentileAcc>(spec);
    case AggKind::kStdev:
    case AggKind::kStdevIf:
    case AggKind::kStdevP:
    case AggKind::kVariance:
    case AggKind::kVarianceIf:
    case AggKind::kVarianceP:
      return std::make_unique<VarianceAcc>(spec);
    case AggKind::kTakeAny:
    case AggKind::kAnyLegacy:
      return std::make_unique<TakeAnyAcc>();
    case AggKind::kMakeBag:
      return std::make_unique<BagAcc>();
  }
  return nullptr;
}

}  // namespace flowlens::query
