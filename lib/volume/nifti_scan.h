// A direct scan of a NIfTI-1 file's voxel data. Needed because the NIfTI
// library under ITK silently replaces NaN and Inf floats with 0 and reads
// truncated files without complaint; both must be InputErrors in flowrun.
#pragma once

#include <string>

namespace flowrun::detail {

// Throws InputError naming `file` if its data is shorter than the header
// declares, or (float types) holds a NaN or Inf. Files that are not
// single-file NIfTI-1 (.hdr/.img pairs, NIfTI-2) are left to ITK.
void scan_nifti(const std::string& file);

bool is_nifti_file(const std::string& file);

}  // namespace flowrun::detail
