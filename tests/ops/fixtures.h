// Small volumes with known contents for the ops tests.
#pragma once

#include <initializer_list>
#include <vector>

#include "lib/volume/volume.h"

namespace flowrun::test {

// Voxel values 1, 2, 3, ... in memory order, so every voxel is distinct.
template <class T>
Volume<T> iota_volume(std::array<int64_t, 3> size) {
  Volume<T> v(size);
  for (size_t i = 0; i < v.data.size(); ++i) v.data[i] = static_cast<T>(i + 1);
  return v;
}

// A volume of the given size whose data is `values` in memory order.
template <class T>
Volume<T> volume_of(std::array<int64_t, 3> size, std::initializer_list<T> values) {
  Volume<T> v(size);
  v.data.assign(values.begin(), values.end());
  return v;
}

}  // namespace flowrun::test
