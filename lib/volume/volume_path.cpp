// "file.h5:key" parsing. The key separator is the first ':' that follows an
// HDF5 extension, so ordinary paths containing ':' stay whole.
#include <algorithm>
#include <cctype>

#include "lib/volume/volume_io.h"

namespace flowrun {

VolumePath parse_volume_path(const std::string& spec) {
  std::string lower = spec;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  for (size_t pos = lower.find(':'); pos != std::string::npos; pos = lower.find(':', pos + 1)) {
    for (const char* ext : {".h5", ".hdf5", ".hdf", ".he5"}) {
      const std::string e(ext);
      if (pos >= e.size() + 1 && lower.compare(pos - e.size(), e.size(), e) == 0) {
        return {spec.substr(0, pos), spec.substr(pos + 1)};
      }
    }
  }
  return {spec, ""};
}

}  // namespace flowrun
