// Surface extraction and surface-to-surface distances on the masks' bounding
// box. See metrics_surface.h.
#include "lib/metrics/metrics_surface.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "lib/metrics/metrics_edt.h"

namespace flowrun {
namespace {

using Size3 = std::array<int64_t, 3>;

struct Box {
  Size3 lo{0, 0, 0};
  Size3 hi{0, 0, 0};  // exclusive
  Size3 size() const { return {hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]}; }
};

// Bounding box of the union of a and b; empty box (hi <= lo) when both are empty.
Box union_box(const uint8_t* a, const uint8_t* b, const Size3& n) {
  Box box{{n[0], n[1], n[2]}, {0, 0, 0}};
  for (int64_t x = 0; x < n[0]; ++x) {
    for (int64_t y = 0; y < n[1]; ++y) {
      const int64_t base = (x * n[1] + y) * n[2];
      int64_t first = -1, last = -1;
      for (int64_t z = 0; z < n[2]; ++z) {
        if (a[base + z] | b[base + z]) {
          if (first < 0) first = z;
          last = z;
        }
      }
      if (first < 0) continue;
      box.lo = {std::min(box.lo[0], x), std::min(box.lo[1], y), std::min(box.lo[2], first)};
      box.hi = {std::max(box.hi[0], x + 1), std::max(box.hi[1], y + 1), std::max(box.hi[2], last + 1)};
    }
  }
  return box;
}

std::vector<uint8_t> crop(const uint8_t* m, const Size3& n, const Box& box) {
  const Size3 c = box.size();
  std::vector<uint8_t> out(static_cast<size_t>(c[0] * c[1] * c[2]));
  for (int64_t x = 0; x < c[0]; ++x)
    for (int64_t y = 0; y < c[1]; ++y)
      std::copy_n(m + ((x + box.lo[0]) * n[1] + y + box.lo[1]) * n[2] + box.lo[2], c[2],
                  out.data() + (x * c[1] + y) * c[2]);
  return out;
}

}  // namespace

std::vector<uint8_t> surface_of(const uint8_t* mask, const Size3& n) {
  std::vector<uint8_t> out(static_cast<size_t>(n[0] * n[1] * n[2]), 0);
  const int64_t sx = n[1] * n[2], sy = n[2];
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, n[0]), [&](const tbb::blocked_range<int64_t>& r) {
    for (int64_t x = r.begin(); x != r.end(); ++x) {
      for (int64_t y = 0; y < n[1]; ++y) {
        for (int64_t z = 0; z < n[2]; ++z) {
          const int64_t i = x * sx + y * sy + z;
          if (!mask[i]) continue;
          // A neighbour outside the array is background (border_value 0).
          const bool interior = x > 0 && x + 1 < n[0] && y > 0 && y + 1 < n[1] && z > 0 && z + 1 < n[2] &&
                                mask[i - sx] && mask[i + sx] && mask[i - sy] && mask[i + sy] && mask[i - 1] &&
                                mask[i + 1];
          out[static_cast<size_t>(i)] = interior ? 0 : 1;
        }
      }
    }
  });
  return out;
}

SurfaceDistances surface_distances(const uint8_t* a, const uint8_t* b, const Size3& size,
                                   const std::array<double, 3>& spacing) {
  const Box box = union_box(a, b, size);
  if (box.hi[0] <= box.lo[0]) throw InputError("surface distances need two non-empty masks; both are empty");
  const Size3 c = box.size();
  const auto ca = crop(a, size, box);
  const auto cb = crop(b, size, box);
  if (std::none_of(ca.begin(), ca.end(), [](uint8_t v) { return v != 0; }) ||
      std::none_of(cb.begin(), cb.end(), [](uint8_t v) { return v != 0; }))
    throw InputError("surface distances need two non-empty masks (an empty mask has no surface)");
  // Cropping to the union's box keeps erosion exact: outside the box both masks
  // are background, exactly what the array border is for scipy.
  const auto sa = surface_of(ca.data(), c);
  const auto sb = surface_of(cb.data(), c);
  SurfaceDistances d;
  tbb::parallel_invoke([&] { d.a_to_b = edt_at(sb.data(), sa.data(), c, spacing); },
                       [&] { d.b_to_a = edt_at(sa.data(), sb.data(), c, spacing); });
  return d;
}

}  // namespace flowrun
