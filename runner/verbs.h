// The verbs of the flowrun command line. Each add_* function registers one
// subcommand on the app; its callback does the work and may throw
// InputError (exit 2) or RunError (exit 1), which main() maps to exit codes.
#pragma once

#include <CLI/CLI.hpp>

namespace flowrun {

void add_run_verb(CLI::App& app);
void add_validate_verb(CLI::App& app);
void add_nodes_verb(CLI::App& app);
void add_describe_verb(CLI::App& app);
void add_dot_verb(CLI::App& app);
void add_data_verbs(CLI::App& app);  // synth
void add_eval_verbs(CLI::App& app);  // eval, infer
void add_metrics_verb(CLI::App& app);  // no LibTorch: also in the front end
void add_report_verb(CLI::App& app);   // no LibTorch: also in the front end
void add_sweep_verb(CLI::App& app);    // no LibTorch: spawns flowrun-torch runs

}  // namespace flowrun
