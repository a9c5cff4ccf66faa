// Per-case metrics on hand-built cases whose values can be worked out on paper,
// and the input errors.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "lib/metrics/metrics.h"

namespace flowrun {
namespace {

// A 4x4x4 cube at (lo, lo, lo) in a 10^3 grid, moved by `shift` along `axis`.
LabelVolume cube(int axis, int64_t shift, int64_t lo = 3) {
  LabelVolume v({10, 10, 10}, 0);
  for (int64_t x = 0; x < 4; ++x)
    for (int64_t y = 0; y < 4; ++y)
      for (int64_t z = 0; z < 4; ++z) {
        std::array<int64_t, 3> p{lo + x, lo + y, lo + z};
        p[axis] += shift;
        v.at(p[0], p[1], p[2]) = 1;
      }
  return v;
}

// Cube A and A shifted by one voxel along x. Overlap 48, sizes 64: Dice
// 96/128, Jaccard 48/80. Each cube has 56 surface voxels. A's back face (16
// voxels) lies 1 from B's face; the 4 inner voxels of A's front face are
// inside B, 1 from B's surface; the other 36 are on B's surface. So 20 of 56
// distances are 1 in each direction: ASD 20/56, and with 112 values of which
// 40 are 1, the 95th percentile (index 105.45) is 1.
TEST(Metrics, ShiftedCubeVoxelUnits) {
  for (int axis = 0; axis < 3; ++axis) {
    const CaseMetrics m = compute_metrics(cube(axis, 1), cube(axis, 0));
    EXPECT_DOUBLE_EQ(m.dice, 0.75) << axis;
    EXPECT_DOUBLE_EQ(m.jaccard, 0.6) << axis;
    EXPECT_DOUBLE_EQ(m.hd95, 1.0) << axis;
    EXPECT_NEAR(m.asd, 20.0 / 56.0, 1e-12) << axis;
    EXPECT_NEAR(m.asd, 0.357143, 1e-6) << axis;
    EXPECT_FALSE(m.empty);
  }
}

// Spacing (2, 1, 0.5): HD95 is 2 only for the shift along x. The 16 back-face
// distances are one step along the shift axis (2 mm along x); the 4 inner
// front-face voxels now find B's surface one step along z (0.5 mm), nearer
// than along x. Sorted 112 values: 72 zeros, 8 x 0.5, 32 x 2, so index 105.45
// falls among the 2s. A shift along y gives 1, along z 0.5.
TEST(Metrics, ShiftedCubeAnisotropicSpacing) {
  const std::array<double, 3> spacing{2.0, 1.0, 0.5};
  const CaseMetrics mx = compute_metrics(cube(0, 1), cube(0, 0), spacing);
  EXPECT_DOUBLE_EQ(mx.hd95, 2.0);
  EXPECT_NEAR(mx.asd, (16 * 2.0 + 4 * 0.5) / 56.0, 1e-12);
  EXPECT_DOUBLE_EQ(mx.dice, 0.75);
  EXPECT_DOUBLE_EQ(compute_metrics(cube(1, 1), cube(1, 0), spacing).hd95, 1.0);
  EXPECT_DOUBLE_EQ(compute_metrics(cube(2, 1), cube(2, 0), spacing).hd95, 0.5);
}

TEST(Metrics, IdenticalMasksArePerfect) {
  const CaseMetrics m = compute_metrics(cube(0, 0), cube(0, 0));
  EXPECT_DOUBLE_EQ(m.dice, 1.0);
  EXPECT_DOUBLE_EQ(m.jaccard, 1.0);
  EXPECT_DOUBLE_EQ(m.hd95, 0.0);
  EXPECT_DOUBLE_EQ(m.asd, 0.0);
}

// A mask filling the whole array still has a surface (the array border
// erodes), so distances to a smaller mask are defined and finite.
TEST(Metrics, MaskTouchingTheBorderHasASurface) {
  LabelVolume full({4, 4, 4}, 1);
  LabelVolume corner({4, 4, 4}, 0);
  corner.at(0, 0, 0) = 1;
  const CaseMetrics m = compute_metrics(corner, full);
  EXPECT_DOUBLE_EQ(m.asd, 0.0);  // the corner voxel is on full's surface
  EXPECT_DOUBLE_EQ(m.dice, 2.0 / 65.0);
  // full's surface (56 voxels) to the single corner voxel: max distance is the
  // far corner, sqrt(27); the percentile is positive.
  EXPECT_GT(m.hd95, 2.0);
  EXPECT_LE(m.hd95, std::sqrt(27.0));
}

TEST(Metrics, EmptyPredictionIsFlaggedWithZeroDistances) {
  LabelVolume none({10, 10, 10}, 0);
  const CaseMetrics m = compute_metrics(none, cube(0, 0));
  EXPECT_TRUE(m.empty);
  EXPECT_DOUBLE_EQ(m.dice, 0.0);
  EXPECT_DOUBLE_EQ(m.jaccard, 0.0);
  EXPECT_DOUBLE_EQ(m.hd95, 0.0);
  EXPECT_DOUBLE_EQ(m.asd, 0.0);
  const CaseMetrics r = compute_metrics(cube(0, 0), none);
  EXPECT_TRUE(r.empty);
  EXPECT_DOUBLE_EQ(r.dice, 0.0);
}

TEST(Metrics, BothEmptyAgreePerfectly) {
  LabelVolume none({5, 6, 7}, 0);
  const CaseMetrics m = compute_metrics(none, none);
  EXPECT_TRUE(m.empty);
  EXPECT_DOUBLE_EQ(m.dice, 1.0);
  EXPECT_DOUBLE_EQ(m.jaccard, 1.0);
  EXPECT_DOUBLE_EQ(m.hd95, 0.0);
}

TEST(Metrics, ShapeMismatchNamesBothShapes) {
  LabelVolume a({10, 10, 10}, 0), b({10, 10, 9}, 0);
  try {
    compute_metrics(a, b);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("10x10x10"), std::string::npos) << what;
    EXPECT_NE(what.find("10x10x9"), std::string::npos) << what;
  }
}

TEST(Metrics, NonBinaryInputIsRejected) {
  LabelVolume a = cube(0, 0), b = cube(0, 1);
  b.at(0, 1, 2) = 2;
  try {
    compute_metrics(a, b);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("reference"), std::string::npos) << what;
    EXPECT_NE(what.find("(0, 1, 2)"), std::string::npos) << what;
  }
  a.at(9, 9, 9) = 255;
  EXPECT_THROW(compute_metrics(a, cube(0, 0)), InputError);
}

TEST(Metrics, BadSpacingIsRejected) {
  EXPECT_THROW(compute_metrics(cube(0, 0), cube(0, 1), {1.0, 0.0, 1.0}), InputError);
  EXPECT_THROW(compute_metrics(cube(0, 0), cube(0, 1), {1.0, -1.0, 1.0}), InputError);
}

}  // namespace
}  // namespace flowrun
