#include "query/column.h"

namespace flowlens::query {

Column::Column(Type t) : type(t) {
  if (t == Type::kString) dict = std::make_shared<StringDict>();
}

std::size_t Column::size() const {
  switch (type) {
    case Type::kReal:
      return reals.size();
    case Type::kString:
      return codes.size();
    case Type::kDynamic:
      return dyns.size();
    default:
      return ints.size();
  }
}

void Column::reserve(std::size_t n) {
  switch (type) {
    case Type::kReal:
      reals.reserve(n);
      break;
    case Type::kString:
      codes.reserve(n);
      break;
    case Type::kDynamic:
      dyns.reserve(n);
      break;
    default:
      ints.reserve(n);
  }
}

void Column::mark_null(bool null) {
  if (null) {
    if (nulls.empty()) nulls.assign(size(), 0);
    nulls.push_back(1);
  } else if (!nulls.empty()) {
    nulls.push_back(0);
  }
}

void Column::push_null() {
  switch (type) {
    case Type::kString:
      push_string({});
      return;
    case Type::kDynamic:
      mark_null(true);
      dyns.push_back(nullptr);
      return;
    case Type::kReal:
      mark_null(true);
      reals.push_back(0);
      return;
    default:
      mark_null(true);
      ints.push_back(0);
  }
}

void Column::push_int(std::int64_t v) {
  mark_null(false);
  ints.push_back(v);
}
void Column::push_real(double v) {
  mark_null(false);
  reals.push_back(v);
}
void Column::push_string(std::string_view s) {
  if (!dict) dict = std::make_shared<StringDict>();
  codes.push_back(dict->add(s));
}
void Column::push_dyn(Dyn d) {
  mark_null(d == nullptr);
  dyns.push_back(std::move(d));
}

void Column::push_value(const Value& v) {
  if (type == Type::kString) {
    push_string(v.type == Type::kString ? std::string_view(v.s) : std::string_view());
    if (v.type != Type::kString && !v.null) {
      codes.pop_back();
      push_string(value_to_string(v));
    }
    return;
  }
  if (v.null) {
    push_null();
    return;
  }
  switch (type) {
    case Type::kReal:
      push_real(v.type == Type::kReal ? v.r : static_cast<double>(v.i));
      return;
    case Type::kDynamic:
      push_dyn(v.type == Type::kDynamic ? v.d : value_to_dyn(v));
      return;
    default:
      if (v.type == Type::kReal) {
        push_int(static_cast<std::int64_t>(v.r));
      } else if (v.type == Type::kDynamic) {
        Value c = dyn_to_value(v.d, type);
        if (c.null) {
          push_null();
        } else {
          push_int(c.i);
        }
      } else {
        push_int(v.i);
      }
  }
}

Value Column::value_at(std::size_t row) const {
  if (type == Type::kString) return Value::string(std::string(str(row)));
  if (is_null(row)) return Value::null_of(type);
  switch (type) {
    case Type::kBool:
      return Value::boolean(ints[row] != 0);
    case Type::kInt:
      return Value::integer(ints[row]);
    case Type::kLong:
      return Value::long_(ints[row]);
    case Type::kReal:
      return Value::real(reals[row]);
    case Type::kDateTime:
      return Value::datetime(ints[row]);
    case Type::kTimeSpan:
      return Value::timespan(ints[row]);
    case Type::kDynamic:
      return Value::dynamic(dyns[row]);
    default:
      return Value::null_of(type);
  }
}

void Column::push_from(const Column& other, std::size_t row) {
  switch (type) {
    case Type::kString:
      push_string(other.str(row));
      return;
    case Type::kReal:
      mark_null(other.is_null(row));
      reals.push_back(other.reals[row]);
      return;
    case Type::kDynamic:
      mark_null(other.is_null(row));
      dyns.push_back(other.dyns[row]);
      return;
    default:
      mark_null(other.is_null(row));
      ints.push_back(other.ints[row]);
  }
}

Column Column::gather(const std::vector<std::uint32_t>& rows) const {
  Column out;
  out.type = type;
  if (size() == 0) {  // a column the scan did not decode (projection): stays empty
    out.dict = dict;
    return out;
  }
  switch (type) {
    case Type::kString:
      out.dict = dict;
      out.codes.reserve(rows.size());
      for (std::uint32_t r : rows)
        out.codes.push_back(codes[r]);
      return out;
    case Type::kReal:
      out.reals.reserve(rows.size());
      for (std::uint32_t r : rows)
        out.reals.push_back(reals[r]);
      break;
    case Type::kDynamic:
      out.dyns.resize(rows.size());
      for (std::size_t i = 0; i < rows.size(); ++i)
        out.dyns[i] = dyns[rows[i]];
      break;
    default:
      out.ints.reserve(rows.size());
      for (std::uint32_t r : rows)
        out.ints.push_back(ints[r]);
  }
  if (!nulls.empty()) {
    out.nulls.resize(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i)
      out.nulls[i] = nulls[rows[i]];
  }
  return out;
}

std::size_t Column::memory_bytes() const {
  std::size_t bytes =
      ints.size() * 8 + reals.size() * 8 + codes.size() * 4 + nulls.size() + dyns.size() * 64;
  if (dict) bytes += dict->values.size() * 24;
  return bytes;
}

Column constant_column(const Value& v, std::size_t n) {
  Column c(v.type);
  if (v.type == Type::kString) {
    c.dict->add(v.s);
    c.codes.assign(n, 0);
    return c;
  }
  if (v.null) {
    c.nulls.assign(n, 1);
    if (v.type == Type::kReal) {
      c.reals.assign(n, 0);
    } else if (v.type == Type::kDynamic) {
      c.dyns.assign(n, nullptr);
    } else {
      c.ints.assign(n, 0);
    }
    return c;
  }
  if (v.type == Type::kReal) {
    c.reals.assign(n, v.r);
  } else if (v.type == Type::kDynamic) {
    c.dyns.assign(n, v.d);
  } else {
    c.ints.assign(n, v.i);
  }
  return c;
}

std::size_t Batch::memory_bytes() const {
  std::size_t bytes = 0;
  for (const auto& c : columns)
    bytes += c.memory_bytes();
  return bytes;
}

void append_batch(Batch& to, const Batch& from) {
  for (std::size_t c = 0; c < to.columns.size(); ++c) {
    Column& dst = to.columns[c];
    const Column& src = from.columns[c];
    if (dst.type == Type::kString) {
      // Re-code into the destination dict (dictionaries differ between batches).
      std::vector<std::uint32_t> map(src.dict ? src.dict->values.size() : 0, UINT32_MAX);
      if (!dst.dict) dst.dict = std::make_shared<StringDict>();
      if (dst.dict == src.dict) {
        dst.codes.insert(dst.codes.end(), src.codes.begin(), src.codes.end());
        continue;
      }
      for (std::uint32_t code : src.codes) {
        if (map[code] == UINT32_MAX) map[code] = dst.dict->add(src.dict->values[code]);
        dst.codes.push_back(map[code]);
      }
      continue;
    }
    std::size_t before = dst.size();
    if (!src.nulls.empty() || !dst.nulls.empty()) {
      if (dst.nulls.empty()) dst.nulls.assign(before, 0);
      if (src.nulls.empty()) {
        dst.nulls.insert(dst.nulls.end(), from.rows, 0);
      } else {
        dst.nulls.insert(dst.nulls.end(), src.nulls.begin(), src.nulls.end());
      }
    }
    switch (dst.type) {
      case Type::kReal:
        dst.reals.insert(dst.reals.end(), src.reals.begin(), src.reals.end());
        break;
      case Type::kDynamic:
        dst.dyns.insert(dst.dyns.end(), src.dyns.begin(), src.dyns.end());
        break;
      default:
        dst.ints.insert(dst.ints.end(), src.ints.begin(), src.ints.end());
    }
  }
  to.rows += from.rows;
}

Batch gather_batch(const Batch& b, const std::vector<std::uint32_t>& rows) {
  Batch out;
  out.rows = rows.size();
  out.columns.reserve(b.columns.size());
  for (const auto& c : b.columns)
    out.columns.push_back(c.gather(rows));
  return out;
}

Batch empty_batch(const Schema& schema) {
  Batch b;
  for (const auto& f : schema)
    b.columns.emplace_back(f.type);
  return b;
}

}  // namespace flowlens::query
