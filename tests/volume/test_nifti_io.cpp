// The nifti_clib backend (the volume IO of builds without ITK, such as the GPU
// machine's) reads what ITK writes and writes what ITK reads: same voxels,
// same geometry on a rotated, anisotropic grid, so a dataset means the same
// under either build. Its own errors follow the IO rules (InputError naming
// the file).
#include "lib/volume/nifti_io.h"
#include "lib/volume/volume_io.h"
#include "test_util.h"

namespace flowrun {
namespace {

namespace fs = std::filesystem;
using test::temp_dir;

void expect_same(const Geometry& a, const Geometry& b) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(a.spacing[i], b.spacing[i], 1e-5) << "spacing " << i;
    EXPECT_NEAR(a.origin[i], b.origin[i], 1e-4) << "origin " << i;
  }
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(a.direction[i], b.direction[i], 1e-5) << "direction " << i;
}

class NiftiBackends : public testing::TestWithParam<std::string> {};

TEST_P(NiftiBackends, ClibReadsWhatItkWrites) {
  const ImageVolume img = test::ramp_image({7, 5, 3});
  const LabelVolume lab = test::block_label({7, 5, 3});
  const std::string fi = (temp_dir() / ("img" + GetParam())).string();
  const std::string fl = (temp_dir().parent_path() / ("lab_itk" + GetParam())).string();
  write_image(img, fi);  // ITK
  write_label(lab, fl);
  const ImageVolume ri = detail::nifti_read_float(fi);
  ASSERT_EQ(ri.size, img.size);
  EXPECT_EQ(ri.data, img.data);
  expect_same(ri.geometry, img.geometry);
  const Volume<double> rl = detail::nifti_read_double(fl);
  ASSERT_EQ(rl.size, lab.size);
  for (size_t i = 0; i < lab.data.size(); ++i) ASSERT_EQ(rl.data[i], double(lab.data[i])) << "voxel " << i;
  expect_same(rl.geometry, lab.geometry);
}

TEST_P(NiftiBackends, ItkReadsWhatClibWrites) {
  const ImageVolume img = test::ramp_image({6, 4, 5});
  const LabelVolume lab = test::block_label({6, 4, 5});
  const fs::path dir = temp_dir();
  detail::nifti_write_float(img, (dir / ("img" + GetParam())).string());
  detail::nifti_write_u8(lab, (dir / ("lab" + GetParam())).string());
  const ImageVolume ri = read_image((dir / ("img" + GetParam())).string());  // ITK
  ASSERT_EQ(ri.size, img.size);
  EXPECT_EQ(ri.data, img.data);
  expect_same(ri.geometry, img.geometry);
  const LabelVolume rl = read_label((dir / ("lab" + GetParam())).string());
  EXPECT_EQ(rl.data, lab.data);
  expect_same(rl.geometry, lab.geometry);
  // Nothing but the two files: the temporary name was renamed away.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 2);
}

INSTANTIATE_TEST_SUITE_P(Compression, NiftiBackends, testing::Values(".nii", ".nii.gz"));

TEST(NiftiClib, BadInputsAreInputErrorsNamingTheFile) {
  const fs::path dir = temp_dir();
  test::expect_error<InputError>([&] { detail::nifti_read_float((dir / "absent.nii.gz").string()); }, {"absent.nii.gz"});
  test::write_text(dir / "junk.nii", std::string(400, 'x'));
  test::expect_error<InputError>([&] { detail::nifti_read_float((dir / "junk.nii").string()); }, {"junk.nii"});
  test::write_text(dir / "vol.nrrd", "NRRD0004\n");
  test::expect_error<InputError>([&] { detail::nifti_read_float((dir / "vol.nrrd").string()); }, {"without ITK"});
  test::expect_error<InputError>([&] { detail::nifti_write_float(test::ramp_image({2, 2, 2}), (dir / "x.mha").string()); },
                                 {"x.mha"});
}

}  // namespace
}  // namespace flowrun
