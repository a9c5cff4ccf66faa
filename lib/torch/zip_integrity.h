// Integrity of a checkpoint file: LibTorch writes checkpoints as uncompressed
// ZIP archives whose records each carry a CRC-32, but its reader does not
// verify them, so an altered tensor payload would load without a word. This
// re-reads every stored record and compares.
#pragma once

#include <cstdint>
#include <string>

namespace flowrun {

struct ZipCheck {
  int64_t records = 0;  // records verified
  int64_t bytes = 0;    // payload bytes read
};

// Throws InputError naming the file and the record when the archive's
// structure is broken or a record's data does not match its CRC-32.
ZipCheck verify_zip_records(const std::string& path);

}  // namespace flowrun
