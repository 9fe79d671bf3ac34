// Aggregate functions over groups: one Accumulator per aggregate of a summarize (or
// make-series / top-nested), updated batch by batch with each row's group id, and finished
// into one output column per result (arg_max and percentiles have several).
//
// Decisions (§8 of the semantics reference): dcount is exact; percentiles are exact
// nearest-rank; make_set keeps first-seen order; arg_max/arg_min and take_any keep the first
// row encountered among ties; avg of an empty group is NaN; stdev/variance of fewer than two
// values is 0.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "query/column.h"
#include "query/plan.h"

namespace flowlens::query {

class Accumulator {
 public:
  virtual ~Accumulator() = default;
  // `args` are the evaluated AggSpec::args for the batch; `groups` one group id per row.
  virtual void update(const std::vector<Column>& args, const std::vector<std::uint32_t>& groups,
                      std::size_t rows) = 0;
  // Appends one value per group (groups [0, count)) to each output column.
  virtual void finish(std::size_t count, std::vector<Column>& outputs) = 0;
  virtual std::size_t memory_bytes() const = 0;
  // Folds `other` (same aggregate, a later part of the input) into this one; `map[g]` is the
  // group in this accumulator of `other`'s group g. Ties keep this side's values, so merging
  // the parts of a scan in order gives what one pass would.
  virtual void merge(Accumulator& other, const std::vector<std::uint32_t>& map) = 0;
};

std::unique_ptr<Accumulator> make_accumulator(const AggSpec& spec);

}  // namespace flowlens::query
