// Intensity normalisations; statistics accumulate in double so large CT
// volumes do not lose precision.
#include "lib/ops/normalize.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "lib/ops/case_text.h"

namespace flowrun {

namespace {

std::string who(const std::string& case_id) {
  return case_id.empty() ? std::string("image: ") : case_prefix(case_id);
}

// Mean and population std over voxels where keep(i) holds.
template <class Keep>
void masked_stats(const ImageVolume& v, Keep keep, const std::string& case_id, double* mean, double* sd) {
  double sum = 0.0;
  int64_t n = 0;
  for (size_t i = 0; i < v.data.size(); ++i)
    if (keep(i)) { sum += v.data[i]; ++n; }
  if (n == 0) throw InputError(who(case_id) + "no voxel selected for z-score statistics (empty mask)");
  *mean = sum / static_cast<double>(n);
  double sq = 0.0;
  for (size_t i = 0; i < v.data.size(); ++i)
    if (keep(i)) { const double d = v.data[i] - *mean; sq += d * d; }
  *sd = std::sqrt(sq / static_cast<double>(n));
}

template <class Keep>
ImageVolume zscore_where(const ImageVolume& v, Keep keep, bool zero_outside, const std::string& case_id) {
  check_finite(v, case_id);
  double mean = 0.0, sd = 0.0;
  masked_stats(v, keep, case_id, &mean, &sd);
  const double scale = sd > 0.0 ? 1.0 / sd : 1.0;
  ImageVolume out = v;
  for (size_t i = 0; i < out.data.size(); ++i)
    out.data[i] = (zero_outside && !keep(i)) ? 0.0f : static_cast<float>((v.data[i] - mean) * scale);
  return out;
}

}  // namespace

void check_finite(const ImageVolume& v, const std::string& case_id) {
  int64_t bad = 0, first = -1;
  for (size_t i = 0; i < v.data.size(); ++i)
    if (!std::isfinite(v.data[i])) {
      if (first < 0) first = static_cast<int64_t>(i);
      ++bad;
    }
  if (bad == 0) return;
  const int64_t nyz = v.size[1] * v.size[2];
  const int64_t x = first / nyz, y = (first % nyz) / v.size[2], z = first % v.size[2];
  throw InputError(who(case_id) + std::to_string(bad) + " voxel(s) are NaN or Inf, first at (" +
                   std::to_string(x) + ", " + std::to_string(y) + ", " + std::to_string(z) +
                   "); expected finite intensities");
}

ImageVolume zscore(const ImageVolume& v, const std::string& case_id) {
  return zscore_where(v, [](size_t) { return true; }, false, case_id);
}

ImageVolume zscore_masked(const ImageVolume& v, const LabelVolume& mask, bool zero_outside,
                          const std::string& case_id) {
  if (mask.size != v.size)
    throw InputError(who(case_id) + "z-score mask size " + shape_string(mask.size) +
                     " differs from image size " + shape_string(v.size));
  return zscore_where(v, [&](size_t i) { return mask.data[i] > 0; }, zero_outside, case_id);
}

ImageVolume zscore_nonzero(const ImageVolume& v, bool zero_outside, const std::string& case_id) {
  return zscore_where(v, [&](size_t i) { return v.data[i] != 0.0f; }, zero_outside, case_id);
}

ImageVolume minmax(const ImageVolume& v, const std::string& case_id) {
  check_finite(v, case_id);
  ImageVolume out = v;
  if (v.data.empty()) return out;
  const auto [lo_it, hi_it] = std::minmax_element(v.data.begin(), v.data.end());
  const double lo = *lo_it, range = static_cast<double>(*hi_it) - lo;
  for (float& x : out.data) x = range > 0.0 ? static_cast<float>((x - lo) / range) : 0.0f;
  return out;
}

ImageVolume hu_window(const ImageVolume& v, float lo, float hi, bool rescale, const std::string& case_id) {
  if (!(hi > lo))
    throw InputError(who(case_id) + "intensity window needs lo < hi, got [" + std::to_string(lo) + ", " +
                     std::to_string(hi) + "]");
  check_finite(v, case_id);
  ImageVolume out = v;
  const double range = static_cast<double>(hi) - lo;
  for (float& x : out.data) {
    x = std::clamp(x, lo, hi);
    if (rescale) x = static_cast<float>((x - static_cast<double>(lo)) / range);
  }
  return out;
}

double percentile(const ImageVolume& v, double pct, bool nonzero_only, const std::string& case_id) {
  if (!(pct >= 0.0 && pct <= 100.0))
    throw InputError(who(case_id) + "percentile must be in [0, 100], got " + std::to_string(pct));
  check_finite(v, case_id);
  std::vector<float> vals;
  vals.reserve(v.data.size());
  for (float x : v.data)
    if (!nonzero_only || x != 0.0f) vals.push_back(x);
  if (vals.empty()) throw InputError(who(case_id) + "no voxel to take a percentile over");
  const double pos = pct / 100.0 * static_cast<double>(vals.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const double frac = pos - static_cast<double>(lo);
  std::nth_element(vals.begin(), vals.begin() + static_cast<std::ptrdiff_t>(lo), vals.end());
  const double a = vals[lo];
  if (frac == 0.0 || lo + 1 >= vals.size()) return a;
  const double b = *std::min_element(vals.begin() + static_cast<std::ptrdiff_t>(lo) + 1, vals.end());
  return a + frac * (b - a);
}

ImageVolume percentile_clip(const ImageVolume& v, double lower_pct, double upper_pct, bool nonzero_only,
                            const std::string& case_id) {
  if (lower_pct > upper_pct)
    throw InputError(who(case_id) + "percentile clip needs lower <= upper, got " + std::to_string(lower_pct) +
                     " > " + std::to_string(upper_pct));
  const float lo = static_cast<float>(percentile(v, lower_pct, nonzero_only, case_id));
  const float hi = static_cast<float>(percentile(v, upper_pct, nonzero_only, case_id));
  ImageVolume out = v;
  for (float& x : out.data)
    if (!nonzero_only || x != 0.0f) x = std::clamp(x, lo, hi);
  return out;
}

}  // namespace flowrun
