// Column and Batch: the executor's unit of data, one typed vector per column.
//
// int64-backed types (bool, int, long, datetime, timespan) live in `ints`, reals in `reals`,
// dynamics in `dyns`. Strings are dictionary-coded: `codes` index into a shared StringDict,
// which is how the store hands them over and lets string predicates and group-by work once
// per distinct value instead of once per row. A computed string column gets its own dict.
// `nulls` is empty when no row is null (strings are never null).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/string_arena.h"
#include "query/types.h"
#include "query/value.h"

namespace flowlens::query {

struct StringDict {
  std::vector<std::string_view> values;
  StringArena arena;
  std::uint32_t add(std::string_view s) {
    values.push_back(arena.copy(s));
    return static_cast<std::uint32_t>(values.size() - 1);
  }
};

struct Column {
  Type type = Type::kLong;
  std::vector<std::int64_t> ints;
  std::vector<double> reals;
  std::vector<std::uint32_t> codes;
  std::shared_ptr<StringDict> dict;
  std::vector<Dyn> dyns;
  std::vector<std::uint8_t> nulls;

  Column() = default;
  explicit Column(Type t);

  std::size_t size() const;
  bool is_null(std::size_t row) const { return !nulls.empty() && nulls[row] != 0; }
  std::string_view str(std::size_t row) const { return dict->values[codes[row]]; }
  void reserve(std::size_t n);

  // Appending (computed columns). Strings are copied into the column's own dict.
  void push_null();
  void push_int(std::int64_t v);  // int64-backed types
  void push_real(double v);
  void push_string(std::string_view s);
  void push_dyn(Dyn d);
  void push_value(const Value& v);  // v.type must match (numeric values are converted)
  Value value_at(std::size_t row) const;
  // Appends row `row` of `other` (same type).
  void push_from(const Column& other, std::size_t row);
  // Keeps the rows listed (in order).
  Column gather(const std::vector<std::uint32_t>& rows) const;
  std::size_t memory_bytes() const;

 private:
  void mark_null(bool null);
};

// A constant column of `n` rows.
Column constant_column(const Value& v, std::size_t n);

struct Field {
  std::string name;
  Type type = Type::kLong;
};
using Schema = std::vector<Field>;

struct Batch {
  std::vector<Column> columns;
  std::size_t rows = 0;
  std::size_t memory_bytes() const;
};

// Appends all rows of `from` to `to` (same column types).
void append_batch(Batch& to, const Batch& from);
Batch gather_batch(const Batch& b, const std::vector<std::uint32_t>& rows);
Batch empty_batch(const Schema& schema);

}  // namespace flowlens::query
