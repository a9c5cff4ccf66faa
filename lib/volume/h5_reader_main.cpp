// flowrun-h5-read: reads one HDF5 dataset and writes it to standard output in
// the format of h5_reply.h. flowrun starts it for every HDF5 volume (see
// h5_io.cpp), so a crash of libhdf5 on a corrupt file ends this process only.
//   flowrun-h5-read FILE KEY float|double xyz|zyx
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "core/error.h"
#include "lib/volume/h5_read_direct.h"
#include "lib/volume/h5_reply.h"

namespace {

using flowrun::detail::H5ReplyStatus;
using flowrun::detail::write_all;

template <class T>
int reply_volume(const std::string& file, const std::string& key, const flowrun::H5Options& opts) {
  const flowrun::Volume<T> v = flowrun::detail::h5_read_direct<T>(file, key, opts);
  const auto status = H5ReplyStatus::kVolume;
  const bool ok = write_all(1, &status, 1) && write_all(1, v.size.data(), sizeof v.size) &&
                  write_all(1, v.data.data(), v.data.size() * sizeof(T));
  return ok ? 0 : 3;
}

int reply_error(H5ReplyStatus status, const std::string& message) {
  const uint64_t n = message.size();
  return write_all(1, &status, 1) && write_all(1, &n, sizeof n) && write_all(1, message.data(), message.size()) ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5 || (std::strcmp(argv[3], "float") != 0 && std::strcmp(argv[3], "double") != 0)) {
    std::fprintf(stderr, "usage: flowrun-h5-read FILE KEY float|double AXIS_ORDER (started by flowrun)\n");
    return 2;
  }
  flowrun::H5Options opts;
  opts.axis_order = argv[4];
  try {
    return std::strcmp(argv[3], "float") == 0 ? reply_volume<float>(argv[1], argv[2], opts)
                                              : reply_volume<double>(argv[1], argv[2], opts);
  } catch (const flowrun::InputError& e) {
    return reply_error(H5ReplyStatus::kInputError, e.what());
  } catch (const std::exception& e) {
    return reply_error(H5ReplyStatus::kFailure, e.what());
  }
}
