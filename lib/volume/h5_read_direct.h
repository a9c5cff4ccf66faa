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

// Reads a label dataset: unsigned 8-bit data as stored, any other dtype at
// full precision and checked by to_label_volume (InputError naming `name`
// and the first value that is not an integer 0..255).
LabelVolume h5_read_label_direct(const std::string& file, const std::string& key, const H5Options& opts,
                                 const std::string& name);

}  // namespace flowrun::detail
