// Bounding boxes of masks and the crops prepare graphs build from them
// (BraTS: crop to the brain; Pancreas: crop around the organ to patch size).
#pragma once

#include <array>
#include <optional>
#include <string>

#include "lib/ops/box.h"
#include "lib/volume/volume.h"

namespace flowrun {

// Smallest box holding every voxel != 0 (label > 0 for labels, image != 0
// for images); nullopt when there is none.
template <class T>
std::optional<Box> bounding_box(const Volume<T>& v);

// `box` grown by margin[i] on both sides of axis i, clipped to [0, size).
Box expand_box(const Box& box, const Index3& margin, const Index3& size);

// crop(v, expand_box(box, margin, v.size)).
template <class T>
Volume<T> crop_box(const Volume<T>& v, const Box& box, const Index3& margin = {0, 0, 0});

struct LabelCropOptions {
  Index3 patch{96, 96, 96};
  Index3 margin{25, 25, 0};               // voxels kept beyond the label on each side
  std::array<bool, 3> axes{true, true, false};  // axes cropped; the others stay whole
};

// Box around the label's foreground for the cropped axes: the bbox plus the
// margin, then grown symmetrically (the odd voxel after) until it reaches the
// patch size, then slid back inside the volume. An axis shorter than the
// patch is kept whole (the random crop pads it later). InputError naming
// `case_id` when the label has no foreground.
Box label_crop_box(const LabelVolume& label, const LabelCropOptions& opts, const std::string& case_id = {});

}  // namespace flowrun
