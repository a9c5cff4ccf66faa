// A 3D volume in memory, with the geometry that travels with it.
//
// Layout convention used everywhere in flowrun: size = (x, y, z) and the data is
// C-order with z fastest, index = (x * ny + y) * nz + z. This is the layout of
// the lineage's HDF5 files and of torch tensors shaped [x, y, z], so volumes go
// to tensors without a transpose. ITK buffers are x-fastest; the ITK IO
// converts. Geometry is given per axis in the same (x, y, z) order.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace flowrun {

struct Geometry {
  std::array<double, 3> spacing{1.0, 1.0, 1.0};
  std::array<double, 3> origin{0.0, 0.0, 0.0};
  // Row-major 3x3 direction cosines (ITK's convention: column j is axis j).
  std::array<double, 9> direction{1, 0, 0, 0, 1, 0, 0, 0, 1};
  bool spacing_known = true;  // false when the file carries none (e.g. HDF5)
};

template <class T>
struct Volume {
  std::array<int64_t, 3> size{0, 0, 0};
  Geometry geometry;
  std::vector<T> data;

  Volume() = default;
  Volume(std::array<int64_t, 3> s, T fill = T{}) : size(s), data(static_cast<size_t>(s[0] * s[1] * s[2]), fill) {}

  int64_t numel() const { return size[0] * size[1] * size[2]; }
  int64_t index(int64_t x, int64_t y, int64_t z) const { return (x * size[1] + y) * size[2] + z; }
  T& at(int64_t x, int64_t y, int64_t z) { return data[static_cast<size_t>(index(x, y, z))]; }
  const T& at(int64_t x, int64_t y, int64_t z) const { return data[static_cast<size_t>(index(x, y, z))]; }
};

using ImageVolume = Volume<float>;
using LabelVolume = Volume<uint8_t>;

inline std::string shape_string(const std::array<int64_t, 3>& s) {
  return std::to_string(s[0]) + "x" + std::to_string(s[1]) + "x" + std::to_string(s[2]);
}

}  // namespace flowrun
