// Helpers shared by the volume tests: a fresh temp folder per test, small
// synthetic volumes with non-trivial geometry, and HDF5 fixtures.
#pragma once

#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/expect_error.h"
#include "core/error.h"
#include "lib/volume/volume.h"

namespace flowrun::test {

namespace fs = std::filesystem;

// A folder unique to the running test, emptied first.
inline fs::path temp_dir() {
  const auto* info = testing::UnitTest::GetInstance()->current_test_info();
  fs::path d = fs::path(testing::TempDir()) / "flowrun_volume" / (std::string(info->test_suite_name()) + "." + info->name());
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// A rotated, anisotropic, shifted grid, so a layout or geometry slip shows.
inline Geometry odd_geometry() {
  Geometry g;
  g.spacing = {0.7, 1.3, 2.5};
  g.origin = {-12.5, 30.25, 7.0};
  const double c = std::cos(0.3), s = std::sin(0.3);
  g.direction = {c, -s, 0, s, c, 0, 0, 0, 1};
  return g;
}

// A volume on odd_geometry() whose voxel (x, y, z) holds f(x, y, z).
template <class T, class F>
Volume<T> filled(std::array<int64_t, 3> size, F f) {
  Volume<T> v(size);
  v.geometry = odd_geometry();
  for (int64_t x = 0; x < size[0]; ++x)
    for (int64_t y = 0; y < size[1]; ++y)
      for (int64_t z = 0; z < size[2]; ++z) v.at(x, y, z) = static_cast<T>(f(x, y, z));
  return v;
}

inline ImageVolume ramp_image(std::array<int64_t, 3> size) {
  return filled<float>(size, [](int64_t x, int64_t y, int64_t z) { return float(100 * x + 10 * y + z) + 0.25f; });
}

inline LabelVolume block_label(std::array<int64_t, 3> size) {
  return filled<uint8_t>(size, [](int64_t x, int64_t y, int64_t z) { return (x + 2 * y + 3 * z) % 3; });
}

inline void write_text(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << s;
}

// Writes `values` (C order, dims as given) as dataset `key` of `file` with the
// file type `type` (e.g. H5T_STD_I16LE), creating or appending to the file.
template <class T>
void write_h5(const fs::path& file, const std::string& key, std::array<hsize_t, 3> dims, const std::vector<T>& values,
              hid_t file_type, hid_t mem_type) {
  hid_t f = fs::exists(file) ? H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT)
                             : H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  hid_t space = H5Screate_simple(3, dims.data(), nullptr);
  hid_t d = H5Dcreate2(f, key.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(d, 0);
  ASSERT_GE(H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
  H5Dclose(d);
  H5Sclose(space);
  H5Fclose(f);
}

// Asserts that `f` throws E whose message contains every one of `parts`.
using flowrun::test_support::expect_error;

}  // namespace flowrun::test
