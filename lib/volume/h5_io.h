// HDF5 reading through the C API (the lineage's "image"/"label" datasets),
// internal to flowrun_volume: callers use volume_io.h.
#pragma once

#include <string>

#include "lib/volume/volume.h"
#include "lib/volume/volume_io.h"

namespace flowrun::detail {

// Reads dataset `key` of `file`; any integer or float dtype is converted.
// The result has spacing_known = false: HDF5 files carry no geometry.
Volume<float> h5_read_float(const std::string& file, const std::string& key, const H5Options& opts);
// A label: read at full precision and checked by the helper (to_label_volume,
// its messages naming `name`), so only one byte per voxel crosses the pipe.
LabelVolume h5_read_label(const std::string& file, const std::string& key, const H5Options& opts,
                          const std::string& name);

bool is_h5_file(const std::string& file);

}  // namespace flowrun::detail
