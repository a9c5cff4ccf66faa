// ITK file and DICOM-series IO with flowrun's error conventions: anything the
// user's files get wrong is an InputError naming the file; a failed write is
// a RunError.
#include "lib/volume/itk_io.h"

#include <itkGDCMImageIO.h>
#include <itkGDCMImageIOFactory.h>
#include <itkGDCMSeriesFileNames.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkImageIOFactory.h>
#include <itkImageSeriesReader.h>
#include <itkMetaImageIOFactory.h>
#include <itkNiftiImageIOFactory.h>
#include <itkNrrdImageIOFactory.h>

#include <filesystem>
#include <mutex>

#include "core/error.h"
#include "lib/volume/h5_io.h"
#include "lib/volume/itk_convert.h"
#include "lib/volume/nifti_scan.h"

namespace flowrun::detail {
namespace fs = std::filesystem;

void register_itk_io() {
  // Explicit registration: a static library cannot rely on ITK_USE_FILE's
  // generated registration reaching the final executable.
  static std::once_flag once;
  std::call_once(once, [] {
    itk::NiftiImageIOFactory::RegisterOneFactory();
    itk::NrrdImageIOFactory::RegisterOneFactory();
    itk::MetaImageIOFactory::RegisterOneFactory();
    itk::GDCMImageIOFactory::RegisterOneFactory();
  });
}

namespace {

std::string what_of(const itk::ExceptionObject& e) {
  const char* d = e.GetDescription();
  return d ? d : e.what();
}

template <class P>
typename ItkImage<P>::Pointer read_series(const std::string& dir) {
  using Image = ItkImage<P>;
  try {
    auto names = itk::GDCMSeriesFileNames::New();
    names->SetUseSeriesDetails(true);
    names->SetDirectory(dir);
    const auto& uids = names->GetSeriesUIDs();
    if (uids.empty()) throw InputError("directory '" + dir + "' holds no DICOM series; expected an image file or a DICOM series folder");
    auto files = names->GetFileNames(uids.front());
    auto reader = itk::ImageSeriesReader<Image>::New();
    reader->SetImageIO(itk::GDCMImageIO::New());
    reader->SetFileNames(files);
    reader->Update();
    return reader->GetOutput();
  } catch (const itk::ExceptionObject& e) {
    throw InputError("cannot read DICOM series in '" + dir + "': " + what_of(e));
  }
}

template <class P>
typename ItkImage<P>::Pointer read_file(const std::string& file) {
  using Image = ItkImage<P>;
  std::error_code ec;
  if (!fs::exists(file, ec)) throw InputError("file '" + file + "' not found");
  if (fs::is_directory(file, ec)) return read_series<P>(file);
  if (is_nifti_file(file)) scan_nifti(file);
  register_itk_io();
  auto io = itk::ImageIOFactory::CreateImageIO(file.c_str(), itk::IOFileModeEnum::ReadMode);
  if (!io) {
    throw InputError("cannot read '" + file +
                     "': not a readable NIfTI, NRRD, MHA/MHD or DICOM file (unknown format, corrupt, or no permission)");
  }
  try {
    io->SetFileName(file);
    io->ReadImageInformation();
    if (io->GetNumberOfComponents() != 1) {
      throw InputError("image '" + file + "' has " + std::to_string(io->GetNumberOfComponents()) +
                       " components per voxel; expected a scalar volume (one file per channel)");
    }
    // A 2-D image would be read as X x Y x 1 and trained on without a word.
    if (io->GetNumberOfDimensions() < 3) {
      std::string dims;
      for (unsigned d = 0; d < io->GetNumberOfDimensions(); ++d)
        dims += (d ? " x " : "") + std::to_string(io->GetDimensions(d));
      throw InputError("image '" + file + "' has " + std::to_string(io->GetNumberOfDimensions()) + " dimensions (" +
                       dims + "); expected a 3D volume");
    }
    for (unsigned d = 3; d < io->GetNumberOfDimensions(); ++d) {
      if (io->GetDimensions(d) > 1) {
        throw InputError("image '" + file + "' has " + std::to_string(io->GetNumberOfDimensions()) +
                         " dimensions; expected a 3D volume");
      }
    }
    auto reader = itk::ImageFileReader<Image>::New();
    reader->SetImageIO(io);
    reader->SetFileName(file);
    reader->Update();
    return reader->GetOutput();
  } catch (const itk::ExceptionObject& e) {
    throw InputError("cannot read '" + file + "': " + what_of(e));
  }
}

template <class P, class T>
void write_file(const Volume<T>& v, const std::string& file) {
  if (is_h5_file(file)) {
    throw InputError("cannot write '" + file + "': HDF5 output is not supported; use .nii.gz, .nrrd or .mha");
  }
  if (v.numel() <= 0 || v.data.size() != static_cast<size_t>(v.numel())) {
    throw RunError("cannot write '" + file + "': volume of shape " + shape_string(v.size) + " holds " +
                   std::to_string(v.data.size()) + " values");
  }
  register_itk_io();
  auto io = itk::ImageIOFactory::CreateImageIO(file.c_str(), itk::IOFileModeEnum::WriteMode);
  if (!io) throw InputError("cannot write '" + file + "': unknown format; expected .nii, .nii.gz, .nrrd, .nhdr, .mha or .mhd");
  const fs::path parent = fs::path(file).parent_path();
  std::error_code ec;
  if (!parent.empty()) fs::create_directories(parent, ec);
  try {
    auto img = to_itk<P>(v);
    auto writer = itk::ImageFileWriter<ItkImage<P>>::New();
    writer->SetImageIO(io);
    writer->SetFileName(file);
    writer->SetUseCompression(true);
    writer->SetInput(img);
    writer->Update();
  } catch (const itk::ExceptionObject& e) {
    throw RunError("cannot write '" + file + "': " + what_of(e));
  }
}

}  // namespace

Volume<float> itk_read_float(const std::string& file) { return from_itk<float>(read_file<float>(file).GetPointer()); }
Volume<double> itk_read_double(const std::string& file) { return from_itk<double>(read_file<double>(file).GetPointer()); }
void itk_write_float(const Volume<float>& v, const std::string& file) { write_file<float>(v, file); }
void itk_write_u8(const Volume<uint8_t>& v, const std::string& file) { write_file<uint8_t>(v, file); }

}  // namespace flowrun::detail
