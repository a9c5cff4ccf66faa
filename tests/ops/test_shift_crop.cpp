// DPLG shift crop: overlap boxes, exact voxel correspondence, clamping.
#include "lib/ops/shift_crop.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "fixtures.h"
#include "lib/ops/crop.h"

namespace flowrun {
namespace {

TEST(ShiftCrop, OverlapBoxesByHand) {
  Box a, b;
  overlap_boxes({8, 8, 8}, {3, -2, 0}, &a, &b);
  EXPECT_EQ(a, (Box{{3, 0, 0}, {8, 6, 8}}));
  EXPECT_EQ(b, (Box{{0, 2, 0}, {5, 8, 8}}));
  overlap_boxes({4, 4, 4}, {5, 0, -4}, &a, &b);
  EXPECT_TRUE(a.empty());
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(a.extent()[0], 0);
  EXPECT_EQ(b.extent()[2], 0);
}

TEST(ShiftCrop, OverlapsAgreeExactlyOverManyDraws) {
  // Volumes barely larger than the patch force clamping at the borders.
  const std::vector<Index3> sizes = {{20, 18, 16}, {10, 9, 8}, {8, 8, 8}};
  const Index3 patch{8, 8, 8};
  int clamped = 0, shifted = 0;
  for (const Index3& size : sizes) {
    const ImageVolume v = test::iota_volume<float>(size);
    for (int64_t b = 0; b < 300; ++b) {
      Rng rng(11, b, "dplg");
      const ShiftCropPlan plan = draw_shift_crop(rng, size, patch, 5);
      for (int a = 0; a < 3; ++a) {
        ASSERT_GE(plan.shift[a], -5);
        ASSERT_LE(plan.shift[a], 5);
        ASSERT_EQ(plan.origin_b[a], plan.origin_a[a] + plan.shift[a]);
        ASSERT_GE(plan.origin_b[a], 0);
        ASSERT_LE(plan.origin_b[a] + patch[a], size[a]);
        if (plan.shift[a] != 0) ++shifted;
        if (plan.origin_b[a] == 0 || plan.origin_b[a] + patch[a] == size[a]) ++clamped;
      }
      EXPECT_EQ(plan.overlap_a.extent(), plan.overlap_b.extent());
      const ShiftCrops<float> c = apply_shift_crop(v, patch, plan);
      const ImageVolume in_a = crop(c.a, plan.overlap_a), in_b = crop(c.b, plan.overlap_b);
      ASSERT_EQ(in_a.data, in_b.data) << "batch " << b << " size " << shape_string(size);
      ASSERT_FALSE(in_a.data.empty());
    }
  }
  EXPECT_GT(shifted, 100);
  EXPECT_GT(clamped, 100);
}

TEST(ShiftCrop, PatchEqualToVolumeForcesZeroShift) {
  for (int64_t b = 0; b < 50; ++b) {
    Rng rng(2, b, "dplg");
    const ShiftCropPlan plan = draw_shift_crop(rng, {8, 8, 8}, {8, 8, 8}, 3);
    EXPECT_EQ(plan.shift, (Index3{0, 0, 0}));
  }
}

TEST(ShiftCrop, SigmaZeroGivesNoShiftAndFullOverlap) {
  for (int64_t b = 0; b < 50; ++b) {
    Rng rng(3, b, "dplg");
    const ShiftCropPlan plan = draw_shift_crop(rng, {30, 30, 30}, {8, 6, 4}, 0);
    EXPECT_EQ(plan.shift, (Index3{0, 0, 0}));
    EXPECT_EQ(plan.origin_a, plan.origin_b);
    EXPECT_EQ(plan.overlap_a, (Box{{0, 0, 0}, {8, 6, 4}}));
    EXPECT_EQ(plan.overlap_b, plan.overlap_a);
  }
}

TEST(ShiftCrop, NegativeSigmaIsInputError) {
  Rng rng(3, 0, "dplg");
  EXPECT_THROW(draw_shift_crop(rng, {30, 30, 30}, {8, 8, 8}, -1), InputError);
}

}  // namespace
}  // namespace flowrun
