// rot_flip against hand-written np.rot90 / np.flip results on a 2x3 slice.
#include "lib/ops/rot_flip.h"

#include <set>
#include <utility>

#include <gtest/gtest.h>

#include "core/error.h"
#include "fixtures.h"

namespace flowrun {
namespace {

// m = [[1, 2, 3], [4, 5, 6]] as (x, y), one z slice.
ImageVolume m23() { return test::volume_of<float>({2, 3, 1}, {1, 2, 3, 4, 5, 6}); }

struct Case {
  RotFlip rf;
  std::array<int64_t, 3> size;
  std::vector<float> expected;
};

TEST(RotFlip, MatchesNumpyForEveryKAndAxis) {
  const std::vector<Case> cases = {
      {{0, 0}, {2, 3, 1}, {4, 5, 6, 1, 2, 3}},
      {{0, 1}, {2, 3, 1}, {3, 2, 1, 6, 5, 4}},
      {{1, 0}, {3, 2, 1}, {1, 4, 2, 5, 3, 6}},
      {{1, 1}, {3, 2, 1}, {6, 3, 5, 2, 4, 1}},
      {{2, 0}, {2, 3, 1}, {3, 2, 1, 6, 5, 4}},
      {{2, 1}, {2, 3, 1}, {4, 5, 6, 1, 2, 3}},
      {{3, 0}, {3, 2, 1}, {6, 3, 5, 2, 4, 1}},
      {{3, 1}, {3, 2, 1}, {1, 4, 2, 5, 3, 6}},
  };
  for (const Case& c : cases) {
    const ImageVolume out = apply_rot_flip(m23(), c.rf);
    EXPECT_EQ(out.size, c.size) << "k=" << c.rf.k << " axis=" << c.rf.flip_axis;
    EXPECT_EQ(out.data, c.expected) << "k=" << c.rf.k << " axis=" << c.rf.flip_axis;
  }
}

TEST(RotFlip, Rot90AloneMatchesNumpy) {
  EXPECT_EQ(rot90_xy(m23(), 1).data, (std::vector<float>{3, 6, 2, 5, 1, 4}));
  EXPECT_EQ(rot90_xy(m23(), 2).data, (std::vector<float>{6, 5, 4, 3, 2, 1}));
  EXPECT_EQ(rot90_xy(m23(), 3).data, (std::vector<float>{4, 1, 5, 2, 6, 3}));
  EXPECT_EQ(rot90_xy(m23(), 0).data, m23().data);
}

TEST(RotFlip, KeepsZColumnsAndSwapsSpacing) {
  // value = 10 * (x * 3 + y + 1) + z: each (x, y) column must move whole.
  LabelVolume v({2, 3, 2});
  for (int64_t x = 0; x < 2; ++x)
    for (int64_t y = 0; y < 3; ++y)
      for (int64_t z = 0; z < 2; ++z) v.at(x, y, z) = static_cast<uint8_t>(10 * (x * 3 + y + 1) + z);
  v.geometry.spacing = {0.5, 2.0, 3.0};
  const LabelVolume out = apply_rot_flip(v, RotFlip{1, 1});
  // k=1 axis=1 maps (x,y) values [[1,2,3],[4,5,6]] to [[6,3],[5,2],[4,1]].
  const std::vector<uint8_t> expected = {60, 61, 30, 31, 50, 51, 20, 21, 40, 41, 10, 11};
  EXPECT_EQ(out.data, expected);
  EXPECT_EQ(out.geometry.spacing, (std::array<double, 3>{2.0, 0.5, 3.0}));
  EXPECT_EQ(apply_rot_flip(v, RotFlip{2, 0}).geometry.spacing, v.geometry.spacing);
}

TEST(RotFlip, DrawCoversAllEightTransformsAndIsKeyed) {
  std::set<std::pair<int, int>> seen;
  for (int64_t b = 0; b < 200; ++b) {
    Rng r1(7, b, "aug"), r2(7, b, "aug");
    const RotFlip a = draw_rot_flip(r1), c = draw_rot_flip(r2);
    EXPECT_EQ(a.k, c.k);
    EXPECT_EQ(a.flip_axis, c.flip_axis);
    ASSERT_GE(a.k, 0);
    ASSERT_LE(a.k, 3);
    ASSERT_GE(a.flip_axis, 0);
    ASSERT_LE(a.flip_axis, 1);
    seen.insert({a.k, a.flip_axis});
  }
  EXPECT_EQ(seen.size(), 8u);
}

TEST(RotFlip, BadFlipAxisIsInputError) {
  EXPECT_THROW(flip_axis(m23(), 2), InputError);
}

}  // namespace
}  // namespace flowrun
