// flowrun: the command users type. Loading LibTorch and its 300 shared
// libraries costs about a third of a second before main() runs, so this front
// end links none of it: the verbs that need no tensors (`metrics`), the
// verb list (`--help`) and `--version` run here, and every other command
// line executes flowrun-torch, which lies next to
// this program, with the same arguments (same process id, environment and
// signals, so Ctrl-C, exit codes and pipes behave as if it were one program).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "core/error.h"
#include "runner/cli_main.h"
#include "runner/verb_docs.h"
#include "runner/verbs.h"

namespace {

std::string torch_executable() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  std::string dir = ".";
  if (n > 0) {
    const std::string self(buf, size_t(n));
    const size_t slash = self.rfind('/');
    if (slash != std::string::npos) dir = self.substr(0, slash);
  }
  return dir + "/flowrun-torch";
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const bool listing = args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "--version";
  if (listing || args[0] == "metrics") {
    flowrun::ignore_write_signals();
    CLI::App app{flowrun::kAppDoc};
    // The other verbs as names and lines only, for the list: a command line
    // that names one never gets here.
    for (const flowrun::VerbDoc& v : flowrun::kVerbs) {
      if (v.needs_torch) app.add_subcommand(v.name, v.doc)->allow_extras();
      else flowrun::add_metrics_verb(app);  // the one verb the front end runs
    }
    return flowrun::run_cli(app, args);
  }
  const std::string exe = torch_executable();
  ::execv(exe.c_str(), argv);
  std::cerr << "flowrun: failed: cannot start " << exe << ": " << std::strerror(errno)
            << " (it is installed next to flowrun)\n";
  return flowrun::kExitRunFailure;
}
