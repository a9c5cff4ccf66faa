// Public volume IO: picks HDF5 or the image backend (ITK, or nifti_clib in a
// build without ITK) by the file's extension, then applies the checks every
// volume must pass (finite images, 0..255 integer labels).
#include "lib/volume/volume_io.h"

#include "lib/volume/h5_io.h"
#include "lib/volume/volume_checks.h"
#if FLOWRUN_WITH_ITK
#include "lib/volume/itk_io.h"
#else
#include "lib/volume/nifti_io.h"
#endif

namespace flowrun {

namespace {

struct Source {
  bool h5;
  std::string file, key, name;
};

Source source_of(const std::string& spec, const ReadOptions& opts) {
  const VolumePath p = parse_volume_path(spec);
  if (!detail::is_h5_file(p.file)) return {false, p.file, "", p.file};
  const std::string key = p.key.empty() ? opts.default_key : p.key;
  return {true, p.file, key, p.file + ":" + key};
}

#if FLOWRUN_WITH_ITK
Volume<float> image_read_float(const std::string& f) { return detail::itk_read_float(f); }
Volume<double> image_read_double(const std::string& f) { return detail::itk_read_double(f); }
void image_write_float(const Volume<float>& v, const std::string& f) { detail::itk_write_float(v, f); }
void image_write_u8(const Volume<uint8_t>& v, const std::string& f) { detail::itk_write_u8(v, f); }
#else
Volume<float> image_read_float(const std::string& f) { return detail::nifti_read_float(f); }
Volume<double> image_read_double(const std::string& f) { return detail::nifti_read_double(f); }
void image_write_float(const Volume<float>& v, const std::string& f) { detail::nifti_write_float(v, f); }
void image_write_u8(const Volume<uint8_t>& v, const std::string& f) { detail::nifti_write_u8(v, f); }
#endif

}  // namespace

ImageVolume read_image(const std::string& spec, const ReadOptions& opts) {
  const Source s = source_of(spec, opts);
  ImageVolume v = s.h5 ? detail::h5_read_float(s.file, s.key, opts.h5) : image_read_float(s.file);
  detail::require_valid_spacing(v.geometry, s.name);
  detail::require_finite(v, s.name);
  return v;
}

LabelVolume read_label(const std::string& spec, const ReadOptions& opts) {
  const Source s = source_of(spec, opts);
  if (s.h5) return detail::h5_read_label(s.file, s.key, opts.h5, s.name);  // no geometry to check
  const Volume<double> v = image_read_double(s.file);
  detail::require_valid_spacing(v.geometry, s.name);
  return detail::to_label_volume(v, s.name);
}

void write_image(const ImageVolume& v, const std::string& path) { image_write_float(v, path); }
void write_label(const LabelVolume& v, const std::string& path) { image_write_u8(v, path); }

}  // namespace flowrun
