// The HDF5 reader helper's reply on its standard output, read by h5_io.cpp:
// a status byte, then for a volume its size (3 x int64) and data, for an
// error a length (uint64) and the message.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>

namespace flowrun::detail {

enum class H5ReplyStatus : uint8_t { kVolume = 0, kInputError = 1, kFailure = 2 };

// Moves all n bytes through read(2) or write(2), retrying short transfers
// and EINTR; false on an error or end of file.
template <class Op, class Byte>
bool transfer_all(Op op, int fd, Byte* p, size_t n) {
  while (n > 0) {
    const ssize_t k = op(fd, p, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    p += k;
    n -= size_t(k);
  }
  return true;
}

inline bool write_all(int fd, const void* p, size_t n) {
  return transfer_all(::write, fd, static_cast<const char*>(p), n);
}
inline bool read_all(int fd, void* p, size_t n) { return transfer_all(::read, fd, static_cast<char*>(p), n); }

}  // namespace flowrun::detail
