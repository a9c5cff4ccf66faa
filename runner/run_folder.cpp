// Run output folders: the refusal to overwrite, and the writer lock.
#include "runner/run_folder.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace fs = std::filesystem;

namespace flowrun {

void check_run_folder(const std::string& dir, bool resuming, bool force) {
  if (resuming || force) return;
  std::error_code ec;
  for (const char* f : {"checkpoints", "log.jsonl", "summary.json", "profile.json"})
    if (fs::exists(fs::path(dir) / f, ec))
      throw InputError(dir + ": holds a previous run (" + f + "); continue it with --resume " + dir +
                       ", write elsewhere with --out DIR, or replace it with --force");
}

namespace {

pid_t lock_owner(const std::string& file) {
  std::ifstream in(file);
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return 0;
  return static_cast<pid_t>(pid);
}

}  // namespace

RunFolderLock::RunFolderLock(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw RunError("cannot create the output folder " + dir + ": " + ec.message());
  file_ = (fs::path(dir) / ".flowrun.lock").string();
  for (int attempt = 0; attempt < 2; ++attempt) {
    const int fd = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      const std::string pid = std::to_string(::getpid()) + "\n";
      const bool ok = ::write(fd, pid.data(), pid.size()) == static_cast<ssize_t>(pid.size());
      ::close(fd);
      if (!ok) throw RunError("cannot write " + file_ + ": " + std::strerror(errno));
      return;
    }
    if (errno != EEXIST) throw RunError("cannot create " + file_ + ": " + std::strerror(errno));
    const pid_t owner = lock_owner(file_);
    if (owner > 0 && owner != ::getpid() && !(::kill(owner, 0) != 0 && errno == ESRCH))
      throw InputError(dir + ": another flowrun (pid " + std::to_string(owner) +
                       ") is writing this folder; wait for it or use another --out");
    fs::remove(file_, ec);  // left by a process that is gone: take it over
  }
  throw InputError(dir + ": cannot take the lock " + file_ + " (another flowrun took it meanwhile)");
}

RunFolderLock::~RunFolderLock() {
  if (file_.empty()) return;
  std::error_code ec;
  if (lock_owner(file_) == ::getpid()) fs::remove(file_, ec);
}

}  // namespace flowrun
