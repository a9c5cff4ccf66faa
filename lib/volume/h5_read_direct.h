// Reading one HDF5 dataset through the C API in the calling process. Only
// the reader helper (h5_reader_main.cpp) calls this: flowrun's own processes
// never load libhdf5, see h5_io.cpp for why.
#pragma once

#include <string>

#include "lib/volume/volume.h"
#include "lib/volume/volume_io.h"

namespace flowrun::detail {

// Reads dataset `key` of `file` (any integer or float dtype, converted to T:
// float or double), checking what a corrupt file can claim before allocating.
// The result has spacing_known = false: HDF5 files carry no geometry.
// Throws InputError naming the file and dataset.
template <class T>
Volume<T> h5_read_direct(const std::string& file, const std::string& key, const H5Options& opts);

}  // namespace flowrun::detail
