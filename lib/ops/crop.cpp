// Box crop, instantiated for image and label voxel types.
#include "lib/ops/crop.h"

#include <algorithm>

#include "core/error.h"
#include "lib/ops/case_text.h"

namespace flowrun {

template <class T>
Volume<T> crop(const Volume<T>& v, const Box& box, const std::string& case_id) {
  for (int a = 0; a < 3; ++a) {
    if (box.lo[a] < 0 || box.hi[a] > v.size[a] || box.hi[a] < box.lo[a])
      throw InputError(case_prefix(case_id) + "crop box [" + std::to_string(box.lo[a]) + ", " +
                       std::to_string(box.hi[a]) + ") on axis " + std::to_string(a) +
                       " does not fit a volume of size " + shape_string(v.size));
  }
  Volume<T> out(box.extent());
  out.geometry = offset_geometry(v.geometry, box.lo);
  if (out.numel() == 0) return out;
  const int64_t nz = out.size[2];
  for (int64_t x = 0; x < out.size[0]; ++x)
    for (int64_t y = 0; y < out.size[1]; ++y) {
      const T* src = &v.at(box.lo[0] + x, box.lo[1] + y, box.lo[2]);
      std::copy(src, src + nz, &out.data[static_cast<size_t>(out.index(x, y, 0))]);
    }
  return out;
}

template Volume<float> crop(const Volume<float>&, const Box&, const std::string&);
template Volume<uint8_t> crop(const Volume<uint8_t>&, const Box&, const std::string&);

}  // namespace flowrun
