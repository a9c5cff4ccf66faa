// HDF5 dataset reading with the C API (libhdf5 1.10), in process.
#include "lib/volume/h5_read_direct.h"

#include <hdf5.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <optional>
#include <vector>

#include "core/error.h"
#include "lib/volume/volume_checks.h"

namespace flowrun::detail {
namespace fs = std::filesystem;
namespace {

// Owns one HDF5 identifier; closes it with the matching H5?close.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->push_back(name);
  return 0;
}

std::string top_level_names(hid_t file) {
  std::vector<std::string> names;
  H5E_BEGIN_TRY { H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_name, &names); }
  H5E_END_TRY;
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s.empty() ? "none" : s;
}

// Reads into memtype. With only_uint8, a dataset not stored as unsigned 8-bit
// integers gives nullopt instead (after the same checks of the file).
template <class T>
std::optional<Volume<T>> read_with(const std::string& file, const std::string& key, const H5Options& opts,
                                   hid_t memtype, bool only_uint8 = false) {
  if (opts.axis_order != "xyz" && opts.axis_order != "zyx") {
    throw InputError("HDF5 axis order '" + opts.axis_order + "' for '" + file + "' is not supported; expected \"xyz\" or \"zyx\"");
  }
  std::error_code ec;
  if (!fs::exists(file, ec)) throw InputError("file '" + file + "' not found");
  if (fs::is_directory(file, ec)) throw InputError("'" + file + "' is a directory; expected an HDF5 file");
  if (key.empty()) {
    throw InputError("no HDF5 dataset key for '" + file + "'; write 'file.h5:key' or set h5.image_key / h5.label_key");
  }
  const std::string name = file + ":" + key;

  hid_t fid = -1;
  H5E_BEGIN_TRY { fid = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT); }
  H5E_END_TRY;
  Handle f(fid, H5Fclose);
  if (!f.ok()) throw InputError("cannot open '" + file + "' as HDF5 (not an HDF5 file, corrupt, or no permission)");

  hid_t did = -1;
  H5E_BEGIN_TRY { did = H5Dopen2(f.get(), key.c_str(), H5P_DEFAULT); }
  H5E_END_TRY;
  Handle d(did, H5Dclose);
  if (!d.ok()) {
    throw InputError("HDF5 file '" + file + "' has no dataset '" + key + "' (top-level entries: " + top_level_names(f.get()) + ")");
  }
  Handle type(H5Dget_type(d.get()), H5Tclose);
  const H5T_class_t cls = type.ok() ? H5Tget_class(type.get()) : H5T_NO_CLASS;
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) {
    throw InputError("HDF5 dataset '" + name + "' is not numeric; expected an integer or float dataset");
  }
  if (only_uint8 && !(cls == H5T_INTEGER && H5Tget_size(type.get()) == 1 && H5Tget_sign(type.get()) == H5T_SGN_NONE))
    return std::nullopt;
  Handle space(H5Dget_space(d.get()), H5Sclose);
  const int rank = space.ok() ? H5Sget_simple_extent_ndims(space.get()) : -1;
  if (rank != 3) {
    throw InputError("HDF5 dataset '" + name + "' has rank " + std::to_string(rank) + "; expected a 3D volume");
  }
  hsize_t dims[3];
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  const bool zyx = opts.axis_order == "zyx";
  const std::array<int64_t, 3> size = zyx ? std::array<int64_t, 3>{int64_t(dims[2]), int64_t(dims[1]), int64_t(dims[0])}
                                          : std::array<int64_t, 3>{int64_t(dims[0]), int64_t(dims[1]), int64_t(dims[2])};
  // The dims come from the file: a corrupt header can claim 2^60 voxels, and
  // reading would first allocate them. The data stored must be able to hold
  // what the dims say (compressed: by gzip's limit of about 1:1032).
  size_t count = 1;
  bool overflow = false;
  for (hsize_t d : dims) overflow = overflow || __builtin_mul_overflow(count, size_t(d), &count);
  if (!overflow && count == 0) throw InputError("HDF5 dataset '" + name + "' is empty");
  size_t raw_bytes = 0;
  overflow = overflow || __builtin_mul_overflow(count, std::max<size_t>(1, H5Tget_size(type.get())), &raw_bytes);
  Handle dcpl(H5Dget_create_plist(d.get()), H5Pclose);
  const int filters = dcpl.ok() ? H5Pget_nfilters(dcpl.get()) : 0;
  // What the layout claims, and no more than the file holds: a corrupt
  // layout message can claim terabytes of storage too.
  std::error_code size_ec;
  const auto file_bytes = fs::file_size(file, size_ec);
  const double stored = std::min(double(H5Dget_storage_size(d.get())), size_ec ? 0.0 : double(file_bytes));
  if (overflow || stored * (filters > 0 ? 1100.0 : 1.0) < double(raw_bytes)) {
    throw InputError("HDF5 dataset '" + name + "' of " + std::to_string(dims[0]) + " x " + std::to_string(dims[1]) + " x " +
                     std::to_string(dims[2]) + " values holds " + std::to_string(size_t(stored)) +
                     " bytes of data; truncated, never written or corrupt");
  }

  std::vector<T> buf(count);
  herr_t st = -1;
  H5E_BEGIN_TRY { st = H5Dread(d.get(), memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()); }
  H5E_END_TRY;
  if (st < 0) throw InputError("cannot read HDF5 dataset '" + name + "' (corrupt data or unavailable compression filter)");

  Volume<T> v;
  v.size = size;
  v.geometry.spacing_known = false;
  if (!zyx) {
    v.data = std::move(buf);
  } else {
    // Stored x fastest (ITK-like): dims (z, y, x); transpose to z fastest.
    v.data.resize(buf.size());
    const int64_t nx = size[0], ny = size[1], nz = size[2];
    for (int64_t z = 0; z < nz; ++z)
      for (int64_t y = 0; y < ny; ++y)
        for (int64_t x = 0; x < nx; ++x) v.data[size_t((x * ny + y) * nz + z)] = buf[size_t((z * ny + y) * nx + x)];
  }
  return v;
}

}  // namespace

template <>
Volume<float> h5_read_direct<float>(const std::string& file, const std::string& key, const H5Options& opts) {
  return *read_with<float>(file, key, opts, H5T_NATIVE_FLOAT);
}

template <>
Volume<double> h5_read_direct<double>(const std::string& file, const std::string& key, const H5Options& opts) {
  return *read_with<double>(file, key, opts, H5T_NATIVE_DOUBLE);
}

LabelVolume h5_read_label_direct(const std::string& file, const std::string& key, const H5Options& opts,
                                 const std::string& name) {
  // The lineage stores labels as uint8: every value is a label, so they are
  // read as stored, without the eight-byte copy and the check.
  if (std::optional<LabelVolume> v = read_with<uint8_t>(file, key, opts, H5T_NATIVE_UINT8, /*only_uint8=*/true))
    return std::move(*v);
  return to_label_volume(*read_with<double>(file, key, opts, H5T_NATIVE_DOUBLE), name);
}

}  // namespace flowrun::detail
