// Resampling: output grid, interpolation orders, and refusing unknown spacing.
#include "lib/volume/resample.h"
#include "test_util.h"

namespace flowrun {
namespace {

TEST(Resample, SizeSpacingAndDirectionOfOutput) {
  ImageVolume v({10, 8, 6}, 3.0f);
  v.geometry = test::odd_geometry();  // spacing 0.7, 1.3, 2.5
  const ImageVolume r = resample_image(v, {1.0, 1.0, 1.0});
  EXPECT_EQ(r.size, (std::array<int64_t, 3>{7, 10, 15}));
  EXPECT_EQ(r.geometry.spacing, (std::array<double, 3>{1.0, 1.0, 1.0}));
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(r.geometry.direction[i], v.geometry.direction[i], 1e-12);
  // B-spline of a constant is the constant, edges included.
  for (float f : r.data) ASSERT_NEAR(f, 3.0f, 1e-4);
}

TEST(Resample, LinearOrderReproducesARamp) {
  ImageVolume v({8, 4, 4});
  v.geometry.spacing = {2.0, 2.0, 2.0};
  for (int64_t x = 0; x < 8; ++x)
    for (int64_t y = 0; y < 4; ++y)
      for (int64_t z = 0; z < 4; ++z) v.at(x, y, z) = float(x);
  const ImageVolume r = resample_image(v, {1.0, 2.0, 2.0}, 1);
  ASSERT_EQ(r.size, (std::array<int64_t, 3>{16, 4, 4}));
  EXPECT_NEAR(r.geometry.origin[0], -0.5, 1e-12);
  // Output x centre i sits at input index (i - 0.5) / 2; interior only.
  for (int64_t i = 1; i < 15; ++i) EXPECT_NEAR(r.at(i, 1, 2), (double(i) - 0.5) / 2.0, 1e-5) << i;
}

TEST(Resample, LabelIsNearestNeighbour) {
  LabelVolume v({3, 2, 2});
  v.geometry.spacing = {2.0, 1.0, 1.0};
  for (int64_t x = 0; x < 3; ++x)
    for (int64_t y = 0; y < 2; ++y)
      for (int64_t z = 0; z < 2; ++z) v.at(x, y, z) = uint8_t(x == 1 ? 5 : x);
  const LabelVolume r = resample_label(v, {1.0, 1.0, 1.0});
  ASSERT_EQ(r.size, (std::array<int64_t, 3>{6, 2, 2}));
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(r.at(i, 1, 0), v.at(i / 2, 1, 0)) << i;
}

TEST(Resample, UnknownSpacingAndBadRequestsAreInputErrors) {
  ImageVolume v({2, 2, 2}, 1.0f);
  v.geometry.spacing_known = false;
  test::expect_error<InputError>([&] { resample_image(v, {1, 1, 1}); }, {"spacing is unknown"});
  v.geometry.spacing_known = true;
  test::expect_error<InputError>([&] { resample_image(v, {1, 0, 1}); }, {"positive"});
  test::expect_error<InputError>([&] { resample_image(v, {1, 1, 1}, 7); }, {"order 7"});
}

}  // namespace
}  // namespace flowrun
