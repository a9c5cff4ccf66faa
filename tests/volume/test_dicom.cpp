// DICOM series reading: the test writes a small series slice by slice with
// GDCMImageIO (one depth-1 volume per file, so each slice keeps its position).
#include <itkGDCMImageIO.h>
#include <itkImage.h>
#include <itkImageFileWriter.h>
#include <itkMetaDataObject.h>

#include "lib/volume/volume_io.h"
#include "test_util.h"

namespace flowrun {
namespace {

using Slab = itk::Image<int16_t, 3>;

// Writes v (integer-valued) as one DICOM file per z slice into dir.
void write_series(const ImageVolume& v, const test::fs::path& dir) {
  const std::string study = "1.2.826.0.1.3680043.2.1125.77.1";
  const std::string series = "1.2.826.0.1.3680043.2.1125.77.2";
  for (int64_t z = 0; z < v.size[2]; ++z) {
    auto slab = Slab::New();
    Slab::RegionType region;
    region.SetSize({static_cast<itk::SizeValueType>(v.size[0]), static_cast<itk::SizeValueType>(v.size[1]), 1});
    slab->SetRegions(region);
    Slab::SpacingType sp;
    Slab::PointType origin;
    Slab::DirectionType dir_m;
    for (unsigned i = 0; i < 3; ++i) {
      sp[i] = v.geometry.spacing[i];
      // Slice z starts z steps along the third axis' direction.
      origin[i] = v.geometry.origin[i] + double(z) * v.geometry.spacing[2] * v.geometry.direction[i * 3 + 2];
      for (unsigned j = 0; j < 3; ++j) dir_m(i, j) = v.geometry.direction[i * 3 + j];
    }
    slab->SetSpacing(sp);
    slab->SetOrigin(origin);
    slab->SetDirection(dir_m);
    slab->Allocate();
    for (int64_t y = 0; y < v.size[1]; ++y)
      for (int64_t x = 0; x < v.size[0]; ++x) slab->SetPixel({x, y, 0}, static_cast<int16_t>(v.at(x, y, z)));

    auto io = itk::GDCMImageIO::New();
    io->KeepOriginalUIDOn();
    auto& dict = slab->GetMetaDataDictionary();
    itk::EncapsulateMetaData<std::string>(dict, "0008|0060", "CT");
    itk::EncapsulateMetaData<std::string>(dict, "0028|0004", "MONOCHROME2");
    itk::EncapsulateMetaData<std::string>(dict, "0020|000d", study);
    itk::EncapsulateMetaData<std::string>(dict, "0020|000e", series);
    itk::EncapsulateMetaData<std::string>(dict, "0008|0018", series + "." + std::to_string(z + 1));
    itk::EncapsulateMetaData<std::string>(dict, "0020|0013", std::to_string(z + 1));
    auto w = itk::ImageFileWriter<Slab>::New();
    w->SetImageIO(io);
    w->SetInput(slab);
    w->SetFileName((dir / ("slice" + std::to_string(100 + z) + ".dcm")).string());
    w->Update();
  }
}

TEST(Dicom, SeriesReadsWithShapeValuesAndGeometry) {
  const auto dir = test::temp_dir() / "series";
  test::fs::create_directories(dir);
  ImageVolume v({6, 5, 4});
  v.geometry.spacing = {0.8, 0.9, 2.0};
  v.geometry.origin = {-10.0, 20.0, 5.0};
  for (int64_t x = 0; x < 6; ++x)
    for (int64_t y = 0; y < 5; ++y)
      for (int64_t z = 0; z < 4; ++z) v.at(x, y, z) = float(100 * x + 10 * y + z - 200);
  write_series(v, dir);

  const ImageVolume r = read_image(dir.string());
  ASSERT_EQ(r.size, v.size);
  EXPECT_EQ(r.data, v.data);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(r.geometry.spacing[i], v.geometry.spacing[i], 1e-3) << i;
    EXPECT_NEAR(r.geometry.origin[i], v.geometry.origin[i], 1e-3) << i;
  }
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(r.geometry.direction[i], v.geometry.direction[i], 1e-6) << i;
}

TEST(Dicom, FolderWithoutSeriesIsInputError) {
  const auto dir = test::temp_dir() / "empty";
  test::fs::create_directories(dir);
  test::write_text(dir / "notes.txt", "no dicom here");
  test::expect_error<InputError>([&] { read_image(dir.string()); }, {dir.string(), "DICOM"});
}

}  // namespace
}  // namespace flowrun
