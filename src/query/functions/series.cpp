// Time-series functions (§6.15): series_fill_linear, series_stats, series_fit_line,
// series_outliers, series_decompose, series_decompose_anomalies, series_periods_detect,
// series_periods_validate.
//
// Inputs are dynamic arrays (make-series output); elements that are not numbers (null, strings,
// ...) are missing values. Multi-output functions return a dynamic array with one element per
// output, in the order of ScalarFunction::outputs: series outputs are arrays, scalar outputs
// (series_stats, series_fit_line) are numbers or null.
//
// Period detection (seasonality = -1) is the documented substitute of §6.15.4, "compatible in
// spirit, not bit-exact": the autocorrelation of the de-meaned series at each integer lag
// (normalised per lag, like a Pearson correlation of the series with its shifted self), local
// maxima only, score max(0, r); the shortest lag scoring at least 95% of the best wins, so a
// daily pattern is not reported as its two-day harmonic.
#include <algorithm>
#include <cmath>
#include <limits>

#include "query/functions/common.h"
#include "query/string_match.h"

namespace flowlens::query::fn {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Series {
  std::vector<double> x;  // NaN for missing values
  bool integral = true;   // every present element is a long
  bool ok = false;        // the argument was an array
};

Series read_series(const Value& v) {
  Series s;
  const Dyn d = get_dyn(v);
  if (!dyn_is_array(d)) return s;
  s.ok = true;
  s.x.reserve(d->items.size());
  for (const auto& item : d->items) {
    if (item && item->kind == DynKind::kLong) {
      s.x.push_back(static_cast<double>(item->i));
    } else if (item && item->kind == DynKind::kReal) {
      s.x.push_back(item->r);
      s.integral = false;
    } else if (item && item->kind == DynKind::kBool) {
      s.x.push_back(static_cast<double>(item->i));
    } else {
      s.x.push_back(kNaN);
    }
  }
  return s;
}

Dyn real_or_null(double v) {
  return std::isnan(v) ? nullptr : dyn_real(v);
}

Dyn real_array(const std::vector<double>& v) {
  std::vector<Dyn> items;
  items.reserve(v.size());
  for (double x : v)
    items.push_back(real_or_null(x));
  return dyn_array(std::move(items));
}

std::optional<Type> series_arg(const std::vector<ArgInfo>& a, std::string& e, std::string_view fn) {
  if (!check_arg(a, 0, kADynamic, fn, "a dynamic numeric array", e)) return std::nullopt;
  return Type::kDynamic;
}

// --- series_fill_linear ---------------------------------------------------------------------

std::optional<Type> fill_linear_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!series_arg(a, e, "series_fill_linear") ||
      !check_arg(a, 1, kANumber, "series_fill_linear", "a number (missing value)", e) ||
      !check_arg(a, 2, kABool, "series_fill_linear", "a bool (fill edges)", e) ||
      !check_arg(a, 3, kANumber, "series_fill_linear", "a number (constant)", e)) {
    return std::nullopt;
  }
  return Type::kDynamic;
}

// Missing values (null, or equal to `missing`) are interpolated linearly between the nearest
// present neighbours; edges take the nearest present value when fill_edges; an array without
// present values is filled with `constant` (null keeps it). Integer arrays stay integers
// (interpolated values truncated).
Value fill_linear_eval(const std::vector<Value>& a, const EvalContext&) {
  Series s = read_series(a[0]);
  if (!s.ok) return Value::null_of(Type::kDynamic);
  const std::optional<double> missing = a.size() > 1 ? get_real(a[1]) : std::nullopt;
  const bool fill_edges = a.size() > 2 ? get_bool(a[2]).value_or(true) : true;
  const std::optional<double> constant = a.size() > 3 ? get_real(a[3]) : std::optional(0.0);
  if (constant && std::floor(*constant) != *constant) s.integral = false;
  std::vector<double>& x = s.x;
  const std::size_t n = x.size();
  std::vector<bool> present(n);
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < n; ++i) {
    present[i] = !std::isnan(x[i]) && !(missing && x[i] == *missing);
    if (present[i]) idx.push_back(i);
  }
  std::vector<double> out(n, kNaN);
  std::vector<bool> keep_original(n, false);
  if (idx.empty()) {
    for (std::size_t i = 0; i < n; ++i)
      out[i] = constant ? *constant : kNaN;
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      if (present[i]) out[i] = x[i];
    }
    for (std::size_t k = 0; k + 1 < idx.size(); ++k) {
      const std::size_t l = idx[k], r = idx[k + 1];
      for (std::size_t i = l + 1; i < r; ++i) {
        const double v =
            x[l] + (x[r] - x[l]) * static_cast<double>(i - l) / static_cast<double>(r - l);
        out[i] = s.integral ? std::trunc(v) : v;
      }
    }
    for (std::size_t i = 0; i < idx.front(); ++i) {
      if (fill_edges) {
        out[i] = x[idx.front()];
      } else {
        keep_original[i] = true;
      }
    }
    for (std::size_t i = idx.back() + 1; i < n; ++i) {
      if (fill_edges) {
        out[i] = x[idx.back()];
      } else {
        keep_original[i] = true;
      }
    }
  }
  const Dyn input = get_dyn(a[0]);
  std::vector<Dyn> items;
  items.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (keep_original[i]) {
      items.push_back(input->items[i]);
    } else if (std::isnan(out[i])) {
      items.push_back(nullptr);
    } else if (s.integral && std::fabs(out[i]) < 9.2e18) {
      items.push_back(dyn_long(static_cast<std::int64_t>(out[i])));
    } else {
      items.push_back(dyn_real(out[i]));
    }
  }
  return Value::dynamic(dyn_array(std::move(items)));
}

// --- series_stats ---------------------------------------------------------------------------

std::optional<Type> stats_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!series_arg(a, e, "series_stats") ||
      !check_arg(a, 1, kABool, "series_stats", "a bool (ignore non-finite)", e)) {
    return std::nullopt;
  }
  return Type::kDynamic;
}
Value stats_eval(const std::vector<Value>& a, const EvalContext&) {
  const Series s = read_series(a[0]);
  const bool ignore = a.size() > 1 ? get_bool(a[1]).value_or(false) : false;
  auto all_null = [] { return Value::dynamic(dyn_array(std::vector<Dyn>(7, nullptr))); };
  if (!s.ok) return Value::null_of(Type::kDynamic);
  double min = 0, max = 0, sum = 0;
  std::int64_t min_idx = -1, max_idx = -1, count = 0;
  for (std::size_t i = 0; i < s.x.size(); ++i) {
    const double v = s.x[i];
    if (!std::isfinite(v)) {
      if (ignore) continue;
      return all_null();
    }
    if (count == 0 || v < min) {
      min = v;
      min_idx = static_cast<std::int64_t>(i);
    }
    if (count == 0 || v > max) {
      max = v;
      max_idx = static_cast<std::int64_t>(i);
    }
    sum += v;
    ++count;
  }
  if (count == 0) return all_null();
  const double avg = sum / static_cast<double>(count);
  double ss = 0;
  for (double v : s.x) {
    if (std::isfinite(v)) ss += (v - avg) * (v - avg);
  }
  const double variance = count > 1 ? ss / static_cast<double>(count - 1) : 0.0;
  return Value::dynamic(
      dyn_array({dyn_real(min), dyn_long(min_idx), dyn_real(max), dyn_long(max_idx), dyn_real(avg),
                 dyn_real(std::sqrt(variance)), dyn_real(variance)}));
}

// --- least squares --------------------------------------------------------------------------

struct Line {
  double slope = 0;
  double intercept = 0;
  bool ok = false;
};

// Fits y = slope * i + intercept over the first `m` points, skipping missing values.
Line fit_line(const std::vector<double>& y, std::size_t m) {
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < m && i < y.size(); ++i) {
    if (!std::isfinite(y[i])) continue;
    const auto x = static_cast<double>(i);
    n += 1;
    sx += x;
    sy += y[i];
    sxx += x * x;
    sxy += x * y[i];
  }
  Line line;
  if (n == 0) return line;
  line.ok = true;
  const double denom = n * sxx - sx * sx;
  if (n < 2 || denom == 0) {
    line.intercept = sy / n;
    return line;
  }
  line.slope = (n * sxy - sx * sy) / denom;
  line.intercept = (sy - line.slope * sx) / n;
  return line;
}

// series_fit_line: rsquare, slope, variance (of the input), rvariance (of the residuals; both
// sample variances), interception, line_fit.
Value fit_line_eval(const std::vector<Value>& a, const EvalContext&) {
  const Series s = read_series(a[0]);
  if (!s.ok) return Value::null_of(Type::kDynamic);
  const Line line = fit_line(s.x, s.x.size());
  if (!line.ok) return Value::dynamic(dyn_array(std::vector<Dyn>(6, nullptr)));
  std::vector<double> fit(s.x.size());
  double n = 0, mean = 0;
  for (std::size_t i = 0; i < s.x.size(); ++i) {
    fit[i] = line.slope * static_cast<double>(i) + line.intercept;
    if (std::isfinite(s.x[i])) {
      mean += s.x[i];
      n += 1;
    }
  }
  mean /= n;
  double ss_tot = 0, ss_res = 0;
  for (std::size_t i = 0; i < s.x.size(); ++i) {
    if (!std::isfinite(s.x[i])) continue;
    ss_tot += (s.x[i] - mean) * (s.x[i] - mean);
    ss_res += (s.x[i] - fit[i]) * (s.x[i] - fit[i]);
  }
  const double denom = n > 1 ? n - 1 : 1;
  const double rsquare = ss_tot > 0 ? 1 - ss_res / ss_tot : 1.0;
  return Value::dynamic(
      dyn_array({dyn_real(rsquare), dyn_real(line.slope), dyn_real(ss_tot / denom),
                 dyn_real(ss_res / denom), dyn_real(line.intercept), real_array(fit)}));
}

// --- series_outliers ------------------------------------------------------------------------

double nearest_rank(const std::vector<double>& sorted, double pct) {
  const auto n = static_cast<double>(sorted.size());
  auto k = static_cast<std::int64_t>(std::ceil(pct / 100.0 * n)) - 1;
  k = std::clamp<std::int64_t>(k, 0, static_cast<std::int64_t>(sorted.size()) - 1);
  return sorted[static_cast<std::size_t>(k)];
}

// Tukey-fence scores of §6.15.2: the distance beyond the [q_lo, q_hi] fence in units of
// q_hi - q_lo; 0 inside, for missing or ignored values, and for fewer than 4 valid points.
// A zero range gives +-inf outside the fence.
std::vector<double> outlier_scores(const std::vector<double>& x, bool tukey, double min_pct,
                                   double max_pct, std::optional<double> ignore) {
  std::vector<double> valid;
  for (double v : x) {
    if (std::isfinite(v) && !(ignore && v == *ignore)) valid.push_back(v);
  }
  std::vector<double> score(x.size(), 0.0);
  if (valid.size() < 4) return score;
  std::sort(valid.begin(), valid.end());
  const double lo = nearest_rank(valid, tukey ? 25 : min_pct);
  const double hi = nearest_rank(valid, tukey ? 75 : max_pct);
  const double range = hi - lo;
  const double inf = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double v = x[i];
    if (!std::isfinite(v) || (ignore && v == *ignore)) continue;
    if (v > hi) score[i] = range > 0 ? (v - hi) / range : inf;
    if (v < lo) score[i] = range > 0 ? (v - lo) / range : -inf;
  }
  return score;
}

std::optional<Type> outliers_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!series_arg(a, e, "series_outliers") ||
      !check_arg(a, 1, kAString, "series_outliers", "\"tukey\" or \"ctukey\"", e) ||
      !check_arg(a, 2, kANumber, "series_outliers", "a number (ignore value)", e) ||
      !check_arg(a, 3, kANumber, "series_outliers", "a number (min percentile)", e) ||
      !check_arg(a, 4, kANumber, "series_outliers", "a number (max percentile)", e)) {
    return std::nullopt;
  }
  if (a.size() > 1 && a[1].constant != nullptr) {
    const std::string kind = value_to_string(*a[1].constant);
    if (!kql_equals_ci(kind, "tukey") && !kql_equals_ci(kind, "ctukey")) {
      return fail(e, "series_outliers() kind must be \"tukey\" or \"ctukey\"");
    }
  }
  return Type::kDynamic;
}
Value outliers_eval(const std::vector<Value>& a, const EvalContext&) {
  const Series s = read_series(a[0]);
  if (!s.ok) return Value::null_of(Type::kDynamic);
  const std::string kind = a.size() > 1 ? get_string(a[1]) : "ctukey";
  const bool tukey = kql_equals_ci(kind, "tukey");
  if (!tukey && !kql_equals_ci(kind, "ctukey")) return Value::null_of(Type::kDynamic);
  const std::optional<double> ignore = a.size() > 2 ? get_real(a[2]) : std::nullopt;
  const double min_pct = std::clamp(a.size() > 3 ? get_real(a[3]).value_or(10) : 10.0, 2.0, 98.0);
  const double max_pct = std::clamp(a.size() > 4 ? get_real(a[4]).value_or(90) : 90.0, 2.0, 98.0);
  return Value::dynamic(real_array(outlier_scores(s.x, tukey, min_pct, max_pct, ignore)));
}

// --- period detection -----------------------------------------------------------------------

// The per-lag normalised autocorrelation of the first m points at `lag`.
double autocorrelation(const std::vector<double>& x, std::size_t m, std::size_t lag) {
  double sa = 0, sb = 0, n = 0;
  for (std::size_t i = 0; i + lag < m; ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(x[i + lag])) continue;
    sa += x[i];
    sb += x[i + lag];
    n += 1;
  }
  if (n < 3) return 0;
  const double ma = sa / n, mb = sb / n;
  double num = 0, va = 0, vb = 0;
  for (std::size_t i = 0; i + lag < m; ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(x[i + lag])) continue;
    const double da = x[i] - ma, db = x[i + lag] - mb;
    num += da * db;
    va += da * da;
    vb += db * db;
  }
  if (va <= 0 || vb <= 0) return 0;
  return num / std::sqrt(va * vb);
}

struct Period {
  std::int64_t lag = 0;
  double score = 0;
};

// Candidate periods in [min_period, max_period] (clamped to [4, m/2]) that are local maxima of
// the autocorrelation, best first.
std::vector<Period> detect_periods(const std::vector<double>& x, std::size_t m,
                                   std::int64_t min_period, std::int64_t max_period) {
  const auto lo = static_cast<std::size_t>(std::max<std::int64_t>(4, min_period));
  const auto hi = static_cast<std::size_t>(
      std::min<std::int64_t>(static_cast<std::int64_t>(m / 2), max_period));
  std::vector<Period> found;
  if (lo > hi) return found;
  std::vector<double> r(hi + 2, 0.0);
  for (std::size_t lag = lo - 1; lag <= hi + 1 && lag < m; ++lag)
    r[lag] = autocorrelation(x, m, lag);
  for (std::size_t lag = lo; lag <= hi; ++lag) {
    const bool peak = r[lag] > r[lag - 1] && r[lag] >= r[lag + 1];
    if (peak && r[lag] > 0) found.push_back({static_cast<std::int64_t>(lag), r[lag]});
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const Period& a, const Period& b) { return a.score > b.score; });
  return found;
}

// The seasonality = -1 choice: the shortest detected period scoring >= 95% of the best, if the
// best reaches `threshold`; 0 otherwise.
std::int64_t auto_period(const std::vector<double>& x, std::size_t m, double threshold) {
  const auto periods = detect_periods(x, m, 4, static_cast<std::int64_t>(m / 2));
  if (periods.empty() || periods.front().score < threshold) return 0;
  std::int64_t best = periods.front().lag;
  for (const auto& p : periods) {
    if (p.score >= 0.95 * periods.front().score) best = std::min(best, p.lag);
  }
  return best;
}

std::optional<Type> periods_detect_type(const std::vector<ArgInfo>& a, std::string& e) {
  if (!series_arg(a, e, "series_periods_detect")) return std::nullopt;
  for (std::size_t i = 1; i < a.size(); ++i) {
    if (!check_arg(a, i, kANumber, "series_periods_detect", "a number", e)) return std::nullopt;
  }
  return Type::kDynamic;
}
// series_periods_detect(x, min_period, max_period, num_periods): periods and scores, padded
// with 0 to num_periods.
Value periods_detect_eval(const std::vector<Value>& a, const EvalContext&) {
  const Series s = read_series(a[0]);
  const auto min_p = get_real(a[1]);
  const auto max_p = get_real(a[2]);
  const auto count = get_long(a[3]);
  if (!s.ok || !min_p || !max_p || !count || *count < 0 || *count > 1000) {
    return Value::null_of(Type::kDynamic);
  }
  const auto found = detect_periods(s.x, s.x.size(), static_cast<std::int64_t>(std::ceil(*min_p)),
                                    static_cast<std::int64_t>(std::floor(*max_p)));
  std::vector<Dyn> periods, scores;
  for (std::int64_t k = 0; k < *count; ++k) {
    const bool have = static_cast<std::size_t>(k) < found.size();
    periods.push_back(
        dyn_real(have ? static_cast<double>(found[static_cast<std::size_t>(k)].lag) : 0));
    scores.push_back(dyn_real(have ? found[static_cast<std::size_t>(k)].score : 0));
  }
  return Value::dynamic(dyn_array({dyn_array(std::move(periods)), dyn_array(std::move(scores))}));
}

// series_periods_validate(x, p1 [, p2 ...]): the score of each given period (0 outside
// [4, n/2]).
Value periods_validate_eval(const std::vector<Value>& a, const EvalContext&) {
  const Series s = read_series(a[0]);
  if (!s.ok) return Value::null_of(Type::kDynamic);
  std::vector<Dyn> periods, scores;
  for (std::size_t i = 1; i < a.size(); ++i) {
    const auto p = get_real(a[i]);
    if (!p) return Value::null_of(Type::kDynamic);
    periods.push_back(dyn_real(*p));
    const auto lag = static_cast<std::int64_t>(std::llround(*p));
    double score = 0;
    if (lag >= 4 && static_cast<std::size_t>(lag) <= s.x.size() / 2) {
      score = std::max(0.0, autocorrelation(s.x, s.x.size(), static_cast<std::size_t>(lag)));
    }
    scores.push_back(dyn_real(score));
  }
  return Value::dynamic(dyn_array({dyn_array(std::move(periods)), dyn_array(std::move(scores))}));
}

// --- series_decompose -----------------------------------------------------------------------

struct Decomposition {
  std::vector<double> baseline, seasonal, trend, residual;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

enum class Trend { kAvg, kLineFit, kNone };

std::optional<Trend> parse_trend(std::string_view s) {
  if (kql_equals_ci(s, "avg")) return Trend::kAvg;
  if (kql_equals_ci(s, "linefit")) return Trend::kLineFit;
  if (kql_equals_ci(s, "none")) return Trend::kNone;
  return std::nullopt;
}

Decomposition decompose(const std::vector<double>& x, std::int64_t seasonality, Trend trend,
                        std::int64_t test_points, double seasonality_threshold) {
  const std::size_t n = x.size();
  const std::size_t m =
      n -
      std::min<std::size_t>(n, static_cast<std::size_t>(std::max<std::int64_t>(0, test_points)));
  std::int64_t period = seasonality;
  if (seasonality < 0) period = auto_period(x, m, seasonality_threshold);
  Decomposition d;
  d.seasonal.assign(n, 0.0);
  if (period > 0) {
    const auto p = static_cast<std::size_t>(period);
    std::vector<double> phase_median(p, 0.0);
    for (std::size_t phase = 0; phase < p; ++phase) {
      std::vector<double> values;
      for (std::size_t i = phase; i < m; i += p) {
        if (std::isfinite(x[i])) values.push_back(x[i]);
      }
      if (!values.empty()) phase_median[phase] = median(std::move(values));
    }
    for (std::size_t i = 0; i < n; ++i)
      d.seasonal[i] = phase_median[i % p];
  }
  std::vector<double> deseasonal(n);
  for (std::size_t i = 0; i < n; ++i)
    deseasonal[i] = x[i] - d.seasonal[i];
  d.trend.assign(n, 0.0);
  if (trend == Trend::kAvg) {
    double sum = 0, count = 0;
    for (std::size_t i = 0; i < m; ++i) {
      if (std::isfinite(deseasonal[i])) {
        sum += deseasonal[i];
        count += 1;
      }
    }
    if (count > 0) d.trend.assign(n, sum / count);
  } else if (trend == Trend::kLineFit) {
    const Line line = fit_line(deseasonal, m);
    for (std::size_t i = 0; i < n; ++i) {
      d.trend[i] = line.slope * static_cast<double>(i) + line.intercept;
    }
  }
  d.baseline.resize(n);
  d.residual.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    d.baseline[i] = d.seasonal[i] + d.trend[i];
    d.residual[i] = std::isfinite(x[i]) ? x[i] - d.baseline[i] : 0.0;
  }
  return d;
}

bool check_trend(const std::vector<ArgInfo>& a, std::size_t index, std::string_view fn,
                 std::string& e) {
  if (!check_arg(a, index, kAString, fn, "'avg', 'linefit' or 'none'", e)) return false;
  if (index < a.size() && a[index].constant != nullptr &&
      !parse_trend(value_to_string(*a[index].constant))) {
    e = std::string(fn) + "() trend must be 'avg', 'linefit' or 'none'";
    return false;
  }
  return true;
}

std::optional<Type> decompose_type(const std::vector<ArgInfo>& a, std::string& e) {
  const std::string_view fn = "series_decompose";
  if (!series_arg(a, e, fn) || !check_arg(a, 1, kANumber, fn, "an integer seasonality", e) ||
      !check_trend(a, 2, fn, e) || !check_arg(a, 3, kANumber, fn, "an integer (test points)", e) ||
      !check_arg(a, 4, kANumber, fn, "a number (seasonality threshold)", e)) {
    return std::nullopt;
  }
  return Type::kDynamic;
}

struct DecomposeArgs {
  std::int64_t seasonality = -1;
  Trend trend = Trend::kAvg;
  std::int64_t test_points = 0;
  double threshold = 0.6;
  bool ok = true;
};

// Reads (seasonality, trend, test_points, seasonality_threshold) starting at `first`; a null
// argument keeps its default.
DecomposeArgs read_decompose_args(const std::vector<Value>& a, std::size_t first,
                                  std::size_t threshold_index) {
  DecomposeArgs r;
  auto at = [&](std::size_t i) -> const Value* {
    return i < a.size() && !a[i].null ? &a[i] : nullptr;
  };
  if (auto v = at(first)) r.seasonality = get_long(*v).value_or(-1);
  if (auto v = at(first + 1)) {
    const auto t = parse_trend(get_string(*v));
    if (!t) r.ok = false;
    r.trend = t.value_or(Trend::kAvg);
  }
  if (auto v = at(first + 2)) r.test_points = get_long(*v).value_or(0);
  if (auto v = at(threshold_index)) r.threshold = get_real(*v).value_or(0.6);
  return r;
}

Value decompose_eval(const std::vector<Value>& a, const EvalContext&) {
  const Series s = read_series(a[0]);
  const DecomposeArgs p = read_decompose_args(a, 1, 4);
  if (!s.ok || !p.ok) return Value::null_of(Type::kDynamic);
  const Decomposition d = decompose(s.x, p.seasonality, p.trend, p.test_points, p.threshold);
  return Value::dynamic(dyn_array({real_array(d.baseline), real_array(d.seasonal),
                                   real_array(d.trend), real_array(d.residual)}));
}

// --- series_decompose_anomalies -------------------------------------------------------------

std::optional<Type> anomalies_type(const std::vector<ArgInfo>& a, std::string& e) {
  const std::string_view fn = "series_decompose_anomalies";
  if (!series_arg(a, e, fn) || !check_arg(a, 1, kANumber, fn, "a number (threshold)", e) ||
      !check_arg(a, 2, kANumber, fn, "an integer seasonality", e) || !check_trend(a, 3, fn, e) ||
      !check_arg(a, 4, kANumber, fn, "an integer (test points)", e) ||
      !check_arg(a, 5, kAString, fn, "'ctukey' or 'tukey'", e) ||
      !check_arg(a, 6, kANumber, fn, "a number (seasonality threshold)", e)) {
    return std::nullopt;
  }
  return Type::kDynamic;
}
Value anomalies_eval(const std::vector<Value>& a, const EvalContext&) {
  const Series s = read_series(a[0]);
  double threshold = 1.5;
  if (a.size() > 1 && !a[1].null) threshold = get_real(a[1]).value_or(1.5);
  const DecomposeArgs p = read_decompose_args(a, 2, 6);
  bool tukey = false;
  if (a.size() > 5 && !a[5].null) {
    const std::string method = get_string(a[5]);
    tukey = kql_equals_ci(method, "tukey");
    if (!tukey && !kql_equals_ci(method, "ctukey")) return Value::null_of(Type::kDynamic);
  }
  if (!s.ok || !p.ok) return Value::null_of(Type::kDynamic);
  const Decomposition d = decompose(s.x, p.seasonality, p.trend, p.test_points, p.threshold);
  std::vector<double> residual = d.residual;
  for (std::size_t i = 0; i < residual.size(); ++i) {
    if (!std::isfinite(s.x[i])) residual[i] = kNaN;  // missing points are not scored
  }
  const std::vector<double> score = outlier_scores(residual, tukey, 10, 90, std::nullopt);
  std::vector<Dyn> flags;
  flags.reserve(score.size());
  for (double v : score)
    flags.push_back(dyn_long(v > threshold ? 1 : (v < -threshold ? -1 : 0)));
  return Value::dynamic(
      dyn_array({dyn_array(std::move(flags)), real_array(score), real_array(d.baseline)}));
}

}  // namespace

void register_series(std::vector<ScalarFunction>& out) {
  const auto gen = Naming::kGenerated;
  out.push_back({"series_fill_linear", 1, 4, fill_linear_type, fill_linear_eval});
  out.push_back({"series_stats",
                 1,
                 2,
                 stats_type,
                 stats_eval,
                 gen,
                 {"min", "min_idx", "max", "max_idx", "avg", "stdev", "variance"},
                 false,
                 {Type::kReal, Type::kLong, Type::kReal, Type::kLong, Type::kReal, Type::kReal,
                  Type::kReal}});
  out.push_back(
      {"series_fit_line",
       1,
       1,
       [](const std::vector<ArgInfo>& a, std::string& e) {
         return series_arg(a, e, "series_fit_line");
       },
       fit_line_eval,
       gen,
       {"rsquare", "slope", "variance", "rvariance", "interception", "line_fit"},
       false,
       {Type::kReal, Type::kReal, Type::kReal, Type::kReal, Type::kReal, Type::kDynamic}});
  out.push_back({"series_outliers", 1, 5, outliers_type, outliers_eval});
  out.push_back({"series_decompose",
                 1,
                 5,
                 decompose_type,
                 decompose_eval,
                 gen,
                 {"baseline", "seasonal", "trend", "residual"},
                 false,
                 {Type::kDynamic, Type::kDynamic, Type::kDynamic, Type::kDynamic}});
  out.push_back({"series_decompose_anomalies",
                 1,
                 7,
                 anomalies_type,
                 anomalies_eval,
                 gen,
                 {"ad_flag", "ad_score", "baseline"},
                 false,
                 {Type::kDynamic, Type::kDynamic, Type::kDynamic}});
  out.push_back({"series_periods_detect",
                 4,
                 4,
                 periods_detect_type,
                 periods_detect_eval,
                 gen,
                 {"periods", "scores"},
                 false,
                 {Type::kDynamic, Type::kDynamic}});
  out.push_back({"series_periods_validate",
                 2,
                 -1,
                 periods_detect_type,
                 periods_validate_eval,
                 gen,
                 {"periods", "scores"},
                 false,
                 {Type::kDynamic, Type::kDynamic}});
}

}  // namespace flowlens::query::fn
