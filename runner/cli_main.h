// The command line's common part for both executables (flowrun and
// flowrun-torch): process settings every verb wants, the `flowrun GRAPH.json`
// shorthand, parsing, and the mapping of errors to exit codes (2 invalid
// input, 1 failure while running).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace flowrun {

// SIGXFSZ and SIGPIPE ignored: a file-size limit or a vanished reader then
// fails a write (handled like a full disk) instead of killing the process.
void ignore_write_signals();

// "flowrun 0.1.0 (plugin ABI 3; LibTorch 1.13, ...)": what `--version` prints.
std::string version_text();

// flowrun-torch, in the folder of the running executable.
std::string torch_executable();

// Parses args (without the program name) with app's verbs and runs the chosen
// one; a first argument that is no verb and no flag is a graph to run;
// `--version` prints version_text().
// Returns the exit status.
int run_cli(CLI::App& app, std::vector<std::string> args);

}  // namespace flowrun
