// Finite-image and integer-label checks used after every read.
#include "lib/volume/volume_checks.h"

#include <cmath>
#include <sstream>

#include "core/error.h"

namespace flowrun::detail {

std::string voxel_string(const std::array<int64_t, 3>& size, int64_t i) {
  const int64_t z = i % size[2];
  const int64_t y = (i / size[2]) % size[1];
  const int64_t x = i / (size[2] * size[1]);
  return "(" + std::to_string(x) + ", " + std::to_string(y) + ", " + std::to_string(z) + ")";
}

void require_finite(const ImageVolume& v, const std::string& name) {
  for (size_t i = 0; i < v.data.size(); ++i) {
    const float f = v.data[i];
    if (!std::isfinite(f)) {
      throw InputError("image '" + name + "' has " + (std::isnan(f) ? "a NaN" : "an Inf") + " at voxel " +
                       voxel_string(v.size, static_cast<int64_t>(i)) + "; expected finite values");
    }
  }
}

LabelVolume to_label_volume(const Volume<double>& v, const std::string& name) {
  // A value is a label when it survives the round trip through uint8, which
  // fails for fractions, NaN and values outside 0..255. Branch-free, so the
  // conversion pass vectorises; only a failed volume is searched again for
  // its first bad voxel.
  const auto convert = [](double d, uint8_t& u) {
    const bool in_range = d >= 0.0 && d <= 255.0;
    u = static_cast<uint8_t>(static_cast<int>(in_range ? d : 0.0));
    return in_range && static_cast<double>(u) == d;
  };
  LabelVolume out;
  out.size = v.size;
  out.geometry = v.geometry;
  out.data.resize(v.data.size());
  bool ok = true;
  for (size_t i = 0; i < v.data.size(); ++i) ok &= convert(v.data[i], out.data[i]);
  if (ok) return out;
  uint8_t unused = 0;
  for (size_t i = 0; i < v.data.size(); ++i) {
    if (convert(v.data[i], unused)) continue;
    std::ostringstream value;
    value << v.data[i];
    throw InputError("label '" + name + "' has value " + value.str() + " at voxel " +
                     voxel_string(v.size, static_cast<int64_t>(i)) + "; expected integers 0..255");
  }
  return out;
}

void require_valid_spacing(const Geometry& g, const std::string& name) {
  if (!g.spacing_known) return;
  for (int a = 0; a < 3; ++a) {
    if (!(std::isfinite(g.spacing[a]) && g.spacing[a] > 0.0)) {
      std::ostringstream o;
      o << name << ": voxel spacing " << g.spacing[0] << " x " << g.spacing[1] << " x " << g.spacing[2]
        << "; expected positive sizes (fix the file's header, e.g. NIfTI pixdim)";
      throw InputError(o.str());
    }
  }
}

}  // namespace flowrun::detail
