// Running flowrun-torch as a child process from the front end (sweep, report):
// its output goes to a log file, the caller waits for it.
#pragma once

#include <string>
#include <vector>

namespace flowrun {

// Runs flowrun-torch (beside this executable) with `args`, stdout and stderr
// appended to `log`; returns its exit code (128 + the signal when killed).
// RunError when it cannot be started.
int run_flowrun_torch(const std::vector<std::string>& args, const std::string& log);

}  // namespace flowrun
