// Bounding boxes, margins, box crops and the Pancreas crop-to-patch box.
#include "lib/ops/bounding_box.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "fixtures.h"

namespace flowrun {
namespace {

TEST(BoundingBox, OfLabelAndImage) {
  LabelVolume lab({5, 6, 7});
  lab.at(1, 2, 3) = 1;
  lab.at(3, 4, 2) = 2;
  ASSERT_TRUE(bounding_box(lab).has_value());
  EXPECT_EQ(*bounding_box(lab), (Box{{1, 2, 2}, {4, 5, 4}}));
  EXPECT_FALSE(bounding_box(LabelVolume({3, 3, 3})).has_value());

  ImageVolume img({4, 4, 4});
  img.at(0, 3, 1) = -0.5f;  // negative intensities count: the test is != 0
  EXPECT_EQ(*bounding_box(img), (Box{{0, 3, 1}, {1, 4, 2}}));
}

TEST(BoundingBox, ExpandClipsToVolume) {
  EXPECT_EQ(expand_box(Box{{1, 2, 2}, {4, 5, 4}}, {2, 1, 0}, {5, 6, 7}), (Box{{0, 1, 2}, {5, 6, 4}}));
}

TEST(BoundingBox, CropBoxWithMargin) {
  const ImageVolume v = test::iota_volume<float>({5, 6, 7});
  const ImageVolume c = crop_box(v, Box{{2, 2, 2}, {3, 3, 3}}, {1, 1, 1});
  EXPECT_EQ(c.size, (Index3{3, 3, 3}));
  EXPECT_EQ(c.at(0, 0, 0), v.at(1, 1, 1));
  EXPECT_EQ(c.at(2, 2, 2), v.at(3, 3, 3));
}

TEST(LabelCropBox, GrowsToPatchAndSlidesInside) {
  LabelVolume lab({100, 80, 30});
  for (int64_t x = 10; x < 20; ++x)
    for (int64_t y = 70; y < 75; ++y)
      for (int64_t z = 5; z < 10; ++z) lab.at(x, y, z) = 1;
  LabelCropOptions o;
  o.patch = {40, 40, 40};
  o.margin = {5, 5, 0};
  // x: [5, 25) grows to [-5, 35) and slides to [0, 40); y: [65, 80) grows
  // to [53, 93) and slides to [40, 80); z is not cropped.
  EXPECT_EQ(label_crop_box(lab, o), (Box{{0, 40, 0}, {40, 80, 30}}));

  o.axes = {true, true, true};  // z shorter than the patch: kept whole
  EXPECT_EQ(label_crop_box(lab, o).lo[2], 0);
  EXPECT_EQ(label_crop_box(lab, o).hi[2], 30);
}

TEST(LabelCropBox, LargeLabelKeepsItsMarginBox) {
  LabelVolume lab({100, 100, 10});
  for (int64_t x = 20; x < 70; ++x) lab.at(x, 50, 5) = 1;
  LabelCropOptions o;
  o.patch = {40, 40, 40};
  o.margin = {5, 5, 0};
  const Box b = label_crop_box(lab, o);
  EXPECT_EQ(b.lo[0], 15);
  EXPECT_EQ(b.hi[0], 75);
  // y: [45, 56) is 11 wide, deficit 29 -> 14 before, 15 after.
  EXPECT_EQ(b.lo[1], 31);
  EXPECT_EQ(b.hi[1], 71);
}

TEST(LabelCropBox, EmptyLabelNamesCase) {
  try {
    label_crop_box(LabelVolume({50, 50, 50}), LabelCropOptions{}, "pancreas_0003");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("pancreas_0003"), std::string::npos);
  }
}

}  // namespace
}  // namespace flowrun
