// Exact squared EDT: a binary pass along x, then the lower envelope of
// parabolas along y and along z. See metrics_edt.h.
#include "lib/metrics/metrics_edt.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace flowrun {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Scratch of one line, reused across the lines a TBB chunk handles.
struct LineScratch {
  std::vector<double> f, d, z, h;
  std::vector<int64_t> v;
  explicit LineScratch(int64_t n) : f(n), d(n), z(n + 1), h(n), v(n) {}
};

// Lower envelope of the parabolas s2 * (p - q)^2 + f[q]; infinite f[q] are
// skipped because they would poison the intersection arithmetic (inf - inf).
// h[k] caches f + s2 * q^2 of envelope vertex k, and the pop test is
// multiplied out so the inner loop has no division.
void envelope_1d(LineScratch& s, int64_t n, double s2) {
  const double* f = s.f.data();
  double* z = s.z.data();
  double* h = s.h.data();
  int64_t* v = s.v.data();
  int64_t k = -1;
  for (int64_t q = 0; q < n; ++q) {
    if (f[q] == kInf) continue;
    const double dq = static_cast<double>(q);
    const double hq = f[q] + s2 * dq * dq;
    // Pop vertices whose parabola is hidden: the intersection with q's lies
    // at or before the vertex's own left boundary z[k].
    while (k >= 0 && hq - h[k] <= z[k] * (2.0 * s2 * (dq - static_cast<double>(v[k])))) --k;
    const double cross = k < 0 ? -kInf : (hq - h[k]) / (2.0 * s2 * (dq - static_cast<double>(v[k])));
    ++k;
    v[k] = q;
    h[k] = hq;
    z[k] = cross;
  }
  if (k < 0) {
    std::fill_n(s.d.data(), n, kInf);
    return;
  }
  int64_t j = 0;
  for (int64_t p = 0; p < n; ++p) {
    while (j < k && z[j + 1] < static_cast<double>(p)) ++j;
    const double dp = static_cast<double>(p - v[j]);
    s.d[p] = s2 * dp * dp + f[v[j]];
  }
}

// First pass on the binary input, along x: the nearest feature on each x line
// by a forward and a backward sweep, cheaper than the envelope and free of
// infinities in its arithmetic. Sweeping whole (y, z) planes at a time keeps
// the memory access contiguous although the lines are strided.
void binary_pass_x(const uint8_t* feature, double* out, int64_t nx, int64_t plane, double sx) {
  constexpr int64_t kBlock = 1024;
  const int64_t blocks = (plane + kBlock - 1) / kBlock;
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, blocks), [&](const tbb::blocked_range<int64_t>& r) {
    std::vector<int64_t> near(static_cast<size_t>(kBlock));
    for (int64_t blk = r.begin(); blk != r.end(); ++blk) {
      const int64_t p0 = blk * kBlock;
      const int64_t w = std::min(kBlock, plane - p0);
      std::fill(near.begin(), near.end(), int64_t{-1});
      // Forward: distance to the nearest feature at or before x, as a count.
      for (int64_t x = 0; x < nx; ++x) {
        const uint8_t* f = feature + x * plane + p0;
        double* o = out + x * plane + p0;
        for (int64_t k = 0; k < w; ++k) {
          if (f[k]) near[k] = x;
          o[k] = near[k] < 0 ? kInf : static_cast<double>(x - near[k]);
        }
      }
      // Backward: the nearest feature at or after x may be nearer.
      std::fill(near.begin(), near.end(), int64_t{-1});
      for (int64_t x = nx - 1; x >= 0; --x) {
        const uint8_t* f = feature + x * plane + p0;
        double* o = out + x * plane + p0;
        for (int64_t k = 0; k < w; ++k) {
          if (f[k]) near[k] = x;
          if (near[k] >= 0) o[k] = std::min(o[k], static_cast<double>(near[k] - x));
          const double d = o[k] * sx;
          o[k] = d * d;  // inf stays inf
        }
      }
    }
  });
}

// Envelope pass along one axis of lines laid out as (outer, axis, inner):
// element (o, i, in) sits at (o * n + i) * inner + in. Lines are handled in
// blocks of neighbouring `in`, so the gather and scatter read and write runs of
// contiguous memory instead of one element per cache line.
void envelope_pass(double* data, int64_t outer, int64_t n, int64_t inner, double spacing) {
  constexpr int64_t kBlock = 16;
  const double s2 = spacing * spacing;
  const int64_t blocks_per_outer = (inner + kBlock - 1) / kBlock;
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, outer * blocks_per_outer), [&](const tbb::blocked_range<int64_t>& r) {
    LineScratch s(n);
    std::vector<double> tile(static_cast<size_t>(n * kBlock));
    for (int64_t blk = r.begin(); blk != r.end(); ++blk) {
      const int64_t o = blk / blocks_per_outer;
      const int64_t in0 = (blk % blocks_per_outer) * kBlock;
      const int64_t w = std::min(kBlock, inner - in0);
      double* base = data + o * n * inner + in0;
      for (int64_t i = 0; i < n; ++i)
        for (int64_t k = 0; k < w; ++k) tile[k * n + i] = base[i * inner + k];
      for (int64_t k = 0; k < w; ++k) {
        std::copy_n(tile.data() + k * n, n, s.f.data());
        envelope_1d(s, n, s2);
        std::copy_n(s.d.data(), n, tile.data() + k * n);
      }
      for (int64_t i = 0; i < n; ++i)
        for (int64_t k = 0; k < w; ++k) base[i * inner + k] = tile[k * n + i];
    }
  });
}

// Passes along x and y; the z pass is left to the caller.
std::vector<double> passes_xy(const uint8_t* feature, const std::array<int64_t, 3>& n,
                              const std::array<double, 3>& spacing) {
  std::vector<double> out(static_cast<size_t>(n[0] * n[1] * n[2]));
  if (out.empty()) return out;
  binary_pass_x(feature, out.data(), n[0], n[1] * n[2], spacing[0]);
  envelope_pass(out.data(), n[0], n[1], n[2], spacing[1]);
  return out;
}

}  // namespace

std::vector<double> squared_edt(const uint8_t* feature, const std::array<int64_t, 3>& size,
                                const std::array<double, 3>& spacing) {
  std::vector<double> out = passes_xy(feature, size, spacing);
  if (!out.empty()) envelope_pass(out.data(), size[0] * size[1], size[2], 1, spacing[2]);
  return out;
}

std::vector<double> edt_at(const uint8_t* feature, const uint8_t* query, const std::array<int64_t, 3>& size,
                           const std::array<double, 3>& spacing) {
  std::vector<double> partial = passes_xy(feature, size, spacing);
  const int64_t lines = size[0] * size[1], nz = size[2];
  // Where each z line's results start in the output (queries in C order).
  std::vector<int64_t> first(static_cast<size_t>(lines + 1), 0);
  for (int64_t l = 0; l < lines; ++l) {
    int64_t c = 0;
    for (int64_t z = 0; z < nz; ++z) c += query[l * nz + z] != 0;
    first[l + 1] = first[l] + c;
  }
  std::vector<double> out(static_cast<size_t>(first[lines]));
  const double s2 = spacing[2] * spacing[2];
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, lines), [&](const tbb::blocked_range<int64_t>& r) {
    LineScratch s(nz);
    for (int64_t l = r.begin(); l != r.end(); ++l) {
      if (first[l + 1] == first[l]) continue;  // only lines holding a query need the last pass
      std::copy_n(partial.data() + l * nz, nz, s.f.data());
      envelope_1d(s, nz, s2);
      int64_t at = first[l];
      for (int64_t z = 0; z < nz; ++z)
        if (query[l * nz + z]) out[static_cast<size_t>(at++)] = std::sqrt(s.d[z]);
    }
  });
  return out;
}

}  // namespace flowrun
