// Largest 26-connected component by breadth-first flood fill. See
// connected_component.h.
#include "lib/metrics/connected_component.h"

#include "core/error.h"

namespace flowrun {

std::vector<uint8_t> largest_connected_component(const uint8_t* mask, const std::array<int64_t, 3>& n) {
  const int64_t total = n[0] * n[1] * n[2];
  // Component id per voxel (0 = background or not yet visited); the queue
  // doubles as the component's voxel list so the fill is one pass.
  std::vector<int32_t> label(static_cast<size_t>(total), 0);
  std::vector<int64_t> queue;
  int32_t next = 0, best = 0;
  size_t best_size = 0;
  for (int64_t seed = 0; seed < total; ++seed) {
    if (!mask[seed] || label[seed]) continue;
    ++next;
    queue.clear();
    queue.push_back(seed);
    label[seed] = next;
    for (size_t head = 0; head < queue.size(); ++head) {
      const int64_t i = queue[head];
      const int64_t z = i % n[2], y = (i / n[2]) % n[1], x = i / (n[1] * n[2]);
      for (int64_t dx = -1; dx <= 1; ++dx) {
        const int64_t xx = x + dx;
        if (xx < 0 || xx >= n[0]) continue;
        for (int64_t dy = -1; dy <= 1; ++dy) {
          const int64_t yy = y + dy;
          if (yy < 0 || yy >= n[1]) continue;
          for (int64_t dz = -1; dz <= 1; ++dz) {
            const int64_t zz = z + dz;
            if (zz < 0 || zz >= n[2]) continue;
            const int64_t j = (xx * n[1] + yy) * n[2] + zz;
            if (mask[j] && !label[j]) {
              label[j] = next;
              queue.push_back(j);
            }
          }
        }
      }
    }
    if (queue.size() > best_size) {
      best_size = queue.size();
      best = next;
    }
  }
  std::vector<uint8_t> out(static_cast<size_t>(total), 0);
  for (int64_t i = 0; i < total; ++i)
    if (best && label[i] == best) out[i] = mask[i];
  return out;
}

LabelVolume largest_connected_component(const LabelVolume& mask) {
  if (static_cast<int64_t>(mask.data.size()) != mask.numel())
    throw InputError("label volume data does not match its size " + shape_string(mask.size));
  LabelVolume out;
  out.size = mask.size;
  out.geometry = mask.geometry;
  out.data = largest_connected_component(mask.data.data(), mask.size);
  return out;
}

}  // namespace flowrun
