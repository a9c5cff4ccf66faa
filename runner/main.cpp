// flowrun-torch: every verb of the command line, LibTorch and plugins loaded.
// Users type `flowrun`, whose front end (front_main.cpp) runs the verbs that
// need no LibTorch itself and executes this program for all others, with the
// same arguments. `flowrun GRAPH.json` is `flowrun run GRAPH.json`.
#include <string>
#include <vector>

#include "lib/torch/cpu_settings.h"
#include "runner/cli_main.h"
#include "runner/verb_docs.h"
#include "runner/verbs.h"

int main(int argc, char** argv) {
  flowrun::tune_malloc_for_tensors();
  flowrun::ignore_write_signals();
  CLI::App app{flowrun::kAppDoc};
  flowrun::add_run_verb(app);
  flowrun::add_validate_verb(app);
  flowrun::add_nodes_verb(app);
  flowrun::add_describe_verb(app);
  flowrun::add_dot_verb(app);
  flowrun::add_data_verbs(app);
  flowrun::add_eval_verbs(app);
  flowrun::add_metrics_verb(app);
  flowrun::add_report_verb(app);
  flowrun::add_sweep_verb(app);
  return flowrun::run_cli(app, std::vector<std::string>(argv + 1, argv + argc));
}
