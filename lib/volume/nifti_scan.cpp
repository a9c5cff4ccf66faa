// NIfTI-1 header parsing and a streaming pass over the voxel bytes (zlib reads
// plain and gzip files alike).
#include "lib/volume/nifti_scan.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
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

// Bytes per voxel of a NIfTI datatype code, as the NIfTI library reads it (it
// goes by datatype, not bitpix); 0 for codes it does not know.
size_t datatype_bytes(int datatype) {
  switch (datatype) {
    case 2: case 256: return 1;                    // uint8, int8
    case 4: case 512: return 2;                    // int16, uint16
    case 128: return 3;                            // rgb24
    case 8: case 16: case 768: case 2304: return 4;  // int32, float32, uint32, rgba32
    case 32: case 64: case 1024: case 1280: return 8;  // complex64, float64, int64, uint64
    case 1536: case 1792: return 16;               // float128, complex128
    case 2048: return 32;                          // complex256
    default: return 0;
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
  // NIfTI-2 (sizeof_hdr 540, its magic at byte 4): ITK decides. A 540 with a
  // NIfTI-1 layout is read as NIfTI-1 by the library, and so here.
  if ((load<int32_t>(h, false) == 540 || load<int32_t>(h, true) == 540) && h[4] == 'n' &&
      (h[5] == '+' || h[5] == 'i') && h[6] == '2')
    return;
  // NIfTI-1 and Analyze as the NIfTI library under ITK reads them: it goes by
  // dim[0] (1..7 as read, or byte-swapped) and looks at sizeof_hdr only when
  // dim[0] is 0. Going by sizeof_hdr let headers through that the library
  // read swapped, or with a wrong sizeof_hdr, and then sized at 70-600 GB.
  auto in_range = [](int16_t d) { return d >= 1 && d <= 7; };
  const int16_t dim0 = load<int16_t>(h + 40, false);
  bool swap = false;
  if (in_range(dim0)) swap = false;
  else if (in_range(load<int16_t>(h + 40, true))) swap = true;
  else if (dim0 == 0 && load<int32_t>(h, false) == 348) swap = false;
  else if (dim0 == 0 && load<int32_t>(h, true) == 348) swap = true;
  else return;  // the library refuses the header
  // ITK's NIfTI reader aborts the process (vnl's assert_finite in the SVD of
  // the orientation) on a NaN or Inf in the voxel size or in the qform /
  // sform it uses: refuse those first.
  // The magic as the NIfTI library tests it: "n+N" (one file) or "niN" (pair), N a digit 1..9.
  const unsigned char* magic = h + 344;
  const bool nifti1 = magic[0] == 'n' && (magic[1] == '+' || magic[1] == 'i') && magic[2] >= '1' &&
                      magic[2] <= '9' && magic[3] == '\0';
  // Finite and at most `bound` in magnitude: ITK's orientation SVD (vnl,
  // in float) also loops for minutes on an sform entry near FLT_MAX (found
  // by fuzzing). Voxel sizes and matrix entries are millimetres (1e5: a
  // 100 m voxel), offsets positions (1e9 mm).
  auto require_finite_floats = [&](size_t offset, int count, const char* field, double bound = 1e9,
                                   int stride_bounded = 0, double matrix_bound = 1e5) {
    for (int i = 0; i < count; ++i) {
      const float v = load<float>(h + offset + 4 * size_t(i), swap);
      const double limit = stride_bounded > 0 && (i % stride_bounded) != stride_bounded - 1 ? matrix_bound : bound;
      if (!std::isfinite(v))
        throw InputError("cannot read '" + file + "': the NIfTI header's " + field + "[" + std::to_string(i) +
                         "] is not a finite number");
      if (std::fabs(double(v)) > limit) {
        char text[64];
        std::snprintf(text, sizeof text, "%g", double(v));
        throw InputError("cannot read '" + file + "': the NIfTI header's " + field + "[" + std::to_string(i) +
                         "] = " + text + " is implausibly large (at most " + (limit > 1e6 ? "1e9" : "1e5") + ")");
      }
    }
  };
  require_finite_floats(76, 8, "pixdim");
  // The NIfTI library (and ITK through it) turns a voxel size of 0 into 1
  // and a negative one into its magnitude, without a word: refuse them.
  for (int a = 1; a <= 3; ++a) {
    const float d = load<float>(h + 76 + 4 * size_t(a), swap);
    if (!(d > 0.0f && d <= 1e5f) && load<int16_t>(h + 40, swap) >= a) {
      char text[64];
      std::snprintf(text, sizeof text, "%g", double(d));
      throw InputError("cannot read '" + file + "': voxel spacing pixdim[" + std::to_string(a) + "] = " + text +
                       "; expected positive sizes up to 1e5 (fix the file's header)");
    }
  }
  if (nifti1 && load<int16_t>(h + 252, swap) > 0) require_finite_floats(256, 6, "quatern_b..qoffset_z");
  if (nifti1 && load<int16_t>(h + 254, swap) > 0) require_finite_floats(280, 12, "srow_x..srow_z", 1e9, 4);
  if (nifti1 && magic[1] == 'i') return;  // header/image pair: the voxels are in the .img
  // No magic: an Analyze 7.5 header in a .nii. ITK reads its voxels from the
  // file's first byte on, header included, and does not notice a short file
  // (a 372-byte file declaring 71M voxels was read, slowly, as zeros).
  const bool analyze = !nifti1;
  const int ndim = load<int16_t>(h + 40, swap);
  int64_t n[7] = {1, 1, 1, 1, 1, 1, 1};
  int64_t voxels = 1;
  bool overflow = false;
  for (int d = 1; d <= std::min(ndim, 7); ++d) {
    n[d - 1] = std::max<int64_t>(1, load<int16_t>(h + 40 + 2 * d, swap));
    overflow = overflow || __builtin_mul_overflow(voxels, n[d - 1], &voxels);
  }
  const int datatype = load<int16_t>(h + 70, swap);
  const int bitpix = load<int16_t>(h + 72, swap);
  const float vox_offset = load<float>(h + 108, swap);
  // The library sizes voxels by datatype; bitpix only when it knows no better.
  size_t bytes_per = datatype_bytes(datatype);
  if (bytes_per == 0 && bitpix > 0 && bitpix % 8 == 0) bytes_per = size_t(bitpix / 8);
  if (bytes_per == 0) return;
  size_t total = 0;
  // Up to 7 dimensions of 32767 overflow 64 bits; no file holds that many
  // bytes, and ITK would try to allocate what the wrapped count says.
  if (overflow || __builtin_mul_overflow(size_t(voxels), bytes_per, &total) ||
      (!analyze && !(vox_offset < 0x1p62f))) {
    char offset[32];
    std::snprintf(offset, sizeof offset, "%g", double(vox_offset));
    throw InputError("cannot read '" + file + "': the NIfTI header declares more voxel data than a file can hold (dims " +
                     std::to_string(n[0]) + " x " + std::to_string(n[1]) + " x " + std::to_string(n[2]) + " x ..., " +
                     std::to_string(8 * bytes_per) + " bits, vox_offset " + offset + ")");
  }

  std::vector<unsigned char> buf(std::max<size_t>(1 << 20, bytes_per) / bytes_per * bytes_per);
  if (analyze) {
    size_t have = sizeof h;
    while (have < total) {
      const size_t got = gz.read(buf.data(), std::min(buf.size(), total - have));
      if (got == 0) break;
      have += got;
    }
    if (have < total) {
      throw InputError("cannot read '" + file + "': truncated (" + std::to_string(have) + " of " + std::to_string(total) +
                       " bytes present; an Analyze header without the NIfTI magic, read from byte 0)");
    }
    return;
  }
  // Skip the extensions between the header and the voxel data. The library
  // reads a one-file NIfTI's voxels from byte 352 at the earliest, whatever
  // vox_offset says (0 included).
  size_t skip = std::max<size_t>(352, vox_offset >= 352.0f ? size_t(vox_offset) : 0) - sizeof h;
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
