// NIfTI-1 header parsing and a streaming pass over the voxel bytes (zlib reads
// plain and gzip files alike).
#include "lib/volume/nifti_scan.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/error.h"

namespace flowrun::detail {

namespace {

template <class T>
T load(const unsigned char* p, bool swap) {
  unsigned char b[sizeof(T)];
  std::memcpy(b, p, sizeof(T));
  if (swap) std::reverse(b, b + sizeof(T));
  T v;
  std::memcpy(&v, b, sizeof(T));
  return v;
}

struct Gz {
  gzFile f;
  explicit Gz(const std::string& path) : f(gzopen(path.c_str(), "rb")) {}
  ~Gz() {
    if (f) gzclose(f);
  }
  // Reads up to n bytes; returns how many were read.
  size_t read(unsigned char* dst, size_t n) {
    size_t got = 0;
    while (got < n) {
      const int r = gzread(f, dst + got, static_cast<unsigned>(std::min<size_t>(n - got, 1u << 20)));
      if (r <= 0) break;
      got += static_cast<size_t>(r);
    }
    return got;
  }
};

std::string voxel_of(int64_t i, const int64_t* n) {
  const int64_t x = i % n[0], y = (i / n[0]) % n[1], z = i / (n[0] * n[1]);
  return "(" + std::to_string(x) + ", " + std::to_string(y) + ", " + std::to_string(z) + ")";
}

template <class T>
void check_values(const unsigned char* data, size_t count, bool swap, int64_t first_index, const int64_t* n,
                  const std::string& file) {
  for (size_t k = 0; k < count; ++k) {
    const T v = load<T>(data + k * sizeof(T), swap);
    if (!std::isfinite(v)) {
      throw InputError("image '" + file + "' has " + (std::isnan(v) ? "a NaN" : "an Inf") + " at voxel " +
                       voxel_of(first_index + int64_t(k), n) + "; expected finite values");
    }
  }
}

}  // namespace

bool is_nifti_file(const std::string& file) {
  auto ends = [&](const char* e) {
    const size_t n = std::strlen(e);
    if (file.size() < n) return false;
    std::string tail = file.substr(file.size() - n);
    std::transform(tail.begin(), tail.end(), tail.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return tail == e;
  };
  return ends(".nii") || ends(".nii.gz");
}

void scan_nifti(const std::string& file) {
  Gz gz(file);
  if (!gz.f) throw InputError("cannot open '" + file + "'");
  unsigned char h[348];
  if (gz.read(h, sizeof h) != sizeof h) throw InputError("cannot read '" + file + "': shorter than a NIfTI header");
  bool swap = false;
  if (load<int32_t>(h, false) != 348) {
    if (load<int32_t>(h, true) != 348) return;  // NIfTI-2 or not NIfTI: ITK decides
    swap = true;
  }
  if (std::memcmp(h + 344, "n+1", 4) != 0) return;  // header/image pair
  const int ndim = load<int16_t>(h + 40, swap);
  int64_t n[7] = {1, 1, 1, 1, 1, 1, 1};
  int64_t voxels = 1;
  for (int d = 1; d <= std::min(ndim, 7); ++d) {
    n[d - 1] = std::max<int64_t>(1, load<int16_t>(h + 40 + 2 * d, swap));
    voxels *= n[d - 1];
  }
  const int datatype = load<int16_t>(h + 70, swap);
  const int bitpix = load<int16_t>(h + 72, swap);
  const float vox_offset = load<float>(h + 108, swap);
  if (bitpix <= 0 || bitpix % 8 != 0 || !(vox_offset >= 348.0f)) return;
  const size_t bytes_per = size_t(bitpix / 8);
  const size_t total = size_t(voxels) * bytes_per;

  // Skip the extensions between the header and the voxel data.
  std::vector<unsigned char> buf(std::max<size_t>(1 << 20, bytes_per) / bytes_per * bytes_per);
  size_t skip = size_t(vox_offset) - sizeof h;
  while (skip > 0) {
    const size_t got = gz.read(buf.data(), std::min(skip, buf.size()));
    if (got == 0) break;
    skip -= got;
  }
  size_t done = 0;
  while (done < total) {
    const size_t want = std::min(buf.size(), total - done);
    const size_t got = gz.read(buf.data(), want);
    if (got > 0) {
      const size_t whole = got / bytes_per;
      const int64_t first = int64_t(done / bytes_per);
      if (datatype == 16) check_values<float>(buf.data(), whole, swap, first, n, file);
      if (datatype == 64) check_values<double>(buf.data(), whole, swap, first, n, file);
      done += got;
    }
    if (got < want) break;
  }
  if (done < total) {
    throw InputError("cannot read '" + file + "': truncated (" + std::to_string(done) + " of " + std::to_string(total) +
                     " voxel bytes present)");
  }
}

}  // namespace flowrun::detail
