// Bounding boxes and box crops, instantiated for image and label voxel types.
#include "lib/ops/bounding_box.h"

#include <algorithm>

#include "core/error.h"
#include "lib/ops/case_text.h"
#include "lib/ops/crop.h"

namespace flowrun {

template <class T>
std::optional<Box> bounding_box(const Volume<T>& v) {
  Box b{{v.size[0], v.size[1], v.size[2]}, {0, 0, 0}};
  bool found = false;
  for (int64_t x = 0; x < v.size[0]; ++x)
    for (int64_t y = 0; y < v.size[1]; ++y)
      for (int64_t z = 0; z < v.size[2]; ++z) {
        if (v.at(x, y, z) == T{}) continue;
        found = true;
        const Index3 p{x, y, z};
        for (int a = 0; a < 3; ++a) {
          b.lo[a] = std::min(b.lo[a], p[a]);
          b.hi[a] = std::max(b.hi[a], p[a] + 1);
        }
      }
  if (!found) return std::nullopt;
  return b;
}

Box expand_box(const Box& box, const Index3& margin, const Index3& size) {
  Box out;
  for (int a = 0; a < 3; ++a) {
    out.lo[a] = std::clamp<int64_t>(box.lo[a] - margin[a], 0, size[a]);
    out.hi[a] = std::clamp<int64_t>(box.hi[a] + margin[a], out.lo[a], size[a]);
  }
  return out;
}

template <class T>
Volume<T> crop_box(const Volume<T>& v, const Box& box, const Index3& margin) {
  return crop(v, expand_box(box, margin, v.size));
}

Box label_crop_box(const LabelVolume& label, const LabelCropOptions& opts, const std::string& case_id) {
  const std::optional<Box> bb = bounding_box(label);
  if (!bb) throw InputError(case_prefix(case_id) + "label has no foreground voxel to crop around");
  Box out{{0, 0, 0}, label.size};
  for (int a = 0; a < 3; ++a) {
    if (!opts.axes[a]) continue;
    const int64_t size = label.size[a];
    if (size <= opts.patch[a]) continue;
    int64_t lo = bb->lo[a] - opts.margin[a];
    int64_t hi = bb->hi[a] + opts.margin[a];
    if (hi - lo < opts.patch[a]) {
      const int64_t deficit = opts.patch[a] - (hi - lo);
      lo -= deficit / 2;
      hi += deficit - deficit / 2;
    }
    if (lo < 0) { hi -= lo; lo = 0; }
    if (hi > size) { lo -= hi - size; hi = size; }
    out.lo[a] = std::max<int64_t>(lo, 0);
    out.hi[a] = hi;
  }
  return out;
}

template std::optional<Box> bounding_box(const Volume<float>&);
template std::optional<Box> bounding_box(const Volume<uint8_t>&);
template Volume<float> crop_box(const Volume<float>&, const Box&, const Index3&);
template Volume<uint8_t> crop_box(const Volume<uint8_t>&, const Box&, const Index3&);

}  // namespace flowrun
