// The fast EDT-based surface distances against a brute-force O(n^2)
// computation written independently from the definition, on random masks with
// anisotropic spacing, including masks that touch the array border.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "core/error.h"
#include "lib/metrics/metrics.h"
#include "lib/metrics/metrics_edt.h"
#include "lib/metrics/metrics_surface.h"

namespace flowrun {
namespace {

using Size3 = std::array<int64_t, 3>;
using Spacing = std::array<double, 3>;

struct Voxel {
  int64_t x, y, z;
};

std::vector<Voxel> voxels_where(const std::vector<uint8_t>& m, const Size3& n) {
  std::vector<Voxel> out;
  for (int64_t x = 0; x < n[0]; ++x)
    for (int64_t y = 0; y < n[1]; ++y)
      for (int64_t z = 0; z < n[2]; ++z)
        if (m[(x * n[1] + y) * n[2] + z]) out.push_back({x, y, z});
  return out;
}

// Surface by definition: a foreground voxel with a 6-neighbour that is
// background or outside the array.
std::vector<uint8_t> brute_surface(const std::vector<uint8_t>& m, const Size3& n) {
  std::vector<uint8_t> out(m.size(), 0);
  auto at = [&](int64_t x, int64_t y, int64_t z) -> int {
    if (x < 0 || y < 0 || z < 0 || x >= n[0] || y >= n[1] || z >= n[2]) return 0;
    return m[(x * n[1] + y) * n[2] + z];
  };
  for (const Voxel& v : voxels_where(m, n)) {
    const bool inner = at(v.x - 1, v.y, v.z) && at(v.x + 1, v.y, v.z) && at(v.x, v.y - 1, v.z) &&
                       at(v.x, v.y + 1, v.z) && at(v.x, v.y, v.z - 1) && at(v.x, v.y, v.z + 1);
    out[(v.x * n[1] + v.y) * n[2] + v.z] = inner ? 0 : 1;
  }
  return out;
}

double dist(const Voxel& a, const Voxel& b, const Spacing& s) {
  const double dx = (a.x - b.x) * s[0], dy = (a.y - b.y) * s[1], dz = (a.z - b.z) * s[2];
  return std::sqrt(dx * dx + dy * dy + dz * dz);
}

std::vector<double> brute_directed(const std::vector<uint8_t>& from, const std::vector<uint8_t>& to, const Size3& n,
                                   const Spacing& s) {
  const auto targets = voxels_where(brute_surface(to, n), n);
  std::vector<double> out;
  for (const Voxel& v : voxels_where(brute_surface(from, n), n)) {
    double best = std::numeric_limits<double>::infinity();
    for (const Voxel& t : targets) best = std::min(best, dist(v, t, s));
    out.push_back(best);
  }
  return out;
}

// Random mask; `density` of foreground, optionally only inside a sub-box so
// that the bounding-box crop matters.
std::vector<uint8_t> random_mask(const Size3& n, double density, std::mt19937& rng, Size3 lo = {0, 0, 0},
                                 Size3 hi = {-1, -1, -1}) {
  for (int a = 0; a < 3; ++a)
    if (hi[a] < 0) hi[a] = n[a];
  std::bernoulli_distribution on(density);
  std::vector<uint8_t> m(static_cast<size_t>(n[0] * n[1] * n[2]), 0);
  for (int64_t x = lo[0]; x < hi[0]; ++x)
    for (int64_t y = lo[1]; y < hi[1]; ++y)
      for (int64_t z = lo[2]; z < hi[2]; ++z) m[(x * n[1] + y) * n[2] + z] = on(rng) ? 1 : 0;
  return m;
}

void expect_same(const std::vector<double>& got, const std::vector<double>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-9) << what << " at " << i;
}

struct Case {
  Size3 size;
  Spacing spacing;
  double density_a, density_b;
  Size3 lo_b{0, 0, 0}, hi_b{-1, -1, -1};
};

TEST(SurfaceDistances, MatchBruteForceOnRandomMasks) {
  const std::vector<Case> cases = {
      {{7, 9, 6}, {0.7, 1.3, 2.1}, 0.3, 0.3},
      {{12, 5, 11}, {2.0, 1.0, 0.5}, 0.6, 0.1},
      {{1, 8, 8}, {1.0, 1.0, 1.0}, 0.5, 0.5},
      {{10, 10, 10}, {0.625, 0.625, 2.5}, 0.9, 0.85},
      {{16, 12, 14}, {1.5, 0.8, 1.1}, 0.02, 0.5, {3, 2, 5}, {8, 7, 9}},
      {{20, 6, 3}, {0.3, 3.0, 1.0}, 0.7, 0.01},
  };
  std::mt19937 rng(12345);
  for (size_t k = 0; k < cases.size(); ++k) {
    const Case& c = cases[k];
    for (int rep = 0; rep < 3; ++rep) {
      auto a = random_mask(c.size, c.density_a, rng);
      auto b = random_mask(c.size, c.density_b, rng, c.lo_b, c.hi_b);
      a[0] = 1;  // both non-empty
      b[(c.lo_b[0] * c.size[1] + c.lo_b[1]) * c.size[2] + c.lo_b[2]] = 1;
      const std::string what = "case " + std::to_string(k) + " rep " + std::to_string(rep);
      const SurfaceDistances d = surface_distances(a.data(), b.data(), c.size, c.spacing);
      expect_same(d.a_to_b, brute_directed(a, b, c.size, c.spacing), what + " a->b");
      expect_same(d.b_to_a, brute_directed(b, a, c.size, c.spacing), what + " b->a");

      // And the metrics built on them: ASD one direction, HD95 both, numpy's linear percentile.
      const auto ab = brute_directed(a, b, c.size, c.spacing);
      auto all = ab;
      const auto ba = brute_directed(b, a, c.size, c.spacing);
      all.insert(all.end(), ba.begin(), ba.end());
      std::sort(all.begin(), all.end());
      const double idx = 0.95 * static_cast<double>(all.size() - 1);
      const size_t lo = static_cast<size_t>(idx);
      const size_t hi = std::min(lo + 1, all.size() - 1);
      const double hd95 = all[lo] + (all[hi] - all[lo]) * (idx - static_cast<double>(lo));
      double sum = 0.0;
      for (double v : ab) sum += v;
      const CaseMetrics m = compute_metrics(a.data(), b.data(), c.size, c.spacing);
      EXPECT_NEAR(m.hd95, hd95, 1e-9) << what;
      EXPECT_NEAR(m.asd, sum / static_cast<double>(ab.size()), 1e-9) << what;
    }
  }
}

TEST(SurfaceDistances, SurfaceMatchesDefinition) {
  std::mt19937 rng(7);
  const Size3 n{9, 7, 8};
  for (int rep = 0; rep < 5; ++rep) {
    const auto m = random_mask(n, 0.2 + 0.15 * rep, rng);
    EXPECT_EQ(surface_of(m.data(), n), brute_surface(m, n)) << rep;
  }
}

TEST(SquaredEdt, MatchesBruteForceWithSparseFeatures) {
  std::mt19937 rng(99);
  const Size3 n{11, 6, 13};
  const Spacing s{1.7, 0.4, 0.9};
  for (double density : {0.005, 0.05, 0.4}) {
    auto f = random_mask(n, density, rng);
    f[5] = 1;
    const auto edt = squared_edt(f.data(), n, s);
    const auto features = voxels_where(f, n);
    for (int64_t x = 0; x < n[0]; ++x)
      for (int64_t y = 0; y < n[1]; ++y)
        for (int64_t z = 0; z < n[2]; ++z) {
          double best = std::numeric_limits<double>::infinity();
          for (const Voxel& v : features) best = std::min(best, dist({x, y, z}, v, s));
          ASSERT_NEAR(std::sqrt(edt[(x * n[1] + y) * n[2] + z]), best, 1e-9) << density;
        }
  }
}

TEST(SquaredEdt, NoFeatureGivesInfinity) {
  const Size3 n{3, 4, 5};
  std::vector<uint8_t> f(60, 0);
  for (double v : squared_edt(f.data(), n, {1, 1, 1})) EXPECT_TRUE(std::isinf(v));
}

TEST(SurfaceDistances, EmptyMaskIsAnInputError) {
  const Size3 n{4, 4, 4};
  std::vector<uint8_t> a(64, 0), b(64, 0);
  b[10] = 1;
  EXPECT_THROW(surface_distances(a.data(), b.data(), n, {1, 1, 1}), InputError);
  EXPECT_THROW(surface_distances(b.data(), a.data(), n, {1, 1, 1}), InputError);
  EXPECT_THROW(surface_distances(a.data(), a.data(), n, {1, 1, 1}), InputError);
}

}  // namespace
}  // namespace flowrun
