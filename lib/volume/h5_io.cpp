// HDF5 volume reading through a helper process, flowrun-h5-read
// (h5_reader_main.cpp). libhdf5 (1.10) dereferences null on some corrupt
// files (found by fuzzing: H5Dopen2 -> H5G__stab_lookup -> H5HL_protect)
// before any check of ours can run, and a crash there must not end a training
// run: the helper makes every HDF5 call and a helper killed by a signal
// becomes an InputError naming the file. It is started with posix_spawn (no
// copy of the trainer's address space): forking the trainer itself cost
// about 0.1 s per volume and left its heap copy-on-write, which slowed the
// next V-Net forward by a quarter (docs/results.md). Each read is a fresh
// process, so no lock is needed against the load nodes' concurrent reads
// (Debian's libhdf5 is not thread-safe). A build without HDF5
// (FLOWRUN_WITH_HDF5=OFF, the GPU machine's) recognises .h5 paths and says it
// cannot read them.
#include "lib/volume/h5_io.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "core/error.h"
#include "lib/volume/h5_reply.h"

extern char** environ;

namespace flowrun::detail {
namespace fs = std::filesystem;

#if FLOWRUN_WITH_HDF5
namespace {

constexpr const char* kReaderName = "flowrun-h5-read";

// FLOWRUN_H5_READER, else next to the running executable, else in the
// libexec folder of an install, else where this build tree or the configured
// install prefix put it.
std::string find_reader() {
  std::vector<fs::path> candidates;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path() / kReaderName);
    candidates.push_back(exe.parent_path().parent_path() / "libexec/flowrun" / kReaderName);
  }
  candidates.push_back(FLOWRUN_H5_READER_BUILD_PATH);
  candidates.push_back(FLOWRUN_H5_READER_INSTALL_PATH);
  for (const auto& c : candidates)
    if (::access(c.c_str(), X_OK) == 0) return c.string();
  std::string tried;
  for (const auto& c : candidates) tried += (tried.empty() ? "" : ", ") + c.string();
  throw RunError(std::string("cannot read HDF5 volumes: the helper ") + kReaderName + " was not found (tried " + tried +
                 "; set FLOWRUN_H5_READER to its path)");
}

std::string reader_path() {
  if (const char* env = std::getenv("FLOWRUN_H5_READER"); env && *env) return env;
  static const std::string found = find_reader();
  return found;
}

// Closes the descriptors of a spawn, whatever happens.
struct SpawnFds {
  int fds[2] = {-1, -1};
  ~SpawnFds() {
    for (int fd : fds)
      if (fd >= 0) ::close(fd);
  }
};

template <class T>
Volume<T> read(const std::string& file, const std::string& key, const H5Options& opts, const std::string& type,
               const std::string& label_name = "") {
  const std::string reader = reader_path();
  SpawnFds pipe;
  if (::pipe2(pipe.fds, O_CLOEXEC) != 0) throw RunError("reading '" + file + "': pipe: " + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe.fds[1], 1);
  std::vector<std::string> args = {reader, file, key, type, opts.axis_order};
  if (type == "label") args.push_back(label_name);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, reader.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    throw RunError("reading '" + file + "': cannot start the HDF5 reader " + reader + ": " + std::strerror(rc) +
                   " (FLOWRUN_H5_READER names another)");
  ::close(pipe.fds[1]);
  pipe.fds[1] = -1;

  const int in = pipe.fds[0];
  auto status = static_cast<H5ReplyStatus>(255);
  Volume<T> v;
  std::string message;
  bool complete = read_all(in, &status, 1);
  if (complete && status == H5ReplyStatus::kVolume) {
    complete = read_all(in, v.size.data(), sizeof v.size);
    int64_t count = 1;
    for (int64_t d : v.size) complete = complete && d > 0 && !__builtin_mul_overflow(count, d, &count);
    if (complete) {
      v.data.resize(size_t(count));
      complete = read_all(in, v.data.data(), v.data.size() * sizeof(T));
    }
    v.geometry.spacing_known = false;
  } else if (complete) {
    uint64_t n = 0;
    complete = read_all(in, &n, sizeof n) && n < (1u << 20);
    if (complete) {
      message.resize(n);
      complete = read_all(in, message.data(), n);
    }
  }
  ::close(in);
  pipe.fds[0] = -1;
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(wstatus))
    throw InputError("cannot read '" + file + ":" + key + "': the HDF5 library crashed on it (signal " +
                     std::to_string(WTERMSIG(wstatus)) + "); the file is corrupt");
  if (!complete || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
    throw RunError("reading '" + file + ":" + key + "': the HDF5 reader " + reader + " failed (exit status " +
                   std::to_string(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1) + ")");
  if (status == H5ReplyStatus::kInputError) throw InputError(message);
  if (status != H5ReplyStatus::kVolume) throw RunError("reading '" + file + ":" + key + "': " + message);
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
  return read<float>(file, key, opts, "float");
}

LabelVolume h5_read_label(const std::string& file, const std::string& key, const H5Options& opts,
                          const std::string& name) {
  return read<uint8_t>(file, key, opts, "label", name);
}
#else
namespace {
[[noreturn]] void no_hdf5(const std::string& file, const std::string& key) {
  throw InputError("cannot read '" + file + ":" + key + "': this flowrun was built without HDF5 (FLOWRUN_WITH_HDF5=OFF); "
                   "convert the volume to NIfTI or use a build with HDF5");
}
}  // namespace

Volume<float> h5_read_float(const std::string& file, const std::string& key, const H5Options&) { no_hdf5(file, key); }
LabelVolume h5_read_label(const std::string& file, const std::string& key, const H5Options&, const std::string&) {
  no_hdf5(file, key);
}
#endif

}  // namespace flowrun::detail
