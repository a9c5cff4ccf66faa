// flowrun-h5-read: reads one HDF5 dataset and writes it to standard output in
// the format of h5_reply.h. flowrun starts it for every HDF5 volume (see
// h5_io.cpp), so a crash of libhdf5 on a corrupt file ends this process only.
//   flowrun-h5-read FILE KEY float xyz|zyx
//   flowrun-h5-read FILE KEY label xyz|zyx NAME
// "label" reads at full precision and replies uint8 (to_label_volume's check,
// its messages naming NAME): an eighth of the bytes a double would take.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "core/error.h"
#include "lib/volume/h5_read_direct.h"
#include "lib/volume/h5_reply.h"
#include "lib/volume/volume_checks.h"

namespace {

using flowrun::detail::H5ReplyStatus;
using flowrun::detail::write_all;

template <class T>
bool reply(const flowrun::Volume<T>& v) {
  const auto status = H5ReplyStatus::kVolume;
  return write_all(1, &status, 1) && write_all(1, v.size.data(), sizeof v.size) &&
         write_all(1, v.data.data(), v.data.size() * sizeof(T));
}

int reply_image(const std::string& file, const std::string& key, const flowrun::H5Options& opts) {
  return reply(flowrun::detail::h5_read_direct<float>(file, key, opts)) ? 0 : 3;
}

int reply_label(const std::string& file, const std::string& key, const flowrun::H5Options& opts,
                const std::string& name) {
  return reply(flowrun::detail::h5_read_label_direct(file, key, opts, name)) ? 0 : 3;
}

int reply_error(H5ReplyStatus status, const std::string& message) {
  const uint64_t n = message.size();
  return write_all(1, &status, 1) && write_all(1, &n, sizeof n) && write_all(1, message.data(), message.size()) ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  const bool image = argc == 5 && std::strcmp(argv[3], "float") == 0;
  const bool label = argc == 6 && std::strcmp(argv[3], "label") == 0;
  if (!image && !label) {
    std::fprintf(stderr, "usage: flowrun-h5-read FILE KEY float AXIS_ORDER | FILE KEY label AXIS_ORDER NAME "
                         "(started by flowrun)\n");
    return 2;
  }
  flowrun::H5Options opts;
  opts.axis_order = argv[4];
  try {
    return label ? reply_label(argv[1], argv[2], opts, argv[5]) : reply_image(argv[1], argv[2], opts);
  } catch (const flowrun::InputError& e) {
    return reply_error(H5ReplyStatus::kInputError, e.what());
  } catch (const std::exception& e) {
    return reply_error(H5ReplyStatus::kFailure, e.what());
  }
}
