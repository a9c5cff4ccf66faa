// Lineage padding amounts, padded contents, crop contents and crop origins.
#include <set>

#include <gtest/gtest.h>

#include "core/error.h"
#include "fixtures.h"
#include "lib/ops/crop.h"
#include "lib/ops/pad_for_patch.h"
#include "lib/ops/random_crop.h"

namespace flowrun {
namespace {

TEST(PadForPatch, LineageAmounts) {
  const Padding p = padding_for_patch({10, 20, 5}, {12, 16, 5});
  EXPECT_EQ(p.before, (Index3{4, 0, 3}));  // (12-10)//2+3, larger axis untouched, equal axis 0//2+3
  EXPECT_EQ(p.after, (Index3{4, 0, 3}));
  EXPECT_EQ(padding_for_patch({9, 1, 17}, {12, 4, 16}).before, (Index3{4, 4, 0}));  // 3//2+3, 3//2+3
  EXPECT_FALSE(padding_for_patch({13, 17, 6}, {12, 16, 5}).any());
}

TEST(PadForPatch, ZeroBorderAndShiftedOrigin) {
  ImageVolume v = test::iota_volume<float>({2, 3, 4});
  v.geometry.spacing = {1.0, 2.0, 0.5};
  Padding applied;
  const ImageVolume out = pad_for_patch(v, {3, 3, 10}, &applied);
  EXPECT_EQ(applied.before, (Index3{3, 3, 6}));
  EXPECT_EQ(out.size, (Index3{8, 9, 16}));
  double sum = 0.0;
  for (float x : out.data) sum += x;
  EXPECT_DOUBLE_EQ(sum, 24.0 * 25.0 / 2.0);  // only the original voxels are nonzero
  for (int64_t x = 0; x < 2; ++x)
    for (int64_t y = 0; y < 3; ++y)
      for (int64_t z = 0; z < 4; ++z) EXPECT_EQ(out.at(x + 3, y + 3, z + 6), v.at(x, y, z));
  EXPECT_EQ(out.geometry.origin, (std::array<double, 3>{-3.0, -6.0, -3.0}));

  LabelVolume lab({2, 2, 2}, 1);
  EXPECT_EQ(pad_for_patch(lab, {2, 2, 2}).at(0, 0, 0), 0);
}

TEST(Crop, CopiesTheBox) {
  const ImageVolume v = test::iota_volume<float>({4, 5, 6});
  const ImageVolume c = crop(v, box_at({1, 2, 3}, {2, 3, 2}));
  ASSERT_EQ(c.size, (Index3{2, 3, 2}));
  for (int64_t x = 0; x < 2; ++x)
    for (int64_t y = 0; y < 3; ++y)
      for (int64_t z = 0; z < 2; ++z) EXPECT_EQ(c.at(x, y, z), v.at(x + 1, y + 2, z + 3));
  EXPECT_EQ(c.data.front(), v.at(1, 2, 3));
  EXPECT_EQ(c.data.front(), (1 * 5 + 2) * 6 + 3 + 1);
}

TEST(Crop, OutsideBoxNamesCase) {
  const ImageVolume v = test::iota_volume<float>({4, 5, 6});
  try {
    crop(v, box_at({3, 0, 0}, {2, 2, 2}), "la_007");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("la_007"), std::string::npos);
  }
}

TEST(RandomCrop, OriginsCoverTheInclusiveRange) {
  std::set<int64_t> xs;
  for (int64_t b = 0; b < 300; ++b) {
    Rng rng(1, b, "crop");
    const Index3 o = draw_crop_origin(rng, {12, 10, 11}, {10, 10, 8});
    ASSERT_GE(o[0], 0);
    ASSERT_LE(o[0], 2);
    EXPECT_EQ(o[1], 0);
    ASSERT_LE(o[2], 3);
    xs.insert(o[0]);
  }
  EXPECT_EQ(xs, (std::set<int64_t>{0, 1, 2}));
}

TEST(RandomCrop, PatchMatchesOriginAndIsReproducible) {
  const ImageVolume v = test::iota_volume<float>({9, 8, 7});
  Rng r1(5, 3, "crop"), r2(5, 3, "crop");
  Index3 o;
  const ImageVolume p = random_crop(v, r1, {4, 4, 4}, &o);
  EXPECT_EQ(p.data, random_crop(v, r2, {4, 4, 4}).data);
  EXPECT_EQ(p.at(0, 0, 0), v.at(o[0], o[1], o[2]));
  EXPECT_EQ(p.at(3, 2, 1), v.at(o[0] + 3, o[1] + 2, o[2] + 1));
}

TEST(RandomCrop, TooLargePatchIsInputErrorNamingCase) {
  Rng rng(1, 0, "crop");
  try {
    draw_crop_origin(rng, {10, 10, 10}, {11, 4, 4}, "case_3");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("case_3"), std::string::npos);
  }
}

}  // namespace
}  // namespace flowrun
