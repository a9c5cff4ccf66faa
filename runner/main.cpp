// flowrun: command-line entry point. `flowrun GRAPH.json` is `flowrun run GRAPH.json`.
#include <algorithm>
#include <csignal>
#include <cstring>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "lib/torch/cpu_settings.h"
#include "runner/verbs.h"

int main(int argc, char** argv) {
  flowrun::tune_malloc_for_tensors();
  // A file-size limit (ulimit -f, RLIMIT_FSIZE) then fails the write with
  // EFBIG, handled like a full disk, instead of killing the process.
  std::signal(SIGXFSZ, SIG_IGN);
  // Output piped into a reader that went away (`| head`, a dead `tee`) then
  // fails a write instead of killing a run before it saves.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"flowrun: train semi-supervised 3D segmentation models from JSON-declared flow graphs.\n"
               "`flowrun GRAPH.json` runs a graph (same as `flowrun run GRAPH.json`)."};
  app.require_subcommand(1);
  flowrun::add_run_verb(app);
  flowrun::add_validate_verb(app);
  flowrun::add_nodes_verb(app);
  flowrun::add_describe_verb(app);
  flowrun::add_dot_verb(app);
  flowrun::add_data_verbs(app);
  flowrun::add_eval_verbs(app);

  // A first argument that is no verb and no flag is a graph to run.
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0][0] != '-') {
    bool is_verb = false;
    for (auto* sub : app.get_subcommands([](CLI::App*) { return true; })) is_verb = is_verb || sub->check_name(args[0]);
    if (!is_verb) args.insert(args.begin(), "run");
  }
  std::reverse(args.begin(), args.end());
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return flowrun::kExitInvalidInput;
  } catch (const flowrun::InputError& e) {
    std::cerr << "flowrun: error: " << e.what() << "\n";
    return flowrun::kExitInvalidInput;
  } catch (const flowrun::RunError& e) {
    std::cerr << "flowrun: failed: " << flowrun::error_text(e) << "\n";
    return flowrun::kExitRunFailure;
  } catch (const std::exception& e) {
    std::cerr << "flowrun: failed: " << flowrun::error_text(e) << "\n";
    return flowrun::kExitRunFailure;
  }
  return flowrun::kExitOk;
}
