// ITK file IO: round trips keep data and geometry; bad files are InputErrors
// naming the file.
#include <fstream>
#include <limits>

#include "lib/volume/volume_io.h"
#include "test_util.h"

namespace flowrun {
namespace {

using test::expect_error;
using test::temp_dir;

void expect_same_geometry(const Geometry& a, const Geometry& b, double tol) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(a.spacing[i], b.spacing[i], tol) << "spacing " << i;
    EXPECT_NEAR(a.origin[i], b.origin[i], tol) << "origin " << i;
  }
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(a.direction[i], b.direction[i], tol) << "direction " << i;
}

class RoundTrip : public testing::TestWithParam<std::string> {};

template <class T, class Write, class Read>
void round_trip(const Volume<T>& v, const std::string& path, Write write, Read read) {
  write(v, path);
  const Volume<T> r = read(path, ReadOptions{});
  ASSERT_EQ(r.size, v.size);
  EXPECT_EQ(r.data, v.data);
  EXPECT_TRUE(r.geometry.spacing_known);
  expect_same_geometry(r.geometry, v.geometry, 1e-5);
}

TEST_P(RoundTrip, ImageKeepsDataAndGeometry) {
  round_trip(test::ramp_image({5, 4, 3}), (temp_dir() / ("img" + GetParam())).string(), write_image, read_image);
}

TEST_P(RoundTrip, LabelKeepsDataAndGeometry) {
  round_trip(test::block_label({6, 3, 4}), (temp_dir() / ("lab" + GetParam())).string(), write_label, read_label);
}

INSTANTIATE_TEST_SUITE_P(Formats, RoundTrip, testing::Values(".nii", ".nii.gz", ".nrrd", ".mha", ".mhd"),
                         [](const auto& info) {
                           std::string s = info.param.substr(1);
                           for (auto& c : s) c = c == '.' ? '_' : c;
                           return s;
                         });

TEST(ItkIo, LayoutIsZFastestAgainstItkXFastest) {
  // A single hot voxel off every axis' centre pins the axis mapping.
  ImageVolume v({4, 3, 2}, 0.0f);
  v.at(3, 1, 0) = 7.0f;
  const std::string path = (temp_dir() / "hot.nrrd").string();
  write_image(v, path);
  const ImageVolume r = read_image(path);
  ASSERT_EQ(r.size, (std::array<int64_t, 3>{4, 3, 2}));
  EXPECT_EQ(r.at(3, 1, 0), 7.0f);
  EXPECT_EQ(r.data[size_t(r.index(3, 1, 0))], 7.0f);
}

TEST(ItkIo, MissingFileNamesIt) {
  const std::string path = (temp_dir() / "absent.nii.gz").string();
  expect_error<InputError>([&] { read_image(path); }, {path, "not found"});
  expect_error<InputError>([&] { read_label(path); }, {path, "not found"});
}

TEST(ItkIo, UnreadableFileNamesIt) {
  const auto path = temp_dir() / "garbage.nii.gz";
  test::write_text(path, "this is not an image");
  expect_error<InputError>([&] { read_image(path.string()); }, {path.string()});
}

TEST(ItkIo, TruncatedNiftiNamesIt) {
  // ITK's NIfTI reader accepts short files; flowrun must not.
  const auto dir = temp_dir();
  for (const std::string ext : {".nii", ".nii.gz"}) {
    const std::string full = (dir / ("full" + ext)).string();
    ImageVolume v = test::ramp_image({16, 16, 16});
    write_image(v, full);
    std::ifstream in(full, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    const auto cut = dir / ("cut" + ext);
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    expect_error<InputError>([&] { read_image(cut.string()); }, {cut.string(), "truncated"});
    expect_error<InputError>([&] { read_label(cut.string()); }, {cut.string(), "truncated"});
  }
}

// A 2-D image is not trained on as X x Y x 1, and a voxel size of zero (or
// negative, or NaN) is refused, not divided by later.
TEST(ItkIo, TwoDimensionalImagesAndZeroSpacingAreRefused) {
  const auto dir = temp_dir();
  const std::string full = (dir / "full.nii").string();
  write_image(test::ramp_image({16, 16, 4}), full);
  std::ifstream in(full, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  auto patched = [&](const std::string& name, size_t offset, const void* value, size_t n) {
    std::string b = bytes;
    b.replace(offset, n, static_cast<const char*>(value), n);
    const std::string path = (dir / name).string();
    std::ofstream(path, std::ios::binary) << b;
    return path;
  };
  const int16_t two = 2;
  const std::string flat = patched("flat.nii", 40, &two, 2);  // dim[0]: the number of dimensions
  expect_error<InputError>([&] { read_image(flat); }, {flat, "2 dimensions (16 x 16)", "expected a 3D volume"});
  expect_error<InputError>([&] { read_label(flat); }, {flat, "2 dimensions"});
  for (const float bad : {0.0f, -1.5f}) {
    const std::string path = patched("spacing.nii", 80, &bad, 4);  // pixdim[1]: the voxel size along x
    expect_error<InputError>([&] { read_image(path); }, {path, "voxel spacing", "expected positive sizes"});
  }
}

TEST(ItkIo, NanOrInfInImageIsInputError) {
  const auto dir = temp_dir();
  ImageVolume v = test::ramp_image({3, 3, 3});
  v.at(1, 2, 0) = std::numeric_limits<float>::quiet_NaN();
  // NIfTI goes through flowrun's own scan (its library zeroes NaN), the
  // others through the check after reading.
  for (const std::string ext : {".nii", ".nii.gz", ".nrrd", ".mha"}) {
    const std::string nan_path = (dir / ("nan" + ext)).string();
    write_image(v, nan_path);
    expect_error<InputError>([&] { read_image(nan_path); }, {nan_path, "NaN", "(1, 2, 0)"});
  }
  v.at(1, 2, 0) = std::numeric_limits<float>::infinity();
  for (const std::string ext : {".nii.gz", ".nrrd"}) {
    const std::string inf_path = (dir / ("inf" + ext)).string();
    write_image(v, inf_path);
    expect_error<InputError>([&] { read_image(inf_path); }, {inf_path, "Inf"});
  }
}

TEST(ItkIo, LabelValuesMustBeSmallIntegers) {
  const auto dir = temp_dir();
  ImageVolume v({2, 2, 2}, 1.0f);
  v.at(0, 1, 1) = 2.5f;
  const std::string frac = (dir / "frac.nii.gz").string();
  write_image(v, frac);
  expect_error<InputError>([&] { read_label(frac); }, {frac, "2.5", "0..255"});
  v.at(0, 1, 1) = 300.0f;
  const std::string big = (dir / "big.mha").string();
  write_image(v, big);
  expect_error<InputError>([&] { read_label(big); }, {big, "300"});
  v.at(0, 1, 1) = -1.0f;
  const std::string neg = (dir / "neg.mha").string();
  write_image(v, neg);
  expect_error<InputError>([&] { read_label(neg); }, {neg, "-1"});
}

TEST(ItkIo, WriteRejectsUnknownFormatAndHdf5) {
  const auto dir = temp_dir();
  const ImageVolume v = test::ramp_image({2, 2, 2});
  expect_error<InputError>([&] { write_image(v, (dir / "x.unknownext").string()); }, {"x.unknownext"});
  expect_error<InputError>([&] { write_image(v, (dir / "x.h5").string()); }, {"x.h5", "HDF5"});
}

TEST(ItkIo, WriteCreatesParentFolders) {
  const auto path = temp_dir() / "a" / "b" / "img.nii.gz";
  write_image(test::ramp_image({2, 3, 4}), path.string());
  EXPECT_EQ(read_image(path.string()).size, (std::array<int64_t, 3>{2, 3, 4}));
}

TEST(VolumePath, SplitsKeyOnlyAfterHdf5Extension) {
  EXPECT_EQ(parse_volume_path("a/b.h5:image").file, "a/b.h5");
  EXPECT_EQ(parse_volume_path("a/b.h5:image").key, "image");
  EXPECT_EQ(parse_volume_path("a/b.HDF5:grp/lab").key, "grp/lab");
  EXPECT_EQ(parse_volume_path("a/b.h5").key, "");
  EXPECT_EQ(parse_volume_path("a/b.h5").file, "a/b.h5");
  EXPECT_EQ(parse_volume_path("c:/x/y.nii.gz").file, "c:/x/y.nii.gz");
  EXPECT_EQ(parse_volume_path("c:/x/y.nii.gz").key, "");
  EXPECT_EQ(parse_volume_path("d:/case.h5:label").file, "d:/case.h5");
  EXPECT_EQ(parse_volume_path("d:/case.h5:label").key, "label");
}

}  // namespace
}  // namespace flowrun
