// nifti_clib behind flowrun volumes. NIfTI stores x fastest and RAS world
// coordinates; flowrun volumes are z fastest with ITK's LPS geometry, so the
// data is transposed and the first two world axes flip sign both ways.
#include "lib/volume/nifti_io.h"

#include <nifti1_io.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>

#include "core/error.h"
#include "lib/volume/h5_io.h"
#include "lib/volume/nifti_scan.h"

namespace flowrun::detail {
namespace fs = std::filesystem;

namespace {

struct NimFree {
  void operator()(nifti_image* p) const { nifti_image_free(p); }
};
using NimPtr = std::unique_ptr<nifti_image, NimFree>;

void quiet_library() {
  // The library prints its own diagnostics; flowrun reports errors itself.
  static std::once_flag once;
  std::call_once(once, [] { nifti_set_debug_level(0); });
}

template <class Src, class T>
void scatter(const void* raw, Volume<T>& v, double slope, double inter) {
  const Src* src = static_cast<const Src*>(raw);
  const int64_t nx = v.size[0], ny = v.size[1], nz = v.size[2];
  const bool scale = slope != 0.0 && !(slope == 1.0 && inter == 0.0);
  for (int64_t z = 0; z < nz; ++z)
    for (int64_t y = 0; y < ny; ++y) {
      const Src* row = src + (z * ny + y) * nx;
      for (int64_t x = 0; x < nx; ++x) {
        const double value = scale ? double(row[x]) * slope + inter : double(row[x]);
        v.data[static_cast<size_t>((x * ny + y) * nz + z)] = static_cast<T>(value);
      }
    }
}

// Geometry as ITK reports it: the sform when set, else the qform, else the
// voxel sizes alone; RAS -> LPS.
Geometry geometry_of(const nifti_image* nim) {
  Geometry g;
  const mat44* m = nim->sform_code > 0 ? &nim->sto_xyz : nim->qform_code > 0 ? &nim->qto_xyz : nullptr;
  const double pix[3] = {std::fabs(nim->dx) > 0 ? std::fabs(nim->dx) : 1.0, std::fabs(nim->dy) > 0 ? std::fabs(nim->dy) : 1.0,
                         std::fabs(nim->dz) > 0 ? std::fabs(nim->dz) : 1.0};
  for (int j = 0; j < 3; ++j) {
    double col[3], norm = 0;
    for (int i = 0; i < 3; ++i) {
      col[i] = m ? double(m->m[i][j]) : (i == j ? pix[j] : 0.0);
      norm += col[i] * col[i];
    }
    norm = std::sqrt(norm);
    g.spacing[j] = norm > 0 ? norm : pix[j];
    for (int i = 0; i < 3; ++i) {
      const double lps = (i < 2 ? -1.0 : 1.0);
      g.direction[i * 3 + j] = norm > 0 ? lps * col[i] / norm : (i == j ? lps : 0.0);
    }
  }
  for (int i = 0; i < 3; ++i) g.origin[i] = (i < 2 ? -1.0 : 1.0) * (m ? double(m->m[i][3]) : 0.0);
  g.spacing_known = true;
  return g;
}

template <class T>
Volume<T> read_file(const std::string& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) throw InputError("file '" + file + "' not found");
  if (fs::is_directory(file, ec) || !is_nifti_file(file)) {
    throw InputError("cannot read '" + file +
                     "': this flowrun was built without ITK (FLOWRUN_WITH_ITK=OFF), so it reads only NIfTI "
                     "(.nii, .nii.gz) and HDF5 volumes; convert the file or use a build with ITK");
  }
  scan_nifti(file);  // truncation and NaN/Inf, as on the ITK path
  quiet_library();
  NimPtr nim(nifti_image_read(file.c_str(), 1));
  if (!nim || !nim->data) throw InputError("cannot read '" + file + "': not a readable NIfTI-1 file (corrupt or no permission)");
  if (nim->ndim < 3)
    throw InputError("image '" + file + "' has " + std::to_string(nim->ndim) + " dimensions (" + std::to_string(nim->nx) +
                     " x " + std::to_string(nim->ny) + "); expected a 3D volume");
  for (int d = 4; d <= nim->ndim && d < 8; ++d) {
    if (nim->dim[d] > 1)
      throw InputError("image '" + file + "' has " + std::to_string(nim->ndim) + " dimensions; expected a 3D volume");
  }
  Volume<T> v({std::max<int64_t>(1, nim->nx), std::max<int64_t>(1, nim->ny), std::max<int64_t>(1, nim->nz)});
  const double slope = nim->scl_slope, inter = nim->scl_inter;
  switch (nim->datatype) {
    case NIFTI_TYPE_UINT8: scatter<uint8_t>(nim->data, v, slope, inter); break;
    case NIFTI_TYPE_INT8: scatter<int8_t>(nim->data, v, slope, inter); break;
    case NIFTI_TYPE_INT16: scatter<int16_t>(nim->data, v, slope, inter); break;
    case NIFTI_TYPE_UINT16: scatter<uint16_t>(nim->data, v, slope, inter); break;
    case NIFTI_TYPE_INT32: scatter<int32_t>(nim->data, v, slope, inter); break;
    case NIFTI_TYPE_UINT32: scatter<uint32_t>(nim->data, v, slope, inter); break;
    case NIFTI_TYPE_INT64: scatter<int64_t>(nim->data, v, slope, inter); break;
    case NIFTI_TYPE_UINT64: scatter<uint64_t>(nim->data, v, slope, inter); break;
    case NIFTI_TYPE_FLOAT32: scatter<float>(nim->data, v, slope, inter); break;
    case NIFTI_TYPE_FLOAT64: scatter<double>(nim->data, v, slope, inter); break;
    default:
      throw InputError("image '" + file + "' has NIfTI datatype " + std::to_string(nim->datatype) + " (" +
                       nifti_datatype_string(nim->datatype) + "); expected a scalar integer or float volume");
  }
  v.geometry = geometry_of(nim.get());
  return v;
}

template <class T>
void write_file(const Volume<T>& v, const std::string& file, int datatype) {
  if (is_h5_file(file)) throw InputError("cannot write '" + file + "': HDF5 output is not supported; use .nii.gz");
  if (!is_nifti_file(file)) {
    throw InputError("cannot write '" + file + "': this flowrun was built without ITK, so it writes only NIfTI (.nii, .nii.gz)");
  }
  if (v.numel() <= 0 || v.data.size() != static_cast<size_t>(v.numel())) {
    throw RunError("cannot write '" + file + "': volume of shape " + shape_string(v.size) + " holds " +
                   std::to_string(v.data.size()) + " values");
  }
  for (int64_t s : v.size)
    if (s > 32767) throw InputError("cannot write '" + file + "': NIfTI-1 holds at most 32767 voxels per axis");
  quiet_library();
  const int dims[8] = {3, int(v.size[0]), int(v.size[1]), int(v.size[2]), 1, 1, 1, 1};
  NimPtr nim(nifti_make_new_nim(dims, datatype, 1));
  if (!nim) throw RunError("cannot write '" + file + "': out of memory");
  const int64_t nx = v.size[0], ny = v.size[1], nz = v.size[2];
  T* dst = static_cast<T*>(nim->data);
  for (int64_t z = 0; z < nz; ++z)
    for (int64_t y = 0; y < ny; ++y)
      for (int64_t x = 0; x < nx; ++x) dst[(z * ny + y) * nx + x] = v.data[static_cast<size_t>((x * ny + y) * nz + z)];

  // LPS -> RAS affine; qform and sform both carry it, as ITK writes them.
  mat44 m;
  std::memset(&m, 0, sizeof m);
  const Geometry& g = v.geometry;
  for (int i = 0; i < 3; ++i) {
    const double ras = i < 2 ? -1.0 : 1.0;
    for (int j = 0; j < 3; ++j) m.m[i][j] = float(ras * g.direction[i * 3 + j] * g.spacing[j]);
    m.m[i][3] = float(ras * g.origin[i]);
  }
  m.m[3][3] = 1.0f;
  nim->sto_xyz = m;
  nim->sform_code = NIFTI_XFORM_SCANNER_ANAT;
  nim->qform_code = NIFTI_XFORM_SCANNER_ANAT;
  nifti_mat44_to_quatern(m, &nim->quatern_b, &nim->quatern_c, &nim->quatern_d, &nim->qoffset_x, &nim->qoffset_y,
                         &nim->qoffset_z, nullptr, nullptr, nullptr, &nim->qfac);
  nim->qto_xyz = nifti_quatern_to_mat44(nim->quatern_b, nim->quatern_c, nim->quatern_d, nim->qoffset_x,
                                        nim->qoffset_y, nim->qoffset_z, float(g.spacing[0]), float(g.spacing[1]),
                                        float(g.spacing[2]), nim->qfac);
  nim->dx = nim->pixdim[1] = float(g.spacing[0]);
  nim->dy = nim->pixdim[2] = float(g.spacing[1]);
  nim->dz = nim->pixdim[3] = float(g.spacing[2]);
  nim->xyz_units = NIFTI_UNITS_MM;

  const fs::path target(file);
  std::error_code ec;
  if (!target.parent_path().empty()) fs::create_directories(target.parent_path(), ec);
  // Written beside the target under a temporary name and renamed, so a failed
  // write (the library only prints) never leaves a half file under the name.
  const bool gz = file.size() > 3 && file.compare(file.size() - 3, 3, ".gz") == 0;
  const fs::path tmp = target.parent_path() / (".tmp-" + target.filename().string() + (gz ? ".nii.gz" : ".nii"));
  if (nifti_set_filenames(nim.get(), tmp.c_str(), 0, 1) != 0) throw RunError("cannot write '" + file + "': bad file name");
  nifti_image_write(nim.get());
  // The library only prints its failures: read the header back and stream
  // through the voxels, which finds a short (disk-full) file.
  NimPtr back(nifti_image_read(tmp.c_str(), 0));
  std::string why = back ? "" : "unreadable header";
  if (back) {
    try {
      scan_nifti(tmp.string());
    } catch (const std::exception& e) {
      why = e.what();
    }
  }
  if (!why.empty()) {
    fs::remove(tmp, ec);
    throw RunError("cannot write '" + file + "' (disk full or no permission?): " + why);
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw RunError("cannot write '" + file + "': " + ec.message());
  }
}

}  // namespace

Volume<float> nifti_read_float(const std::string& file) { return read_file<float>(file); }
Volume<double> nifti_read_double(const std::string& file) { return read_file<double>(file); }
void nifti_write_float(const Volume<float>& v, const std::string& file) { write_file(v, file, NIFTI_TYPE_FLOAT32); }
void nifti_write_u8(const Volume<uint8_t>& v, const std::string& file) { write_file(v, file, NIFTI_TYPE_UINT8); }

}  // namespace flowrun::detail
