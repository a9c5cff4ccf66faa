// Normalisations against values computed by hand.
#include "lib/ops/normalize.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "core/error.h"
#include "fixtures.h"

namespace flowrun {
namespace {

using test::volume_of;

void expect_near(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6) << "voxel " << i;
}

TEST(Normalize, ZScoreWholeVolume) {
  // mean 2.5, population std sqrt(1.25)
  const ImageVolume out = zscore(volume_of<float>({1, 1, 4}, {1, 2, 3, 4}));
  expect_near(out.data, {-1.3416408f, -0.4472136f, 0.4472136f, 1.3416408f});
}

TEST(Normalize, ZScoreConstantIsOnlyCentred) {
  expect_near(zscore(volume_of<float>({1, 2, 1}, {7, 7})).data, {0, 0});
}

TEST(Normalize, ZScoreNonzero) {
  const ImageVolume v = volume_of<float>({2, 2, 1}, {0, 2, 4, 0});  // stats over {2, 4}: mean 3, std 1
  expect_near(zscore_nonzero(v, false).data, {-3, -1, 1, -3});
  expect_near(zscore_nonzero(v, true).data, {0, -1, 1, 0});
}

TEST(Normalize, ZScoreMasked) {
  const ImageVolume v = volume_of<float>({4, 1, 1}, {1, 3, 10, 20});
  const LabelVolume m = volume_of<uint8_t>({4, 1, 1}, {1, 2, 0, 0});  // stats over {1, 3}
  expect_near(zscore_masked(v, m, false).data, {-1, 1, 8, 18});
  expect_near(zscore_masked(v, m, true).data, {-1, 1, 0, 0});
  EXPECT_THROW(zscore_masked(v, LabelVolume({4, 1, 1}, 0), false, "c1"), InputError);
  EXPECT_THROW(zscore_masked(v, LabelVolume({2, 2, 1}, 1), false), InputError);
}

TEST(Normalize, MinMax) {
  expect_near(minmax(volume_of<float>({1, 1, 4}, {2, 4, 6, 10})).data, {0, 0.25f, 0.5f, 1});
  expect_near(minmax(volume_of<float>({1, 1, 2}, {3, 3})).data, {0, 0});
}

TEST(Normalize, HuWindow) {
  const ImageVolume v = volume_of<float>({1, 1, 5}, {-200, -120, 60, 240, 1000});
  expect_near(hu_window(v).data, {0, 0, 0.5f, 1, 1});
  expect_near(hu_window(v, -120, 240, false).data, {-120, -120, 60, 240, 240});
  EXPECT_THROW(hu_window(v, 10, 10), InputError);
}

TEST(Normalize, PercentileLikeNumpyLinear) {
  const ImageVolume v = volume_of<float>({1, 1, 5}, {5, 1, 4, 2, 3});
  EXPECT_DOUBLE_EQ(percentile(v, 50, false), 3.0);
  EXPECT_DOUBLE_EQ(percentile(v, 25, false), 2.0);
  EXPECT_NEAR(percentile(v, 90, false), 4.6, 1e-12);
  EXPECT_NEAR(percentile(v, 99.9, false), 4.996, 1e-12);
  EXPECT_DOUBLE_EQ(percentile(v, 100, false), 5.0);
  EXPECT_DOUBLE_EQ(percentile(volume_of<float>({1, 1, 5}, {0, 3, 0, 1, 2}), 50, true), 2.0);
  EXPECT_THROW(percentile(ImageVolume({1, 1, 3}, 0.0f), 50, true, "b1"), InputError);
  EXPECT_THROW(percentile(v, 101, false), InputError);
}

TEST(Normalize, PercentileClip) {
  const ImageVolume v = volume_of<float>({1, 1, 5}, {1, 2, 3, 4, 5});
  expect_near(percentile_clip(v, 25, 75, false).data, {2, 2, 3, 4, 4});
  expect_near(percentile_clip(v, 0, 90, false).data, {1, 2, 3, 4, 4.6f});
}

TEST(Normalize, NonFiniteIsInputErrorNamingCaseAndVoxel) {
  ImageVolume v = volume_of<float>({1, 2, 2}, {0, 1, 2, 3});
  v.at(0, 1, 0) = std::numeric_limits<float>::quiet_NaN();
  v.at(0, 1, 1) = std::numeric_limits<float>::infinity();
  for (auto fn : {+[](const ImageVolume& x) { return zscore(x, "pan_042"); },
                  +[](const ImageVolume& x) { return minmax(x, "pan_042"); },
                  +[](const ImageVolume& x) { return hu_window(x, -120, 240, true, "pan_042"); },
                  +[](const ImageVolume& x) { return percentile_clip(x, 0, 99.9, true, "pan_042"); }}) {
    try {
      fn(v);
      FAIL() << "expected InputError";
    } catch (const InputError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("pan_042"), std::string::npos) << msg;
      EXPECT_NE(msg.find("2 voxel"), std::string::npos) << msg;
      EXPECT_NE(msg.find("(0, 1, 0)"), std::string::npos) << msg;
    }
  }
  EXPECT_NO_THROW(check_finite(volume_of<float>({1, 1, 2}, {1, 2})));
}

TEST(PercentileClip, NonzeroOnlyLeavesBackgroundAtZero) {
  ImageVolume v({1, 1, 6}, 0.0f);
  v.data = {0.0f, 1.0f, 2.0f, 3.0f, 4.0f, 100.0f};
  // Nonzero voxels {1, 2, 3, 4, 100}: 10th pct = 1.4, 90th = 4 + 0.6 * 96 = 61.6 (numpy linear).
  const ImageVolume c = percentile_clip(v, 10, 90, true, "c");
  EXPECT_FLOAT_EQ(c.data[0], 0.0f);
  EXPECT_FLOAT_EQ(c.data[1], 1.4f);
  EXPECT_FLOAT_EQ(c.data[2], 2.0f);
  EXPECT_FLOAT_EQ(c.data[5], 61.6f);
  // Over all voxels the zero is a voxel like any other and is clipped up.
  const ImageVolume all = percentile_clip(v, 10, 100, false, "c");
  EXPECT_FLOAT_EQ(all.data[0], static_cast<float>(percentile(v, 10, false)));
  EXPECT_GT(all.data[0], 0.0f);
  EXPECT_THROW(percentile_clip(v, 90, 10, true, "c"), InputError);
}

}  // namespace
}  // namespace flowrun
