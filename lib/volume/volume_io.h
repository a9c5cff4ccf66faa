// Reading and writing volumes: ITK formats (NIfTI, NRRD, MHA/MHD, DICOM series)
// and the lineage's HDF5 layout.
//
// A volume path may carry an HDF5 key: "case.h5:image". Errors are InputError
// naming the file (and key) and what was expected.
#pragma once

#include <string>

#include "lib/volume/volume.h"

namespace flowrun {

struct H5Options {
  // Axis order of the HDF5 dataset as stored, C-order. "xyz" is the lineage's
  // layout (z fastest), which is flowrun's own; "zyx" is ITK-like x fastest.
  std::string axis_order = "xyz";
};

struct ReadOptions {
  std::string default_key;  // HDF5 key used when the path carries none
  H5Options h5;
};

// Splits "file.h5:key" into file and key. A path without a key, or whose
// suffix after ':' is part of the file name, returns an empty key.
struct VolumePath {
  std::string file;
  std::string key;
};
VolumePath parse_volume_path(const std::string& spec);

ImageVolume read_image(const std::string& spec, const ReadOptions& opts = {});
LabelVolume read_label(const std::string& spec, const ReadOptions& opts = {});

// Writes NIfTI (.nii or .nii.gz) or any other ITK-writable extension,
// preserving spacing, origin and direction.
void write_image(const ImageVolume& v, const std::string& path);
void write_label(const LabelVolume& v, const std::string& path);

}  // namespace flowrun
