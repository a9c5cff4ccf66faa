// Exact squared EDT: a binary pass along z, then the lower envelope of
// parabolas along y and along x. See metrics_edt.h.
#include "plugins/eval/metrics_edt.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <cmath>
#include <limits>

namespace flowrun {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Scratch of one line, reused across the lines a TBB chunk handles.
struct LineScratch {
  std::vector<double> f, d, z;
  std::vector<int64_t> v;
  explicit LineScratch(int64_t n) : f(n), d(n), z(n + 1), v(n) {}
};

// Lower envelope of the parabolas s2 * (p - q)^2 + f[q]; infinite f[q] are
// skipped because they would poison the intersection arithmetic (inf - inf).
void envelope_1d(LineScratch& s, int64_t n, double s2) {
  const double* f = s.f.data();
  int64_t k = -1;
  for (int64_t q = 0; q < n; ++q) {
    if (f[q] == kInf) continue;
    const double fq = f[q] + s2 * static_cast<double>(q * q);
    double cross = -kInf;
    while (k >= 0) {
      const int64_t r = s.v[k];
      cross = (fq - (f[r] + s2 * static_cast<double>(r * r))) / (2.0 * s2 * static_cast<double>(q - r));
      if (cross > s.z[k]) break;
      --k;
    }
    if (k < 0) cross = -kInf;
    ++k;
    s.v[k] = q;
    s.z[k] = cross;
  }
  if (k < 0) {
    for (int64_t p = 0; p < n; ++p) s.d[p] = kInf;
    return;
  }
  int64_t j = 0;
  for (int64_t p = 0; p < n; ++p) {
    while (j < k && s.z[j + 1] < static_cast<double>(p)) ++j;
    const double dp = static_cast<double>(p - s.v[j]);
    s.d[p] = s2 * dp * dp + f[s.v[j]];
  }
}

// First pass on the binary input: along a line the nearest feature is found by
// two sweeps, which is cheaper than the envelope and never meets infinities.
void binary_pass_z(const uint8_t* feature, double* out, int64_t lines, int64_t nz, double sz) {
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, lines), [&](const tbb::blocked_range<int64_t>& r) {
    std::vector<int64_t> dist(static_cast<size_t>(nz));
    for (int64_t line = r.begin(); line != r.end(); ++line) {
      const uint8_t* in = feature + line * nz;
      double* o = out + line * nz;
      int64_t last = -1;
      for (int64_t z = 0; z < nz; ++z) {
        if (in[z]) last = z;
        dist[z] = last < 0 ? -1 : z - last;
      }
      last = -1;
      for (int64_t z = nz - 1; z >= 0; --z) {
        if (in[z]) last = z;
        if (last >= 0 && (dist[z] < 0 || last - z < dist[z])) dist[z] = last - z;
      }
      for (int64_t z = 0; z < nz; ++z) {
        const double d = static_cast<double>(dist[z]) * sz;
        o[z] = dist[z] < 0 ? kInf : d * d;
      }
    }
  });
}

// Envelope pass along one axis of lines laid out as (outer, axis, inner):
// element (o, i, in) sits at (o * n + i) * inner + in.
void envelope_pass(double* data, int64_t outer, int64_t n, int64_t inner, double spacing) {
  const double s2 = spacing * spacing;
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, outer * inner), [&](const tbb::blocked_range<int64_t>& r) {
    LineScratch s(n);
    for (int64_t line = r.begin(); line != r.end(); ++line) {
      const int64_t o = line / inner;
      const int64_t in = line % inner;
      double* base = data + o * n * inner + in;
      for (int64_t i = 0; i < n; ++i) s.f[i] = base[i * inner];
      envelope_1d(s, n, s2);
      for (int64_t i = 0; i < n; ++i) base[i * inner] = s.d[i];
    }
  });
}

}  // namespace

std::vector<double> squared_edt(const uint8_t* feature, const std::array<int64_t, 3>& size,
                                const std::array<double, 3>& spacing) {
  const int64_t nx = size[0], ny = size[1], nz = size[2];
  std::vector<double> out(static_cast<size_t>(nx * ny * nz));
  if (out.empty()) return out;
  binary_pass_z(feature, out.data(), nx * ny, nz, spacing[2]);
  envelope_pass(out.data(), nx, ny, nz, spacing[1]);
  envelope_pass(out.data(), 1, nx, ny * nz, spacing[0]);
  return out;
}

}  // namespace flowrun
