// HDF5 reading: keys from the path or the default, both axis orders, dtype
// conversion, and InputErrors naming file and key.
#include <fstream>

#include "lib/volume/volume_io.h"
#include "test_util.h"

namespace flowrun {
namespace {

using test::expect_error;

// Values 100x + 10y + z stored in the requested axis order.
std::vector<int16_t> ramp_values(std::array<int64_t, 3> s, bool zyx) {
  std::vector<int16_t> out;
  if (!zyx) {
    for (int64_t x = 0; x < s[0]; ++x)
      for (int64_t y = 0; y < s[1]; ++y)
        for (int64_t z = 0; z < s[2]; ++z) out.push_back(int16_t(100 * x + 10 * y + z));
  } else {
    for (int64_t z = 0; z < s[2]; ++z)
      for (int64_t y = 0; y < s[1]; ++y)
        for (int64_t x = 0; x < s[0]; ++x) out.push_back(int16_t(100 * x + 10 * y + z));
  }
  return out;
}

void expect_ramp(const ImageVolume& v, std::array<int64_t, 3> s) {
  ASSERT_EQ(v.size, s);
  for (int64_t x = 0; x < s[0]; ++x)
    for (int64_t y = 0; y < s[1]; ++y)
      for (int64_t z = 0; z < s[2]; ++z) ASSERT_EQ(v.at(x, y, z), float(100 * x + 10 * y + z)) << x << y << z;
}

TEST(H5Io, XyzOrderReadsStraightWithKeyFromPath) {
  const auto file = test::temp_dir() / "case.h5";
  test::write_h5(file, "image", {4, 3, 2}, ramp_values({4, 3, 2}, false), H5T_STD_I16LE, H5T_NATIVE_INT16);
  const ImageVolume v = read_image(file.string() + ":image");
  expect_ramp(v, {4, 3, 2});
  EXPECT_FALSE(v.geometry.spacing_known);
}

TEST(H5Io, ZyxOrderIsTransposed) {
  const auto file = test::temp_dir() / "case.h5";
  test::write_h5(file, "vol", {2, 3, 4}, ramp_values({4, 3, 2}, true), H5T_STD_I16BE, H5T_NATIVE_INT16);
  ReadOptions o;
  o.h5.axis_order = "zyx";
  expect_ramp(read_image(file.string() + ":vol", o), {4, 3, 2});
}

TEST(H5Io, DefaultKeyAndFloatToLabelConversion) {
  const auto file = test::temp_dir() / "case.hdf5";
  std::vector<double> lab(2 * 2 * 3, 0.0);
  lab[5] = 1.0;
  test::write_h5(file, "seg", {2, 2, 3}, lab, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
  ReadOptions o;
  o.default_key = "seg";
  const LabelVolume v = read_label(file.string(), o);
  ASSERT_EQ(v.size, (std::array<int64_t, 3>{2, 2, 3}));
  EXPECT_EQ(v.data[5], 1);
  EXPECT_EQ(v.at(0, 1, 2), 1);
}

TEST(H5Io, NestedKey) {
  const auto file = test::temp_dir() / "case.h5";
  hid_t f = H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  H5Gclose(H5Gcreate2(f, "grp", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  H5Fclose(f);
  test::write_h5(file, "grp/img", {1, 2, 3}, std::vector<float>(6, 2.5f), H5T_IEEE_F32LE, H5T_NATIVE_FLOAT);
  const ImageVolume v = read_image(file.string() + ":grp/img");
  EXPECT_EQ(v.data, std::vector<float>(6, 2.5f));
}

TEST(H5Io, MissingKeyNamesFileKeyAndWhatIsThere) {
  const auto file = test::temp_dir() / "case.h5";
  test::write_h5(file, "image", {1, 1, 2}, std::vector<float>{1, 2}, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT);
  expect_error<InputError>([&] { read_image(file.string() + ":label"); }, {file.string(), "'label'", "image"});
  expect_error<InputError>([&] { read_image(file.string()); }, {file.string(), "key"});
}

TEST(H5Io, MissingAndUnreadableFiles) {
  const auto dir = test::temp_dir();
  const std::string absent = (dir / "absent.h5").string();
  expect_error<InputError>([&] { read_image(absent + ":image"); }, {absent, "not found"});
  const auto bad = dir / "bad.h5";
  test::write_text(bad, "plain text, not HDF5");
  expect_error<InputError>([&] { read_label(bad.string() + ":label"); }, {bad.string(), "HDF5"});
}

TEST(H5Io, WrongRankIsInputError) {
  const auto file = test::temp_dir() / "flat.h5";
  hid_t f = H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  const hsize_t dims[2] = {2, 2};
  hid_t s = H5Screate_simple(2, dims, nullptr);
  hid_t d = H5Dcreate2(f, "image", H5T_IEEE_F32LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  const float vals[4] = {1, 2, 3, 4};
  H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, vals);
  H5Dclose(d);
  H5Sclose(s);
  H5Fclose(f);
  expect_error<InputError>([&] { read_image(file.string() + ":image"); }, {file.string(), "rank 2"});
}

TEST(H5Io, NanInImageAndBadLabelValues) {
  const auto file = test::temp_dir() / "case.h5";
  test::write_h5(file, "image", {1, 1, 3}, std::vector<float>{0.f, std::nanf(""), 1.f}, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT);
  test::write_h5(file, "label", {1, 1, 3}, std::vector<int32_t>{0, 1, 256}, H5T_STD_I32LE, H5T_NATIVE_INT32);
  expect_error<InputError>([&] { read_image(file.string() + ":image"); }, {file.string() + ":image", "NaN", "(0, 0, 1)"});
  expect_error<InputError>([&] { read_label(file.string() + ":label"); }, {file.string() + ":label", "256"});
}

// The helper converts labels to uint8 itself (one pass that only fails as a
// whole, then a search for the first bad voxel): each kind of bad value is
// still reported at its voxel, and every value 0..255 passes unchanged.
TEST(H5Io, LabelValuesCheckedByTheHelper) {
  const auto file = test::temp_dir() / "labels.h5";
  std::vector<double> all(256);
  for (int i = 0; i < 256; ++i) all[size_t(i)] = i;
  test::write_h5(file, "all", {4, 8, 8}, all, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
  const LabelVolume v = read_label(file.string() + ":all");
  ASSERT_EQ(v.data.size(), 256u);
  for (int i = 0; i < 256; ++i) EXPECT_EQ(v.data[size_t(i)], i);
  // Stored as uint8 (the lineage's labels: read as stored) and as int16.
  std::vector<uint8_t> bytes(256);
  std::vector<int16_t> shorts(256);
  for (int i = 0; i < 256; ++i) bytes[size_t(i)] = uint8_t(i), shorts[size_t(i)] = int16_t(i);
  test::write_h5(file, "u8", {4, 8, 8}, bytes, H5T_STD_U8LE, H5T_NATIVE_UINT8);
  test::write_h5(file, "i16", {4, 8, 8}, shorts, H5T_STD_I16LE, H5T_NATIVE_INT16);
  EXPECT_EQ(read_label(file.string() + ":u8").data, v.data);
  EXPECT_EQ(read_label(file.string() + ":i16").data, v.data);
  test::write_h5(file, "i8", {1, 2, 2}, std::vector<int8_t>{0, 1, 1, -3}, H5T_STD_I8LE, H5T_NATIVE_INT8);
  expect_error<InputError>([&] { read_label(file.string() + ":i8"); }, {"-3", "(0, 1, 1)", "integers 0..255"});
  const std::vector<std::pair<double, std::string>> bad = {{2.5, "2.5"}, {-1.0, "-1"}, {255.5, "255.5"},
                                                           {std::nan(""), "nan"}, {1e300, "1e+300"}};
  for (size_t k = 0; k < bad.size(); ++k) {
    const std::string key = "bad" + std::to_string(k);
    test::write_h5(file, key, {1, 2, 2}, std::vector<double>{0.0, 1.0, 1.0, bad[k].first}, H5T_IEEE_F64LE,
                   H5T_NATIVE_DOUBLE);
    expect_error<InputError>([&] { read_label(file.string() + ":" + key); },
                             {file.string() + ":" + key, bad[k].second, "(0, 1, 1)", "integers 0..255"});
  }
}

}  // namespace
// A file on which libhdf5 itself dereferences null (found by fuzz_volume):
// the read runs in a child process, so the crash is an InputError naming the
// file, and the process reading it goes on.
TEST(H5Io, LibraryCrashOnACorruptFileIsAnInputError) {
  std::ifstream in(std::string(FLOWRUN_SOURCE_DIR) + "/fuzz/regressions/fuzz_volume/h5_dopen_stab_lookup_segv",
                   std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  ASSERT_GT(bytes.size(), 1u);
  const std::string file = (test::temp_dir() / "crash.h5").string();
  std::ofstream(file, std::ios::binary) << bytes.substr(1);  // byte 0 is the fuzz target's mode
  for (int i = 0; i < 2; ++i) {
    expect_error<InputError>([&] { read_label(file + ":image"); }, {file, "the HDF5 library crashed on it"});
    expect_error<InputError>([&] { read_image(file + ":image"); }, {file});
  }
  // Reading goes on working in this process.
  const auto good = test::temp_dir() / "good.h5";
  test::write_h5(good, "image", {4, 3, 2}, ramp_values({4, 3, 2}, false), H5T_STD_I16LE, H5T_NATIVE_INT16);
  expect_ramp(read_image(good.string() + ":image"), {4, 3, 2});
}

TEST(H5Io, AMissingReaderHelperIsARunErrorNamingIt) {
  const auto good = test::temp_dir() / "good_for_helper.h5";
  test::write_h5(good, "image", {4, 3, 2}, ramp_values({4, 3, 2}, false), H5T_STD_I16LE, H5T_NATIVE_INT16);
  setenv("FLOWRUN_H5_READER", "/nonexistent/flowrun-h5-read", 1);
  expect_error<RunError>([&] { read_image(good.string() + ":image"); },
                         {good.string(), "/nonexistent/flowrun-h5-read", "FLOWRUN_H5_READER"});
  unsetenv("FLOWRUN_H5_READER");
  expect_ramp(read_image(good.string() + ":image"), {4, 3, 2});
}

}  // namespace flowrun
