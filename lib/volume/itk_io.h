// ITK-backed reading and writing (NIfTI, NRRD, MHA/MHD, DICOM series), internal
// to flowrun_volume: callers use volume_io.h, which adds the value checks.
#pragma once

#include <string>

#include "lib/volume/volume.h"

namespace flowrun::detail {

// `file` is an image file or a directory holding a DICOM series (first series
// is read). Result is in flowrun's layout (z fastest) with ITK's geometry.
Volume<float> itk_read_float(const std::string& file);
Volume<double> itk_read_double(const std::string& file);

void itk_write_float(const Volume<float>& v, const std::string& file);
void itk_write_u8(const Volume<uint8_t>& v, const std::string& file);

// Registers the IO factories flowrun relies on; safe to call repeatedly.
void register_itk_io();

}  // namespace flowrun::detail
