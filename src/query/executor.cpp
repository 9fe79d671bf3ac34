#include "query/executor.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <thread>
#include <unordered_map>

#include "common/flat_index.h"
#include "query/aggregator.h"
#include "query/evaluator.h"
#include "query/query_error.h"

namespace flowlens::query {

void ExecContext::check() const {
  if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
    throw QueryError(ErrorKind::kRuntime, "the query was cancelled");
  }
  if (std::chrono::steady_clock::now() > deadline) {
    throw QueryError(ErrorKind::kRuntime, "the query exceeded its timeout of " +
                                              std::to_string(timeout.count()) + " ms (--timeout)");
  }
}

void ExecContext::check_memory(std::size_t bytes, const char* where) const {
  if (memory_limit != 0 && bytes > memory_limit) {
    throw QueryError(ErrorKind::kRuntime,
                     std::string("the query exceeded its memory limit of ") +
                         std::to_string(memory_limit >> 20) + " MiB in " + where +
                         " (--memory-limit; narrow the time range or aggregate earlier)");
  }
}

namespace {

// Thrown by a source when a `take` above it has all the rows it needs.
struct StopProduction {
  const PlanNode* by;
};

// Store batch -> query batch (selected rows only; unprojected columns stay empty).
Batch convert_batch(const store::RowBatch& in, const std::vector<bool>& projection) {
  Batch out;
  out.rows = in.rows.size();
  out.columns.resize(in.columns.size());
  bool all_rows = true;
  for (std::size_t i = 0; i < in.rows.size(); ++i)
    all_rows = all_rows && in.rows[i] == i;
  for (std::size_t c = 0; c < in.columns.size(); ++c) {
    const store::ColumnData& d = in.columns[c];
    Column& col = out.columns[c];
    col.type = query_type(d.type);
    if (!projection.empty() && !projection[c]) {
      if (col.type == Type::kString) col.dict = std::make_shared<StringDict>();
      continue;
    }
    if (col.type == Type::kString) {
      col.dict = std::make_shared<StringDict>();
      col.dict->values.reserve(d.dict.size());
      for (auto v : d.dict)
        col.dict->values.push_back(col.dict->arena.copy(v));
      if (all_rows && d.codes.size() == in.rows.size()) {
        col.codes = d.codes;
      } else {
        col.codes.resize(in.rows.size());
        for (std::size_t i = 0; i < in.rows.size(); ++i)
          col.codes[i] = d.codes[in.rows[i]];
      }
      continue;
    }
    if (col.type == Type::kReal) {
      col.reals.resize(in.rows.size());
      for (std::size_t i = 0; i < in.rows.size(); ++i)
        col.reals[i] = d.reals[in.rows[i]];
    } else if (all_rows && d.ints.size() == in.rows.size()) {
      col.ints = d.ints;
    } else {
      col.ints.resize(in.rows.size());
      for (std::size_t i = 0; i < in.rows.size(); ++i)
        col.ints[i] = d.ints[in.rows[i]];
    }
    if (!d.nulls.empty()) {
      col.nulls.resize(in.rows.size());
      for (std::size_t i = 0; i < in.rows.size(); ++i)
        col.nulls[i] = d.nulls[in.rows[i]];
    }
  }
  return out;
}

// ---- grouping: rows -> dense group ids, first-seen order ----
class Grouper {
 public:
  explicit Grouper(const std::vector<Type>& key_types) : types_(key_types) {
    for (Type t : key_types)
      keys_.columns.emplace_back(t);
  }
  std::size_t groups() const { return count_; }
  Batch& keys() { return keys_; }

  void assign(const std::vector<Column>& cols, std::size_t rows, std::vector<std::uint32_t>& out) {
    out.resize(rows);
    if (types_.empty()) {
      if (count_ == 0) count_ = 1;
      std::fill(out.begin(), out.end(), 0);
      keys_.rows = count_;
      return;
    }
    if (types_.size() == 1 && types_[0] == Type::kString) {
      const Column& c = cols[0];
      const Column& keys = keys_.columns[0];
      // The batch's distinct values in order of first appearance, hashed first, then looked
      // up with the hash table's slots prefetched a few values ahead (large tables miss the
      // cache on nearly every lookup).
      constexpr std::uint32_t kQueued = UINT32_MAX - 1;
      std::vector<std::uint32_t> code_group(c.dict->values.size(), UINT32_MAX);
      std::vector<std::uint32_t> first_row;
      std::vector<std::uint32_t> pending;
      for (std::size_t r = 0; r < rows; ++r) {
        std::uint32_t code = c.codes[r];
        if (code_group[code] == UINT32_MAX) {
          code_group[code] = kQueued;
          pending.push_back(code);
          first_row.push_back(static_cast<std::uint32_t>(r));
        }
      }
      std::vector<std::uint64_t> hashes(pending.size());
      for (std::size_t i = 0; i < pending.size(); ++i) {
        std::string_view s = c.dict->values[pending[i]];
        hashes[i] = XXH3_64bits(s.data(), s.size());
      }
      constexpr std::size_t kAhead = 8;
      for (std::size_t i = 0; i < pending.size(); ++i) {
        if (i + kAhead < pending.size()) index_.prefetch(hashes[i + kAhead]);
        std::string_view s = c.dict->values[pending[i]];
        std::uint32_t r = first_row[i];
        code_group[pending[i]] = index_.find_or_insert(
            hashes[i], count_, [&](std::uint32_t e) { return keys.str(e) == s; },
            [&] { return new_group(cols, r); });
      }
      for (std::size_t r = 0; r < rows; ++r)
        out[r] = code_group[c.codes[r]];
      return;
    }
    if (types_.size() == 1 && types_[0] != Type::kReal && types_[0] != Type::kDynamic) {
      const Column& c = cols[0];
      const Column& keys = keys_.columns[0];
      for (std::size_t r = 0; r < rows; ++r) {
        if (c.is_null(r)) {
          if (null_group_ == UINT32_MAX) null_group_ = new_group(cols, r);
          out[r] = null_group_;
          continue;
        }
        std::int64_t v = c.ints[r];
        out[r] = index_.find_or_insert(
            mix(static_cast<std::uint64_t>(v)), count_,
            [&](std::uint32_t e) { return !keys.is_null(e) && keys.ints[e] == v; },
            [&] { return new_group(cols, r); });
      }
      return;
    }
    if (tuple_keys_ok()) {
      assign_tuples(cols, rows, out);
      return;
    }
    std::string key;
    for (std::size_t r = 0; r < rows; ++r) {
      key.clear();
      for (const auto& c : cols) {
        if (c.type == Type::kString) {
          std::string_view s = c.str(r);
          std::uint32_t len = static_cast<std::uint32_t>(s.size());
          key.append(reinterpret_cast<const char*>(&len), 4);
          key.append(s);
        } else if (c.is_null(r)) {
          key.push_back('\0');
        } else if (c.type == Type::kReal) {
          key.push_back('\1');
          double v = c.reals[r] == 0 ? 0.0 : c.reals[r];
          key.append(reinterpret_cast<const char*>(&v), 8);
        } else {
          key.push_back('\1');
          key.append(reinterpret_cast<const char*>(&c.ints[r]), 8);
        }
      }
      out[r] = index_.find_or_insert(
          XXH3_64bits(key.data(), key.size()), count_,
          [&](std::uint32_t e) { return general_keys_[e] == key; },
          [&] {
            general_keys_.push_back(key);
            return new_group(cols, r);
          });
    }
  }

  std::size_t memory_bytes() const {
    return count_ * (48 + 16 * types_.size()) + tuple_keys_.size() * 8;
  }

 private:
  // Several keys, each a string or an int64-backed value: a row's key is a tuple of int64
  // words (strings replaced by ids from a per-column string table, resolved once per
  // dictionary entry per batch) plus a null mask, hashed without building a string.
  bool tuple_keys_ok() const {
    if (types_.size() < 2 || types_.size() > 63) return false;
    for (Type t : types_) {
      if (t == Type::kReal || t == Type::kDynamic) return false;
    }
    return true;
  }

  struct StringIds {
    FlatIndex index;
    std::vector<std::string> values;
    std::uint32_t id(std::string_view s) {
      return index.find_or_insert(
          XXH3_64bits(s.data(), s.size()), values.size(),
          [&](std::uint32_t e) { return values[e] == s; },
          [&] {
            values.emplace_back(s);
            return static_cast<std::uint32_t>(values.size() - 1);
          });
    }
  };

  void assign_tuples(const std::vector<Column>& cols, std::size_t rows,
                     std::vector<std::uint32_t>& out) {
    std::size_t k = cols.size();
    std::size_t width = k + 1;  // the key words, then the null mask
    if (string_ids_.size() != k) string_ids_.resize(k);
    // Per string column: dictionary code -> string id, filled on first use in this batch.
    std::vector<std::vector<std::uint32_t>> code_ids(k);
    for (std::size_t j = 0; j < k; ++j) {
      if (cols[j].type == Type::kString)
        code_ids[j].assign(cols[j].dict->values.size(), UINT32_MAX);
    }
    std::vector<std::int64_t> tuple(width);
    for (std::size_t r = 0; r < rows; ++r) {
      std::uint64_t nulls = 0;
      std::uint64_t h = 0x9E3779B97F4A7C15ULL;
      for (std::size_t j = 0; j < k; ++j) {
        const Column& c = cols[j];
        std::int64_t v = 0;
        if (c.type == Type::kString) {
          std::uint32_t code = c.codes[r];
          std::uint32_t& id = code_ids[j][code];
          if (id == UINT32_MAX) id = string_ids_[j].id(c.dict->values[code]);
          v = id;
        } else if (c.is_null(r)) {
          nulls |= std::uint64_t{1} << j;
        } else {
          v = c.ints[r];
        }
        tuple[j] = v;
        h = mix(h ^ static_cast<std::uint64_t>(v));
      }
      tuple[k] = static_cast<std::int64_t>(nulls);
      h = mix(h ^ nulls);
      out[r] = index_.find_or_insert(
          h, count_,
          [&](std::uint32_t e) {
            const std::int64_t* stored = tuple_keys_.data() + static_cast<std::size_t>(e) * width;
            return std::equal(tuple.begin(), tuple.end(), stored);
          },
          [&] {
            tuple_keys_.insert(tuple_keys_.end(), tuple.begin(), tuple.end());
            return new_group(cols, r);
          });
    }
  }

 public:
 private:
  std::uint32_t new_group(const std::vector<Column>& cols, std::size_t r) {
    for (std::size_t k = 0; k < cols.size(); ++k)
      keys_.columns[k].push_from(cols[k], r);
    keys_.rows = ++count_;
    return static_cast<std::uint32_t>(count_ - 1);
  }
  std::vector<Type> types_;
  Batch keys_;
  std::size_t count_ = 0;
  static std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
  }
  FlatIndex index_;
  std::vector<std::string> general_keys_;
  std::vector<StringIds> string_ids_;
  std::vector<std::int64_t> tuple_keys_;
  std::uint32_t null_group_ = UINT32_MAX;
};

std::vector<Column> eval_all(const std::vector<BExprPtr>& exprs, const Batch& b,
                             const EvalContext& ctx) {
  std::vector<Column> out;
  out.reserve(exprs.size());
  for (const auto& e : exprs)
    out.push_back(evaluate(*e, b, ctx));
  return out;
}

// ---- ordering ----
int compare_cells(const Column& c, std::size_t a, std::size_t b, bool nulls_first) {
  auto is_nullish = [&](std::size_t r) {
    return c.is_null(r) || (c.type == Type::kReal && std::isnan(c.reals[r]));
  };
  bool na = is_nullish(a), nb = is_nullish(b);
  if (na || nb) {
    if (na && nb) {
      // null before NaN when ascending with nulls first
      bool xa = c.is_null(a), xb = c.is_null(b);
      if (xa == xb) return 0;
      return xa ? (nulls_first ? -1 : 1) : (nulls_first ? 1 : -1);
    }
    return na ? (nulls_first ? -1 : 1) : (nulls_first ? 1 : -1);
  }
  switch (c.type) {
    case Type::kString: {
      std::string_view x = c.str(a), y = c.str(b);
      return x == y ? 0 : (x < y ? -1 : 1);
    }
    case Type::kReal:
      return c.reals[a] == c.reals[b] ? 0 : (c.reals[a] < c.reals[b] ? -1 : 1);
    case Type::kDynamic: {
      std::string x = dyn_to_json(c.dyns[a]), y = dyn_to_json(c.dyns[b]);
      return x == y ? 0 : (x < y ? -1 : 1);
    }
    default:
      return c.ints[a] == c.ints[b] ? 0 : (c.ints[a] < c.ints[b] ? -1 : 1);
  }
}

std::vector<std::uint32_t> sorted_order(const Batch& b, const std::vector<SortSpec>& keys,
                                        const EvalContext& ctx, std::int64_t limit) {
  std::vector<Column> cols;
  for (const auto& k : keys)
    cols.push_back(evaluate(*k.expr, b, ctx));
  std::vector<std::uint32_t> order(b.rows);
  std::iota(order.begin(), order.end(), 0);
  auto less = [&](std::uint32_t x, std::uint32_t y) {
    for (std::size_t k = 0; k < keys.size(); ++k) {
      // Nulls placement is independent of the direction.
      const Column& c = cols[k];
      bool nx = c.is_null(x) || (c.type == Type::kReal && std::isnan(c.reals[x]));
      bool ny = c.is_null(y) || (c.type == Type::kReal && std::isnan(c.reals[y]));
      int r;
      if (nx || ny) {
        r = compare_cells(c, x, y, keys[k].nulls_first);
      } else {
        r = compare_cells(c, x, y, true);
        if (keys[k].descending) r = -r;
      }
      if (r != 0) return r < 0;
    }
    return x < y;  // stable: first encountered wins ties
  };
  if (limit >= 0 && static_cast<std::size_t>(limit) < order.size()) {
    std::partial_sort(order.begin(), order.begin() + limit, order.end(), less);
    order.resize(static_cast<std::size_t>(limit));
  } else {
    std::sort(order.begin(), order.end(), less);
  }
  return order;
}

class Runner {
 public:
  explicit Runner(ExecContext& ctx) : ctx_(ctx) {}

  void run(const PlanNode& n, const BatchSink& sink) {
    switch (n.kind) {
      case PlanKind::kScan:
        return scan(n, sink);
      case PlanKind::kValues: {
        Batch copy = *n.values;
        sink(std::move(copy));
        return;
      }
      case PlanKind::kFilter: {
        std::int64_t rows_before = 0;  // row_number() in a where continues across batches
        return run(*n.children[0], [&](Batch&& b) {
          ctx_.check();
          EvalContext eval = ctx_.eval;
          eval.row_base = rows_before;
          rows_before += static_cast<std::int64_t>(b.rows);
          auto rows = select_true(*n.predicate, b, eval);
          if (rows.empty()) return;
          if (rows.size() == b.rows) {
            sink(std::move(b));
          } else {
            sink(gather_batch(b, rows));
          }
        });
      }
      case PlanKind::kProject: {
        std::int64_t rows_before = 0;  // row_number() continues across batches
        return run(*n.children[0], [&](Batch&& b) {
          Batch out;
          out.rows = b.rows;
          EvalContext eval = ctx_.eval;
          eval.row_base = rows_before;
          out.columns.reserve(n.exprs.size());
          for (std::size_t i = 0; i < n.exprs.size(); ++i) {
            if (!n.needed.empty() && !n.needed[i]) {
              out.columns.emplace_back(n.exprs[i]->type);  // not read above: left empty
            } else {
              out.columns.push_back(evaluate(*n.exprs[i], b, eval));
            }
          }
          rows_before += static_cast<std::int64_t>(b.rows);
          sink(std::move(out));
        });
      }
      case PlanKind::kTake:
        return take(n, sink);
      case PlanKind::kCount: {
        std::int64_t count = 0;
        std::size_t shards = shard_count(*n.children[0]);
        if (shards > 1) {
          std::vector<std::int64_t> counts(shards, 0);
          run_shards(*n.children[0], shards,
                     [&](Runner& r, std::size_t k) { counts[k] = r.count_rows(*n.children[0]); });
          for (auto c : counts)
            count += c;
        } else {
          count = count_rows(*n.children[0]);
        }
        Batch out = empty_batch(n.schema);
        out.columns[0].push_int(count);
        out.rows = 1;
        sink(std::move(out));
        return;
      }
      case PlanKind::kAggregate:
        return sink(aggregate(n));
      case PlanKind::kSort:
      case PlanKind::kTop:
        return sink(sort(n));
      case PlanKind::kJoin:
        return sink(join(n));
      case PlanKind::kUnion:
        return union_all(n, sink);
      case PlanKind::kMvExpand:
        return run(*n.children[0], [&](Batch&& b) { sink(mv_expand(n, b)); });
      case PlanKind::kMakeSeries:
        return sink(make_series(n));
      case PlanKind::kTopNested:
        return sink(top_nested(n));
      case PlanKind::kGetSchema: {
        Batch out = empty_batch(n.schema);
        const Schema& s = n.children[0]->schema;
        for (std::size_t i = 0; i < s.size(); ++i) {
          out.columns[0].push_string(s[i].name);
          out.columns[1].push_int(static_cast<std::int64_t>(i));
          out.columns[2].push_string(dotnet_type_name(s[i].type));
          out.columns[3].push_string(type_name(s[i].type));
        }
        out.rows = s.size();
        sink(std::move(out));
        return;
      }
      case PlanKind::kMvApply:
        return sink(mv_apply(n));
    }
  }

  Batch collect(const PlanNode& n, const char* where = "an intermediate result") {
    Batch all = empty_batch(n.schema);
    run(n, [&](Batch&& b) {
      if (all.rows == 0 && b.columns.size() == all.columns.size()) {
        all = std::move(b);
      } else {
        append_batch(all, b);
      }
      ctx_.check_memory(all.memory_bytes(), where);
      ctx_.check();
    });
    all.columns.resize(n.schema.size());
    return all;
  }

 private:
  void scan(const PlanNode& n, const BatchSink& sink) {
    store::ScanOptions options;
    options.from = n.time_from == INT64_MIN ? kMinTicks : n.time_from;
    options.to = n.time_to == INT64_MAX ? kMaxTicks : n.time_to;
    options.projection = ctx_.reader->required_columns(*n.table, n.projection, n.raw_partials);
    std::uint64_t groups = 0, pruned = 0, rows = 0;
    options.row_groups_total = &groups;
    options.row_groups_pruned = &pruned;
    options.key_order = false;  // KQL promises no order; skip sorting merged rollup rows
    options.raw_partials = n.raw_partials;
    options.ip_filter_set = n.ip_filter_set;
    options.ip_filter = n.ip_filter;
    options.shard = ctx_.shard;
    options.shards = ctx_.shards;
    ctx_.reader->scan(*n.table, options, [&](store::RowBatch& rb) {
      ctx_.check();
      Batch b = convert_batch(rb, options.projection);
      rows += b.rows;
      sink(std::move(b));
    });
    n.stats->row_groups += groups;
    n.stats->row_groups_pruned += pruned;
    n.stats->rows_read += rows;
  }

  // Rows of `n` counted without building them: a filter right below a count only selects.
  std::int64_t count_rows(const PlanNode& n) {
    std::int64_t count = 0;
    if (n.kind == PlanKind::kFilter) {
      std::int64_t rows_before = 0;
      run(*n.children[0], [&](Batch&& b) {
        ctx_.check();
        EvalContext eval = ctx_.eval;
        eval.row_base = rows_before;
        rows_before += static_cast<std::int64_t>(b.rows);
        count += static_cast<std::int64_t>(select_true(*n.predicate, b, eval).size());
      });
    } else {
      run(n, [&](Batch&& b) { count += static_cast<std::int64_t>(b.rows); });
    }
    return count;
  }

  // A chain of streaming operators over a plain-table scan: it can run as independent shards.
  static const PlanNode* shardable_scan(const PlanNode& n) {
    const PlanNode* p = &n;
    while (p->kind == PlanKind::kFilter || p->kind == PlanKind::kProject) {
      // Row positions (row_number()) need one reader in order.
      if (p->kind == PlanKind::kFilter && uses_row_number(*p->predicate)) return nullptr;
      for (const auto& e : p->exprs) {
        if (uses_row_number(*e)) return nullptr;
      }
      p = p->children[0].get();
    }
    if (p->kind != PlanKind::kScan || (p->table->rollup && !p->raw_partials) || p->table->derived) {
      return nullptr;
    }
    return p;
  }
  std::size_t shard_count(const PlanNode& child) const {
    if (ctx_.threads <= 1 || ctx_.shards > 1) return 1;
    const PlanNode* scan = shardable_scan(child);
    if (scan == nullptr) return 1;
    return static_cast<std::size_t>(ctx_.threads);
  }
  // Runs `work(runner, shard)` on `shards` threads, each reading its part of the scans.
  template <typename Work>
  void run_shards(const PlanNode& child, std::size_t shards, Work&& work) {
    const PlanNode* scan = shardable_scan(child);
    ctx_.reader->prepare(*scan->table);
    std::vector<std::exception_ptr> errors(shards);
    std::vector<std::thread> threads;
    for (std::size_t k = 0; k < shards; ++k) {
      threads.emplace_back([&, k] {
        try {
          ExecContext c = ctx_;
          c.shard = k;
          c.shards = shards;
          c.memory_limit = ctx_.memory_limit / shards;
          Runner r(c);
          work(r, k);
        } catch (...) {
          errors[k] = std::current_exception();
        }
      });
    }
    for (auto& t : threads)
      t.join();
    for (auto& e : errors) {
      if (e) std::rethrow_exception(e);
    }
  }

  void take(const PlanNode& n, const BatchSink& sink) {
    std::int64_t remaining = n.limit;
    if (remaining <= 0) return;
    try {
      run(*n.children[0], [&](Batch&& b) {
        if (remaining <= 0) throw StopProduction{&n};
        if (static_cast<std::int64_t>(b.rows) <= remaining) {
          remaining -= static_cast<std::int64_t>(b.rows);
          sink(std::move(b));
        } else {
          std::vector<std::uint32_t> rows(static_cast<std::size_t>(remaining));
          std::iota(rows.begin(), rows.end(), 0);
          remaining = 0;
          sink(gather_batch(b, rows));
        }
        if (remaining <= 0) throw StopProduction{&n};
      });
    } catch (const StopProduction& stop) {
      if (stop.by != &n) throw;
    }
  }

  struct Partial {
    std::unique_ptr<Grouper> grouper;
    std::vector<std::unique_ptr<Accumulator>> accs;
  };

  Partial new_partial(const PlanNode& n) {
    std::vector<Type> key_types;
    for (const auto& k : n.keys)
      key_types.push_back(k->type);
    Partial p;
    p.grouper = std::make_unique<Grouper>(key_types);
    for (const auto& a : n.aggs)
      p.accs.push_back(make_accumulator(a));
    return p;
  }

  void aggregate_into(const PlanNode& n, Partial& p) {
    std::vector<std::uint32_t> groups;
    run(*n.children[0], [&](Batch&& b) {
      ctx_.check();
      std::vector<Column> keys = eval_all(n.keys, b, ctx_.eval);
      p.grouper->assign(keys, b.rows, groups);
      std::size_t bytes = p.grouper->memory_bytes();
      for (std::size_t i = 0; i < p.accs.size(); ++i) {
        std::vector<Column> args = eval_all(n.aggs[i].args, b, ctx_.eval);
        p.accs[i]->update(args, groups, b.rows);
        bytes += p.accs[i]->memory_bytes();
      }
      ctx_.check_memory(bytes, "summarize");
    });
  }

  Batch aggregate(const PlanNode& n) {
    std::size_t shards = shard_count(*n.children[0]);
    Partial result;
    if (shards <= 1) {
      result = new_partial(n);
      aggregate_into(n, result);
    } else {
      std::vector<Partial> parts(shards);
      for (auto& p : parts)
        p = new_partial(n);
      run_shards(*n.children[0], shards,
                 [&](Runner& r, std::size_t k) { r.aggregate_into(n, parts[k]); });
      // Merge in shard order: groups keep their first-seen order of a single pass.
      result = std::move(parts[0]);
      std::vector<std::uint32_t> map;
      for (std::size_t k = 1; k < shards; ++k) {
        Partial& p = parts[k];
        if (p.grouper->groups() == 0) continue;
        result.grouper->assign(p.grouper->keys().columns, p.grouper->groups(), map);
        for (std::size_t i = 0; i < result.accs.size(); ++i)
          result.accs[i]->merge(*p.accs[i], map);
        p = Partial{};
        std::size_t bytes = result.grouper->memory_bytes();
        for (const auto& a : result.accs)
          bytes += a->memory_bytes();
        ctx_.check_memory(bytes, "summarize");
      }
    }
    Grouper& grouper = *result.grouper;
    std::vector<std::uint32_t> groups;
    if (n.keys.empty() && grouper.groups() == 0 && !n.aggs.empty()) {
      std::vector<Column> none;
      grouper.assign(none, 0, groups);  // one group of defaults for empty input
    }
    Batch out;
    out.rows = grouper.groups();
    out.columns = std::move(grouper.keys().columns);
    std::size_t column = out.columns.size();
    for (std::size_t i = 0; i < result.accs.size(); ++i) {
      std::vector<Column> outputs;
      for (Type t : n.aggs[i].output_types)
        outputs.emplace_back(t);
      result.accs[i]->finish(out.rows, outputs);
      for (auto& c : outputs) {
        c.type = n.schema[column++].type;
        out.columns.push_back(std::move(c));
      }
    }
    return out;
  }

  Batch sort(const PlanNode& n) {
    std::int64_t limit = n.kind == PlanKind::kTop ? n.limit : -1;
    std::size_t shards = limit >= 0 ? shard_count(*n.children[0]) : 1;
    if (shards > 1) {
      // Each shard keeps its own top N; concatenated in shard order, ties still go to the
      // row met first.
      std::vector<Batch> parts(shards);
      run_shards(*n.children[0], shards,
                 [&](Runner& r, std::size_t k) { parts[k] = r.sort_rows(n, limit); });
      Batch all = std::move(parts[0]);
      for (std::size_t k = 1; k < shards; ++k)
        append_batch(all, parts[k]);
      return gather_batch(all, sorted_order(all, n.sort, ctx_.eval, limit));
    }
    return sort_rows(n, limit);
  }

  Batch sort_rows(const PlanNode& n, std::int64_t limit) {
    Batch buffer = empty_batch(n.schema);
    std::size_t compact_at =
        limit >= 0 ? std::max<std::size_t>(65536, static_cast<std::size_t>(limit) * 2) : SIZE_MAX;
    run(*n.children[0], [&](Batch&& b) {
      if (buffer.rows == 0) {
        buffer = std::move(b);
      } else {
        append_batch(buffer, b);
      }
      if (buffer.rows > compact_at) {
        buffer = gather_batch(buffer, sorted_order(buffer, n.sort, ctx_.eval, limit));
      }
      ctx_.check_memory(buffer.memory_bytes(), n.kind == PlanKind::kTop ? "top" : "sort");
      ctx_.check();
    });
    return gather_batch(buffer, sorted_order(buffer, n.sort, ctx_.eval, limit));
  }

  static std::string join_key(const Batch& b, const std::vector<int>& cols, std::size_t r,
                              bool& has_null) {
    std::string key;
    has_null = false;
    for (int ci : cols) {
      const Column& c = b.columns[static_cast<std::size_t>(ci)];
      if (c.type == Type::kString) {
        std::string_view s = c.str(r);
        std::uint32_t len = static_cast<std::uint32_t>(s.size());
        key.append(reinterpret_cast<const char*>(&len), 4);
        key.append(s);
      } else if (c.is_null(r)) {
        has_null = true;
      } else if (c.type == Type::kReal) {
        double v = c.reals[r] == 0 ? 0.0 : c.reals[r];  // -0.0 joins 0.0
        key.append(reinterpret_cast<const char*>(&v), 8);
      } else {
        key.append(reinterpret_cast<const char*>(&c.ints[r]), 8);
      }
    }
    return key;
  }

  Batch join(const PlanNode& n) {
    Batch left = collect(*n.children[0], "join (left side)");
    Batch right = collect(*n.children[1], "join (right side)");
    std::vector<int> lk, rk;
    for (auto [l, r] : n.join_keys) {
      lk.push_back(l);
      rk.push_back(r);
    }
    std::unordered_map<std::string, std::vector<std::uint32_t>> index;
    std::size_t index_bytes = 0;
    for (std::size_t r = 0; r < right.rows; ++r) {
      bool null = false;
      std::string k = join_key(right, rk, r, null);
      if (null) continue;
      index_bytes += 4 + (index.count(k) ? 0 : 64 + k.size());
      index[k].push_back(static_cast<std::uint32_t>(r));
      if ((r & 4095) == 0) {
        ctx_.check_memory(left.memory_bytes() + right.memory_bytes() + index_bytes, "join");
        ctx_.check();
      }
    }
    const std::string& kind = n.join_kind;
    Batch out = empty_batch(n.schema);
    bool left_cols = kind != "rightsemi" && kind != "rightanti";
    std::size_t right_base = left_cols ? left.columns.size() : 0;
    std::vector<std::uint8_t> right_matched(right.rows, 0);
    auto emit = [&](std::int64_t l, std::int64_t r) {
      if (left_cols) {
        for (std::size_t c = 0; c < left.columns.size(); ++c) {
          if (l >= 0) {
            out.columns[c].push_from(left.columns[c], static_cast<std::size_t>(l));
          } else {
            out.columns[c].push_null();
          }
        }
      }
      for (std::size_t k = 0; k < n.right_output.size(); ++k) {
        Column& dst = out.columns[right_base + k];
        if (r >= 0) {
          dst.push_from(right.columns[static_cast<std::size_t>(n.right_output[k])],
                        static_cast<std::size_t>(r));
        } else {
          dst.push_null();
        }
      }
      ++out.rows;
      if ((out.rows & 4095) == 0) {
        ctx_.check_memory(out.memory_bytes(), "join");
        ctx_.check();
      }
    };
    std::unordered_map<std::string, bool> seen_left;  // innerunique: first left row per key
    for (std::size_t l = 0; l < left.rows; ++l) {
      bool null = false;
      std::string k = join_key(left, lk, l, null);
      const std::vector<std::uint32_t>* matches = nullptr;
      if (!null) {
        auto it = index.find(k);
        if (it != index.end()) matches = &it->second;
      }
      if (kind == "innerunique") {
        if (null || !seen_left.emplace(k, true).second) continue;
      }
      if (kind == "leftsemi" || kind == "leftanti") {
        if ((matches != nullptr) == (kind == "leftsemi")) emit(static_cast<std::int64_t>(l), -1);
        continue;
      }
      if (matches != nullptr) {
        for (std::uint32_t r : *matches) {
          right_matched[r] = 1;
          if (kind != "rightsemi" && kind != "rightanti") {
            emit(static_cast<std::int64_t>(l), r);
          }
        }
      } else if (kind == "leftouter" || kind == "fullouter") {
        emit(static_cast<std::int64_t>(l), -1);
      }
    }
    if (kind == "rightouter" || kind == "fullouter" || kind == "rightsemi" || kind == "rightanti") {
      for (std::size_t r = 0; r < right.rows; ++r) {
        bool matched = right_matched[r] != 0;
        if (kind == "rightsemi" ? matched : !matched) emit(-1, static_cast<std::int64_t>(r));
      }
    }
    return out;
  }

  void union_all(const PlanNode& n, const BatchSink& sink) {
    for (std::size_t i = 0; i < n.children.size(); ++i) {
      const auto& map = n.union_map[i];
      run(*n.children[i], [&](Batch&& b) {
        Batch out;
        out.rows = b.rows;
        out.columns.resize(n.schema.size());
        std::vector<bool> filled(n.schema.size(), false);
        for (std::size_t c = 0; c < map.size(); ++c) {
          if (map[c] < 0) continue;
          out.columns[static_cast<std::size_t>(map[c])] = std::move(b.columns[c]);
          filled[static_cast<std::size_t>(map[c])] = true;
        }
        for (std::size_t c = 0; c < n.schema.size(); ++c) {
          if (filled[c]) continue;
          if (static_cast<int>(c) == n.with_source_column) {
            out.columns[c] = constant_column(Value::string(n.union_names[i]), b.rows);
          } else {
            out.columns[c] = constant_column(Value::null_of(n.schema[c].type), b.rows);
          }
        }
        sink(std::move(out));
      });
    }
  }

  // The elements one row expands to: an array's items, a bag's keys (as single-key bags or
  // [key, value] pairs), a scalar itself; a null is one null element.
  static std::vector<Dyn> expand_items(const Dyn& d, bool bag_as_array) {
    if (d == nullptr) return {nullptr};
    if (d->kind == DynKind::kArray) return d->items;
    if (d->kind == DynKind::kBag) {
      std::vector<Dyn> out;
      for (const auto& [k, v] : d->bag) {
        if (bag_as_array) {
          out.push_back(dyn_array({dyn_string(k), v}));
        } else {
          out.push_back(dyn_bag({{k, v}}));
        }
      }
      return out;
    }
    return {d};
  }

  // mv-expand `to typeof(T)` is a cast only (§4.15): numbers truncate to integers, but a
  // string element never becomes a number or bool.
  static Value expand_cast(const Dyn& item, Type t) {
    if (item == nullptr) return Value::null_of(t);
    if (t == Type::kString) return Value::string(dyn_to_text(item));
    bool is_string = item->kind == DynKind::kString;
    switch (t) {
      case Type::kInt:
      case Type::kLong:
      case Type::kReal:
        if (is_string || item->kind == DynKind::kBool) return Value::null_of(t);
        break;
      case Type::kBool:
        if (is_string || item->kind == DynKind::kReal) return Value::null_of(t);
        break;
      default:
        break;
    }
    return dyn_to_value(item, t);
  }

  Batch mv_expand(const PlanNode& n, const Batch& b) {
    std::vector<Column> values = eval_all(n.expand_exprs, b, ctx_.eval);
    Batch out = empty_batch(n.schema);
    std::size_t base = b.columns.size();
    std::vector<int> expanded_from(n.schema.size(), -1);  // output column -> expanded item
    for (std::size_t e = 0; e < n.expand_targets.size(); ++e) {
      expanded_from[static_cast<std::size_t>(n.expand_targets[e])] = static_cast<int>(e);
    }
    // The input row of each output row: the columns that pass through are gathered once at
    // the end (strings by dictionary code), never copied value by value.
    std::vector<std::uint32_t> source_rows;
    for (std::size_t r = 0; r < b.rows; ++r) {
      std::vector<std::vector<Dyn>> lists;
      std::size_t rows = 0;
      for (auto& v : values) {
        lists.push_back(expand_items(v.is_null(r) ? nullptr : v.dyns[r], n.expand_bag_as_array));
        rows = std::max(rows, lists.back().size());
      }
      rows = std::min<std::size_t>(rows, static_cast<std::size_t>(n.expand_limit));
      for (std::size_t k = 0; k < rows; ++k) {
        for (std::size_t c = 0; c < out.columns.size(); ++c) {
          int which = expanded_from[c];
          if (which >= 0) {
            const auto& list = lists[static_cast<std::size_t>(which)];
            Dyn item = k < list.size() ? list[k] : nullptr;
            Type t = n.schema[c].type;
            if (t == Type::kDynamic) {
              out.columns[c].push_dyn(item);
            } else {
              out.columns[c].push_value(expand_cast(item, t));
            }
          } else if (c >= base && n.expand_item_index && c + 1 == out.columns.size()) {
            out.columns[c].push_int(static_cast<std::int64_t>(k));
          }
        }
        source_rows.push_back(static_cast<std::uint32_t>(r));
        ++out.rows;
        if ((out.rows & 4095) == 0) {
          ctx_.check_memory(out.memory_bytes() + source_rows.size() * 4 * base, "mv-expand");
          ctx_.check();
        }
      }
    }
    for (std::size_t c = 0; c < base && c < out.columns.size(); ++c)
      if (expanded_from[c] < 0) out.columns[c] = b.columns[c].gather(source_rows);
    return out;
  }

  static double axis_value(const Column& c, std::size_t r) {
    return c.type == Type::kReal ? c.reals[r] : static_cast<double>(c.ints[r]);
  }
  static double value_number(const Value& v) {
    return v.type == Type::kReal ? v.r : static_cast<double>(v.i);
  }

  Batch make_series(const PlanNode& n) {
    Batch input = collect(*n.children[0], "make-series");
    std::vector<Column> keys = eval_all(n.keys, input, ctx_.eval);
    Column axis = evaluate(*n.axis, input, ctx_.eval);
    bool integral_axis = axis.type != Type::kReal;
    double step = value_number(n.series_step);
    if (step <= 0) throw QueryError(ErrorKind::kSemantic, "make-series step must be positive");
    bool have_from = !n.series_from.null, have_to = !n.series_to.null;
    double from = have_from ? value_number(n.series_from) : 0;
    double to = have_to ? value_number(n.series_to) : 0;
    std::vector<Type> key_types;
    for (const auto& k : n.keys)
      key_types.push_back(k->type);
    Grouper grouper(key_types);
    std::vector<std::uint32_t> groups;
    if (input.rows > 0) grouper.assign(keys, input.rows, groups);
    std::size_t group_count = grouper.groups();
    if (group_count == 0 && n.series_nonempty && n.keys.empty() && have_from && have_to) {
      std::vector<Column> none;
      grouper.assign(none, 0, groups);  // kind=nonempty: one row of defaults
      group_count = 1;
    }
    // Each series' axis: [from, to) when given; otherwise from its first to its last bin with
    // data (§4.17), aligned like bin() (the 0001-01-01 origin for datetimes). Integer axes
    // (datetime ticks, timespans, longs) are binned in int64: ticks do not fit a double.
    bool exact = integral_axis && n.series_step.type != Type::kReal &&
                 (!have_from || n.series_from.type != Type::kReal) &&
                 (!have_to || n.series_to.type != Type::kReal);
    auto floor_div = [](std::int64_t a, std::int64_t b) {
      return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
    };
    std::int64_t istep = exact ? n.series_step.i : 0;
    std::int64_t iorigin = axis.type == Type::kDateTime ? kTicksFrom0001 : 0;
    double origin = static_cast<double>(iorigin);
    std::vector<double> lo(group_count, INFINITY), hi(group_count, -INFINITY);
    std::vector<std::int64_t> ilo(group_count, INT64_MAX), ihi(group_count, INT64_MIN);
    for (std::size_t r = 0; r < input.rows; ++r) {
      if (axis.is_null(r)) continue;
      std::uint32_t g = groups[r];
      if (exact) {
        ilo[g] = std::min(ilo[g], axis.ints[r]);
        ihi[g] = std::max(ihi[g], axis.ints[r]);
      } else {
        double x = axis_value(axis, r);
        lo[g] = std::min(lo[g], x);
        hi[g] = std::max(hi[g], x);
      }
    }
    std::vector<double> g_from(group_count);
    std::vector<std::int64_t> g_ifrom(group_count);
    std::vector<std::size_t> g_bins(group_count), base(group_count + 1, 0);
    for (std::size_t g = 0; g < group_count; ++g) {
      double bins = 0;
      if (exact) {
        std::int64_t f = have_from ? n.series_from.i
                         : ilo[g] == INT64_MAX
                             ? 0
                             : floor_div(ilo[g] + iorigin, istep) * istep - iorigin;
        g_ifrom[g] = f;
        g_from[g] = static_cast<double>(f);
        if (have_to) {
          std::int64_t t = n.series_to.i;
          bins = t > f ? static_cast<double>(floor_div(t - f - 1, istep) + 1) : 0;
        } else if (ihi[g] != INT64_MIN && ihi[g] >= f) {
          bins = static_cast<double>(floor_div(ihi[g] - f, istep) + 1);
        }
      } else {
        g_from[g] = have_from           ? from
                    : lo[g] == INFINITY ? 0
                                        : std::floor((lo[g] + origin) / step) * step - origin;
        if (have_to) {
          bins = to > g_from[g] ? std::ceil((to - g_from[g]) / step) : 0;
        } else if (hi[g] != -INFINITY && hi[g] >= g_from[g]) {
          bins = std::floor((hi[g] - g_from[g]) / step) + 1;
        }
      }
      if (bins > static_cast<double>(1u << 20)) {
        throw QueryError(ErrorKind::kRuntime,
                         "make-series would produce more than 2^20 points per series");
      }
      g_bins[g] = static_cast<std::size_t>(bins);
      base[g + 1] = base[g] + g_bins[g];
    }
    // Each (series, bin) is an accumulator slot; rows outside their series' axis are dropped.
    std::vector<std::uint32_t> slots;
    std::vector<std::uint32_t> keep;
    for (std::size_t r = 0; r < input.rows; ++r) {
      if (axis.is_null(r)) continue;
      std::uint32_t g = groups[r];
      double bin = exact ? static_cast<double>(floor_div(axis.ints[r] - g_ifrom[g], istep))
                         : std::floor((axis_value(axis, r) - g_from[g]) / step);
      if (bin < 0 || bin >= static_cast<double>(g_bins[g])) continue;
      keep.push_back(static_cast<std::uint32_t>(r));
      slots.push_back(static_cast<std::uint32_t>(base[g] + static_cast<std::size_t>(bin)));
    }
    Batch kept = gather_batch(input, keep);
    std::size_t total = base[group_count];
    ctx_.check_memory(total * 16 * (n.aggs.size() + 1), "make-series");
    std::vector<std::int64_t> seen(total, 0);
    for (auto s : slots)
      ++seen[s];
    Batch out = empty_batch(n.schema);
    for (std::size_t k = 0; k < n.keys.size(); ++k)
      out.columns[k] = std::move(grouper.keys().columns[k]);
    std::vector<std::vector<Dyn>> arrays(group_count * n.aggs.size());
    for (std::size_t a = 0; a < n.aggs.size(); ++a) {
      auto acc = make_accumulator(n.aggs[a]);
      std::vector<Column> args = eval_all(n.aggs[a].args, kept, ctx_.eval);
      if (!slots.empty()) acc->update(args, slots, slots.size());
      std::vector<Column> results;
      results.emplace_back(n.aggs[a].output_types[0]);
      acc->finish(total, results);
      for (std::size_t g = 0; g < group_count; ++g) {
        auto& arr = arrays[g * n.aggs.size() + a];
        arr.reserve(g_bins[g]);
        for (std::size_t bi = 0; bi < g_bins[g]; ++bi) {
          std::size_t slot = base[g] + bi;
          arr.push_back(seen[slot] == 0 ? value_to_dyn(n.series_defaults[a])
                                        : value_to_dyn(results[0].value_at(slot)));
        }
      }
    }
    for (std::size_t g = 0; g < group_count; ++g) {
      for (std::size_t a = 0; a < n.aggs.size(); ++a) {
        out.columns[n.keys.size() + a].push_dyn(dyn_array(arrays[g * n.aggs.size() + a]));
      }
      std::vector<Dyn> axis_items;
      for (std::size_t bi = 0; bi < g_bins[g]; ++bi) {
        double v = g_from[g] + static_cast<double>(bi) * step;
        std::int64_t iv = exact ? g_ifrom[g] + static_cast<std::int64_t>(bi) * istep
                                : static_cast<std::int64_t>(v);
        if (axis.type == Type::kDateTime) {
          axis_items.push_back(dyn_datetime(iv));
        } else if (axis.type == Type::kTimeSpan) {
          axis_items.push_back(dyn_timespan(iv));
        } else if (integral_axis) {
          axis_items.push_back(dyn_long(iv));
        } else {
          axis_items.push_back(dyn_real(v));
        }
      }
      out.columns.back().push_dyn(dyn_array(std::move(axis_items)));
    }
    out.rows = group_count;
    return out;
  }

  Batch top_nested(const PlanNode& n) {
    Batch input = collect(*n.children[0], "top-nested");
    std::vector<Column> of_cols;
    std::vector<std::vector<Column>> agg_args;
    for (const auto& level : n.nested) {
      of_cols.push_back(evaluate(*level.of, input, ctx_.eval));
      agg_args.push_back(eval_all(level.agg.args, input, ctx_.eval));
    }
    Batch out = empty_batch(n.schema);
    std::vector<std::uint32_t> all(input.rows);
    std::iota(all.begin(), all.end(), 0);
    std::vector<std::pair<Value, Value>> prefix;
    nested_level(n, 0, all, of_cols, agg_args, prefix, out);
    return out;
  }

  void nested_level(const PlanNode& n, std::size_t level, const std::vector<std::uint32_t>& rows,
                    const std::vector<Column>& of_cols,
                    const std::vector<std::vector<Column>>& agg_args,
                    std::vector<std::pair<Value, Value>>& prefix, Batch& out) {
    if (level == n.nested.size()) {
      for (std::size_t k = 0; k < prefix.size(); ++k) {
        out.columns[2 * k].push_value(prefix[k].first);
        out.columns[2 * k + 1].push_value(prefix[k].second);
      }
      ++out.rows;
      return;
    }
    const auto& spec = n.nested[level];
    // Group the rows by the level's value.
    std::vector<Column> key_col;
    key_col.push_back(of_cols[level].gather(rows));
    Grouper grouper({of_cols[level].type});
    std::vector<std::uint32_t> groups;
    grouper.assign(key_col, rows.size(), groups);
    auto acc = make_accumulator(spec.agg);
    std::vector<Column> args;
    for (const auto& a : agg_args[level])
      args.push_back(a.gather(rows));
    acc->update(args, groups, rows.size());
    std::vector<Column> result;
    result.emplace_back(spec.agg.output_types[0]);
    acc->finish(grouper.groups(), result);
    std::vector<std::uint32_t> order(grouper.groups());
    std::iota(order.begin(), order.end(), 0);
    Batch sortable;
    sortable.rows = order.size();
    sortable.columns.push_back(result[0]);
    SortSpec s;
    s.expr = make_column_ref(0, result[0].type);
    s.descending = spec.descending;
    s.nulls_first = !spec.descending;
    order = sorted_order(sortable, {s}, ctx_.eval, spec.count);
    std::vector<std::uint8_t> kept(grouper.groups(), 0);
    for (auto g : order)
      kept[g] = 1;
    // The rows of each kept group, bucketed in one pass (input order within a group).
    std::vector<std::vector<std::uint32_t>> members(grouper.groups());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (kept[groups[i]]) members[groups[i]].push_back(rows[i]);
    }
    for (auto g : order) {
      ctx_.check();
      std::vector<std::uint32_t> sub = std::move(members[g]);
      prefix.emplace_back(grouper.keys().columns[0].value_at(g), result[0].value_at(g));
      nested_level(n, level + 1, sub, of_cols, agg_args, prefix, out);
      prefix.pop_back();
    }
    if (spec.others) {
      std::vector<std::uint32_t> rest;
      for (std::size_t i = 0; i < rows.size(); ++i) {
        if (!kept[groups[i]]) rest.push_back(rows[i]);
      }
      auto other_acc = make_accumulator(spec.agg);
      std::vector<Column> rest_args;
      for (const auto& a : agg_args[level])
        rest_args.push_back(a.gather(rest));
      std::vector<std::uint32_t> zero(rest.size(), 0);
      other_acc->update(rest_args, zero, rest.size());
      std::vector<Column> r;
      r.emplace_back(spec.agg.output_types[0]);
      other_acc->finish(1, r);
      const Value& others = *spec.others;  // typed as the column by the binder
      for (std::size_t k = 0; k < prefix.size(); ++k) {
        out.columns[2 * k].push_value(prefix[k].first);
        out.columns[2 * k + 1].push_value(prefix[k].second);
      }
      out.columns[2 * level].push_value(others);
      out.columns[2 * level + 1].push_value(r[0].value_at(0));
      for (std::size_t c = 2 * level + 2; c < out.columns.size(); ++c)
        out.columns[c].push_null();
      ++out.rows;
    }
  }

  Batch mv_apply(const PlanNode& n) {
    Batch input = collect(*n.children[0], "mv-apply");
    Batch out = empty_batch(n.schema);
    for (std::size_t r = 0; r < input.rows; ++r) {
      ctx_.check();
      *n.apply_input = gather_batch(input, {static_cast<std::uint32_t>(r)});
      Batch sub = collect(*n.subplan, "mv-apply");
      for (std::size_t s = 0; s < sub.rows; ++s) {
        std::size_t c = 0;
        for (int k : n.apply_keep)
          out.columns[c++].push_from(input.columns[static_cast<std::size_t>(k)], r);
        for (auto& col : sub.columns)
          out.columns[c++].push_from(col, s);
        ++out.rows;
      }
    }
    return out;
  }

  ExecContext& ctx_;
};

}  // namespace

void run_plan(const PlanNode& node, ExecContext& ctx, const BatchSink& sink) {
  Runner(ctx).run(node, sink);
}

Batch collect(const PlanNode& node, ExecContext& ctx) {
  return Runner(ctx).collect(node, "the result");
}

}  // namespace flowlens::query
