// NIfTI-1 reading and writing through nifti_clib (Debian's libniftiio), the
// volume IO of builds without ITK (the GPU machine's dependency pack carries
// no ITK). Same layout, geometry convention (ITK's LPS) and error rules as
// the ITK path, so a dataset reads the same under either build.
#pragma once

#include <string>

#include "lib/volume/volume.h"

namespace flowrun::detail {

Volume<float> nifti_read_float(const std::string& file);
Volume<double> nifti_read_double(const std::string& file);

// .nii or .nii.gz, float32 / uint8 voxels, qform and sform both set.
void nifti_write_float(const Volume<float>& v, const std::string& file);
void nifti_write_u8(const Volume<uint8_t>& v, const std::string& file);

}  // namespace flowrun::detail
