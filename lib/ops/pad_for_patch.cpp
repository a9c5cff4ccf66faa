// Zero padding for patches, instantiated for image and label voxel types.
#include "lib/ops/pad_for_patch.h"

#include <algorithm>

namespace flowrun {

Padding padding_for_patch(const Index3& size, const Index3& patch) {
  Padding p;
  for (int a = 0; a < 3; ++a) {
    if (size[a] <= patch[a]) {
      const int64_t each = (patch[a] - size[a]) / 2 + 3;  // non-negative, so / is floor
      p.before[a] = each;
      p.after[a] = each;
    }
  }
  return p;
}

template <class T>
Volume<T> apply_padding(const Volume<T>& v, const Padding& p, T fill) {
  if (!p.any()) return v;
  Index3 size;
  for (int a = 0; a < 3; ++a) size[a] = v.size[a] + p.before[a] + p.after[a];
  Volume<T> out(size, fill);
  out.geometry = offset_geometry(v.geometry, {-p.before[0], -p.before[1], -p.before[2]});
  if (v.numel() == 0) return out;
  const int64_t nz = v.size[2];
  for (int64_t x = 0; x < v.size[0]; ++x)
    for (int64_t y = 0; y < v.size[1]; ++y) {
      const T* src = &v.data[static_cast<size_t>(v.index(x, y, 0))];
      std::copy(src, src + nz, &out.at(x + p.before[0], y + p.before[1], p.before[2]));
    }
  return out;
}

template <class T>
Volume<T> pad_for_patch(const Volume<T>& v, const Index3& patch, Padding* applied) {
  const Padding p = padding_for_patch(v.size, patch);
  if (applied) *applied = p;
  return apply_padding(v, p, T{});
}

template Volume<float> apply_padding(const Volume<float>&, const Padding&, float);
template Volume<uint8_t> apply_padding(const Volume<uint8_t>&, const Padding&, uint8_t);
template Volume<float> pad_for_patch(const Volume<float>&, const Index3&, Padding*);
template Volume<uint8_t> pad_for_patch(const Volume<uint8_t>&, const Index3&, Padding*);

}  // namespace flowrun
