// Fuzzes the volume readers (lib/volume/volume_io.h read_image / read_label):
// NIfTI through the project's header scan (nifti_scan.cpp) and ITK, HDF5
// through the HDF5 C library, then the project's value checks. ITK and HDF5
// are not instrumented; a crash inside them on a file the project could have
// refused first is still a finding. Input: byte 0 picks the form, the rest is
// the file:
//   bits 0-1: 0 .nii, 1 .nii.gz (the rest gzipped here), 2 .h5 (key "image"),
//             3 .nii.gz written as given (corrupt gzip streams)
//   bit 2: read_label instead of read_image
//   bit 3: HDF5 axis order "zyx" instead of "xyz"
// Only InputError may escape.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.h"
#include "lib/volume/volume_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace flowrun;
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  const uint8_t* body = data + 1;
  const size_t n = size - 1;
  const auto& dir = fuzz::scratch_dir("fuzz_volume");
  std::string file;
  switch (mode & 3) {
    case 0: file = (dir / "v.nii").string(); fuzz::write_file(file, body, n); break;
    case 1: {
      file = (dir / "v.nii.gz").string();
      gzFile gz = gzopen(file.c_str(), "wb1");
      if (!gz || (n > 0 && gzwrite(gz, body, static_cast<unsigned>(n)) != int(n)) || gzclose(gz) != Z_OK) __builtin_trap();
      break;
    }
    case 2: file = (dir / "v.h5").string(); fuzz::write_file(file, body, n); break;
    default: file = (dir / "v.nii.gz").string(); fuzz::write_file(file, body, n); break;
  }
  ReadOptions opts;
  opts.default_key = "image";
  if (mode & 8) opts.h5.axis_order = "zyx";
  fuzz::expect_only_input_errors("fuzz_volume", [&] {
    if (mode & 4) read_label(file, opts);
    else read_image(file, opts);
  });
  return 0;
}
