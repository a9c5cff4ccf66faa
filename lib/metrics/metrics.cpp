// medpy-compatible per-case metrics and their summary. See metrics.h.
#include "lib/metrics/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/error.h"
#include "lib/metrics/metrics_surface.h"

namespace flowrun {
namespace {

struct Overlap {
  int64_t a = 0, b = 0, both = 0;
};

// Counts in one pass; a value other than 0/1 sets a bit above bit 0 of `seen`.
Overlap count_overlap(const uint8_t* a, const uint8_t* b, int64_t n, uint8_t& seen_a, uint8_t& seen_b) {
  Overlap o;
  uint8_t or_a = 0, or_b = 0;
  for (int64_t i = 0; i < n; ++i) {
    or_a |= a[i];
    or_b |= b[i];
    o.a += a[i];
    o.b += b[i];
    o.both += a[i] & b[i];
  }
  seen_a = or_a;
  seen_b = or_b;
  return o;
}

void require_binary(const uint8_t* m, int64_t n, const std::array<int64_t, 3>& size, const char* what) {
  for (int64_t i = 0; i < n; ++i) {
    if (m[i] > 1) {
      const int64_t z = i % size[2], y = (i / size[2]) % size[1], x = i / (size[1] * size[2]);
      throw InputError(std::string(what) + " mask holds value " + std::to_string(m[i]) + " at (" + std::to_string(x) +
                       ", " + std::to_string(y) + ", " + std::to_string(z) +
                       "); expected a binary mask of 0 and 1 (threshold or argmax it first)");
    }
  }
}

void require_spacing(const std::array<double, 3>& spacing) {
  for (double s : spacing)
    if (!(s > 0.0) || !std::isfinite(s))
      throw InputError("metric spacing must be three positive finite numbers, got (" + std::to_string(spacing[0]) +
                       ", " + std::to_string(spacing[1]) + ", " + std::to_string(spacing[2]) + ")");
}

MetricStats stats(const std::vector<CaseMetrics>& cases, double CaseMetrics::*field) {
  const double n = static_cast<double>(cases.size());
  if (cases.empty()) return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
  double sum = 0.0;
  for (const auto& c : cases) sum += c.*field;
  const double mean = sum / n;
  double sq = 0.0;
  for (const auto& c : cases) sq += (c.*field - mean) * (c.*field - mean);
  return {mean, std::sqrt(sq / n)};
}

}  // namespace

double percentile_linear(std::vector<double>& values, double q) {
  if (values.empty()) throw InputError("percentile of an empty set of values is undefined");
  if (!(q >= 0.0 && q <= 100.0)) throw InputError("percentile must be in [0, 100], got " + std::to_string(q));
  // numpy: virtual index (n - 1) * q / 100, then a lerp written the way numpy
  // writes it so the result matches to the last bit where possible.
  const double vi = static_cast<double>(values.size() - 1) * (q / 100.0);
  const auto lo = static_cast<size_t>(std::floor(vi));
  const double t = vi - static_cast<double>(lo);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lo), values.end());
  const double a = values[lo];
  const double b = lo + 1 < values.size()
                       ? *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(lo) + 1, values.end())
                       : a;
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

CaseMetrics compute_metrics(const uint8_t* pred, const uint8_t* ref, const std::array<int64_t, 3>& size,
                            const std::array<double, 3>& spacing) {
  require_spacing(spacing);
  const int64_t n = size[0] * size[1] * size[2];
  uint8_t seen_p = 0, seen_r = 0;
  const Overlap o = count_overlap(pred, ref, n, seen_p, seen_r);
  if (seen_p > 1) require_binary(pred, n, size, "prediction");
  if (seen_r > 1) require_binary(ref, n, size, "reference");

  CaseMetrics m;
  const int64_t uni = o.a + o.b - o.both;
  m.dice = o.a + o.b == 0 ? 1.0 : 2.0 * static_cast<double>(o.both) / static_cast<double>(o.a + o.b);
  m.jaccard = uni == 0 ? 1.0 : static_cast<double>(o.both) / static_cast<double>(uni);
  if (o.a == 0 || o.b == 0) {
    m.empty = true;
    return m;
  }
  SurfaceDistances d = surface_distances(pred, ref, size, spacing);
  double sum = 0.0;
  for (double v : d.a_to_b) sum += v;
  m.asd = sum / static_cast<double>(d.a_to_b.size());
  std::vector<double> all = std::move(d.a_to_b);
  all.insert(all.end(), d.b_to_a.begin(), d.b_to_a.end());
  m.hd95 = percentile_linear(all, 95.0);
  return m;
}

CaseMetrics compute_metrics(const LabelVolume& pred, const LabelVolume& ref, const std::array<double, 3>& spacing) {
  if (pred.size != ref.size)
    throw InputError("prediction and reference differ in shape: prediction " + shape_string(pred.size) +
                     ", reference " + shape_string(ref.size) + "; expected equal shapes");
  if (static_cast<int64_t>(pred.data.size()) != pred.numel() || static_cast<int64_t>(ref.data.size()) != ref.numel())
    throw InputError("label volume data does not match its size " + shape_string(pred.size));
  return compute_metrics(pred.data.data(), ref.data.data(), pred.size, spacing);
}

MetricsSummary summarize(const std::vector<CaseMetrics>& cases) {
  MetricsSummary s;
  s.cases = static_cast<int64_t>(cases.size());
  for (const auto& c : cases) s.empty_cases += c.empty ? 1 : 0;
  s.dice = stats(cases, &CaseMetrics::dice);
  s.jaccard = stats(cases, &CaseMetrics::jaccard);
  s.hd95 = stats(cases, &CaseMetrics::hd95);
  s.asd = stats(cases, &CaseMetrics::asd);
  return s;
}

}  // namespace flowrun
