// flowrun: the command users type. Loading LibTorch and its 300 shared
// libraries costs most of a second before main() runs, so this front end
// links none of it: the verbs that need no tensors run here (`metrics`, and
// `nodes`, `describe`, `validate`, `dot` when every plugin they load ships a
// contract library), as do the verb list (`--help`) and `--version`. Every
// other command line executes flowrun-torch, which lies next to this
// program, with the same arguments (same process id, environment and
// signals, so Ctrl-C, exit codes and pipes behave as if it were one program).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/plugin_loader.h"
#include "runner/cli_main.h"
#include "runner/verb_docs.h"
#include "runner/verbs.h"

namespace {

bool runs_here(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "--version") return true;
  for (const flowrun::VerbDoc& v : flowrun::kVerbs)
    if (args[0] == v.name) return v.home != flowrun::VerbHome::torch;
  return false;  // a torch verb, or a graph file (`flowrun GRAPH.json` runs it)
}

int run_here(const std::vector<std::string>& args) {
  using flowrun::VerbHome;
  flowrun::ignore_write_signals();
  CLI::App app{flowrun::kAppDoc};
  for (const flowrun::VerbDoc& v : flowrun::kVerbs) {
    const std::string_view name = v.name;
    if (v.home == VerbHome::torch) app.add_subcommand(v.name, v.doc)->allow_extras();  // listed only
    else if (name == "metrics") flowrun::add_metrics_verb(app);
    else if (name == "report") flowrun::add_report_verb(app);
    else if (name == "sweep") flowrun::add_sweep_verb(app);
    else if (name == "validate") flowrun::add_validate_verb(app);
    else if (name == "nodes") flowrun::add_nodes_verb(app);
    else if (name == "describe") flowrun::add_describe_verb(app);
    else if (name == "dot") flowrun::add_dot_verb(app);
  }
  return flowrun::run_cli(app, args);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (runs_here(args)) {
    try {
      return run_here(args);
    } catch (const flowrun::ContractUnavailable&) {
      // A plugin without a contract library: nothing was printed yet (the
      // plugins load before any output), so flowrun-torch starts afresh.
    }
  }
  const std::string exe = flowrun::torch_executable();
  ::execv(exe.c_str(), argv);
  std::cerr << "flowrun: failed: cannot start " << exe << ": " << std::strerror(errno)
            << " (it is installed next to flowrun)\n";
  return flowrun::kExitRunFailure;
}
