// The output folder of a run: what `flowrun run` does when it already holds
// a run (refuse unless --resume or --force, never replace silently), and a
// lock so two runs cannot write one folder at once.
#pragma once

#include <string>

namespace flowrun {

// InputError when `dir` holds a previous run's files (checkpoints/, log.jsonl,
// summary.json, profile.json) and neither resuming nor forcing.
void check_run_folder(const std::string& dir, bool resuming, bool force);

// Held for a run's lifetime: creates DIR/.flowrun.lock with this pid; another
// live flowrun holding it is an InputError naming its pid. A lock left by a
// dead process is taken over.
class RunFolderLock {
 public:
  explicit RunFolderLock(const std::string& dir);
  ~RunFolderLock();
  RunFolderLock(const RunFolderLock&) = delete;
  RunFolderLock& operator=(const RunFolderLock&) = delete;

 private:
  std::string file_;
};

}  // namespace flowrun
