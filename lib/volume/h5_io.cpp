// HDF5 volume reading via the C API, in a child process: libhdf5 (1.10)
// dereferences null on some corrupt files (found by fuzzing: H5Dopen2 ->
// H5G__stab_lookup -> H5HL_protect), before any check of ours can run, and a
// crash there must not end a training run. The child does every HDF5 call and
// sends the volume (or the error) back through a pipe; a child killed by a
// signal becomes an InputError naming the file. Being a fresh copy of an
// idle library, it also needs no lock against the load nodes' concurrent
// reads (Debian's libhdf5 is not thread-safe; the parent never calls it). A
// build without HDF5 (FLOWRUN_WITH_HDF5=OFF, the GPU machine's) recognises
// .h5 paths and says it cannot read them.
#include "lib/volume/h5_io.h"

#if FLOWRUN_WITH_HDF5
#include <hdf5.h>
#endif

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace flowrun::detail {
namespace fs = std::filesystem;

#if FLOWRUN_WITH_HDF5
namespace {

// Owns one HDF5 identifier; closes it with the matching H5?close.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->push_back(name);
  return 0;
}

std::string top_level_names(hid_t file) {
  std::vector<std::string> names;
  H5E_BEGIN_TRY { H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_name, &names); }
  H5E_END_TRY;
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s.empty() ? "none" : s;
}

template <class T>
Volume<T> read_here(const std::string& file, const std::string& key, const H5Options& opts, hid_t memtype) {
  if (opts.axis_order != "xyz" && opts.axis_order != "zyx") {
    throw InputError("HDF5 axis order '" + opts.axis_order + "' for '" + file + "' is not supported; expected \"xyz\" or \"zyx\"");
  }
  std::error_code ec;
  if (!fs::exists(file, ec)) throw InputError("file '" + file + "' not found");
  if (fs::is_directory(file, ec)) throw InputError("'" + file + "' is a directory; expected an HDF5 file");
  if (key.empty()) {
    throw InputError("no HDF5 dataset key for '" + file + "'; write 'file.h5:key' or set h5.image_key / h5.label_key");
  }
  const std::string name = file + ":" + key;

  hid_t fid = -1;
  H5E_BEGIN_TRY { fid = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT); }
  H5E_END_TRY;
  Handle f(fid, H5Fclose);
  if (!f.ok()) throw InputError("cannot open '" + file + "' as HDF5 (not an HDF5 file, corrupt, or no permission)");

  hid_t did = -1;
  H5E_BEGIN_TRY { did = H5Dopen2(f.get(), key.c_str(), H5P_DEFAULT); }
  H5E_END_TRY;
  Handle d(did, H5Dclose);
  if (!d.ok()) {
    throw InputError("HDF5 file '" + file + "' has no dataset '" + key + "' (top-level entries: " + top_level_names(f.get()) + ")");
  }
  Handle type(H5Dget_type(d.get()), H5Tclose);
  const H5T_class_t cls = type.ok() ? H5Tget_class(type.get()) : H5T_NO_CLASS;
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) {
    throw InputError("HDF5 dataset '" + name + "' is not numeric; expected an integer or float dataset");
  }
  Handle space(H5Dget_space(d.get()), H5Sclose);
  const int rank = space.ok() ? H5Sget_simple_extent_ndims(space.get()) : -1;
  if (rank != 3) {
    throw InputError("HDF5 dataset '" + name + "' has rank " + std::to_string(rank) + "; expected a 3D volume");
  }
  hsize_t dims[3];
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  const bool zyx = opts.axis_order == "zyx";
  const std::array<int64_t, 3> size = zyx ? std::array<int64_t, 3>{int64_t(dims[2]), int64_t(dims[1]), int64_t(dims[0])}
                                          : std::array<int64_t, 3>{int64_t(dims[0]), int64_t(dims[1]), int64_t(dims[2])};
  // The dims come from the file: a corrupt header can claim 2^60 voxels, and
  // reading would first allocate them. The data stored must be able to hold
  // what the dims say (compressed: by gzip's limit of about 1:1032).
  size_t count = 1;
  bool overflow = false;
  for (hsize_t d : dims) overflow = overflow || __builtin_mul_overflow(count, size_t(d), &count);
  if (!overflow && count == 0) throw InputError("HDF5 dataset '" + name + "' is empty");
  size_t raw_bytes = 0;
  overflow = overflow || __builtin_mul_overflow(count, std::max<size_t>(1, H5Tget_size(type.get())), &raw_bytes);
  Handle dcpl(H5Dget_create_plist(d.get()), H5Pclose);
  const int filters = dcpl.ok() ? H5Pget_nfilters(dcpl.get()) : 0;
  // What the layout claims, and no more than the file holds: a corrupt
  // layout message can claim terabytes of storage too.
  std::error_code size_ec;
  const auto file_bytes = fs::file_size(file, size_ec);
  const double stored = std::min(double(H5Dget_storage_size(d.get())), size_ec ? 0.0 : double(file_bytes));
  if (overflow || stored * (filters > 0 ? 1100.0 : 1.0) < double(raw_bytes)) {
    throw InputError("HDF5 dataset '" + name + "' of " + std::to_string(dims[0]) + " x " + std::to_string(dims[1]) + " x " +
                     std::to_string(dims[2]) + " values holds " + std::to_string(size_t(stored)) +
                     " bytes of data; truncated, never written or corrupt");
  }

  std::vector<T> buf(count);
  herr_t st = -1;
  H5E_BEGIN_TRY { st = H5Dread(d.get(), memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()); }
  H5E_END_TRY;
  if (st < 0) throw InputError("cannot read HDF5 dataset '" + name + "' (corrupt data or unavailable compression filter)");

  Volume<T> v;
  v.size = size;
  v.geometry.spacing_known = false;
  if (!zyx) {
    v.data = std::move(buf);
  } else {
    // Stored x fastest (ITK-like): dims (z, y, x); transpose to z fastest.
    v.data.resize(buf.size());
    const int64_t nx = size[0], ny = size[1], nz = size[2];
    for (int64_t z = 0; z < nz; ++z)
      for (int64_t y = 0; y < ny; ++y)
        for (int64_t x = 0; x < nx; ++x) v.data[size_t((x * ny + y) * nz + z)] = buf[size_t((z * ny + y) * nx + x)];
  }
  return v;
}

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

bool write_all(int fd, const void* p, size_t n) {
  return transfer_all(::write, fd, static_cast<const char*>(p), n);
}
bool read_all(int fd, void* p, size_t n) { return transfer_all(::read, fd, static_cast<char*>(p), n); }

// The child's reply on the pipe: a status byte (0 volume, 1 InputError,
// 2 other failure), then the size and data, or the message.
template <class T>
[[noreturn]] void child_main(int fd, const std::string& file, const std::string& key, const H5Options& opts,
                             hid_t memtype) {
  uint8_t status = 0;
  std::string message;
  try {
    const Volume<T> v = read_here<T>(file, key, opts, memtype);
    const bool ok = write_all(fd, &status, 1) && write_all(fd, v.size.data(), sizeof v.size) &&
                    write_all(fd, v.data.data(), v.data.size() * sizeof(T));
    ::_exit(ok ? 0 : 3);
  } catch (const InputError& e) {
    status = 1;
    message = e.what();
  } catch (const std::exception& e) {
    status = 2;
    message = e.what();
  }
  const uint64_t n = message.size();
  (void)(write_all(fd, &status, 1) && write_all(fd, &n, sizeof n) && write_all(fd, message.data(), message.size()));
  ::_exit(0);
}

template <class T>
Volume<T> read(const std::string& file, const std::string& key, const H5Options& opts, hid_t memtype) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw RunError("reading '" + file + "': pipe: " + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw RunError("reading '" + file + "': fork: " + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_main<T>(fds[1], file, key, opts, memtype);
  }
  ::close(fds[1]);
  uint8_t status = 255;
  Volume<T> v;
  std::string message;
  bool complete = read_all(fds[0], &status, 1);
  if (complete && status == 0) {
    complete = read_all(fds[0], v.size.data(), sizeof v.size);
    int64_t count = 1;
    for (int64_t d : v.size) complete = complete && d > 0 && !__builtin_mul_overflow(count, d, &count);
    if (complete) {
      v.data.resize(size_t(count));
      complete = read_all(fds[0], v.data.data(), v.data.size() * sizeof(T));
    }
    v.geometry.spacing_known = false;
  } else if (complete) {
    uint64_t n = 0;
    complete = read_all(fds[0], &n, sizeof n) && n < (1u << 20);
    if (complete) {
      message.resize(n);
      complete = read_all(fds[0], message.data(), n);
    }
  }
  ::close(fds[0]);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(wstatus))
    throw InputError("cannot read '" + file + ":" + key + "': the HDF5 library crashed on it (signal " +
                     std::to_string(WTERMSIG(wstatus)) + "); the file is corrupt");
  if (!complete || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
    throw RunError("reading '" + file + ":" + key + "': the HDF5 reader process failed");
  if (status == 1) throw InputError(message);
  if (status != 0) throw RunError("reading '" + file + ":" + key + "': " + message);
  return v;
}

}  // namespace
#endif

bool is_h5_file(const std::string& file) {
  std::string ext = fs::path(file).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return ext == ".h5" || ext == ".hdf5" || ext == ".hdf" || ext == ".he5";
}

#if FLOWRUN_WITH_HDF5

Volume<float> h5_read_float(const std::string& file, const std::string& key, const H5Options& opts) {
  return read<float>(file, key, opts, H5T_NATIVE_FLOAT);
}

Volume<double> h5_read_double(const std::string& file, const std::string& key, const H5Options& opts) {
  return read<double>(file, key, opts, H5T_NATIVE_DOUBLE);
}
#else
namespace {
[[noreturn]] void no_hdf5(const std::string& file, const std::string& key) {
  throw InputError("cannot read '" + file + ":" + key + "': this flowrun was built without HDF5 (FLOWRUN_WITH_HDF5=OFF); "
                   "convert the volume to NIfTI or use a build with HDF5");
}
}  // namespace

Volume<float> h5_read_float(const std::string& file, const std::string& key, const H5Options&) { no_hdf5(file, key); }
Volume<double> h5_read_double(const std::string& file, const std::string& key, const H5Options&) { no_hdf5(file, key); }
#endif

}  // namespace flowrun::detail
