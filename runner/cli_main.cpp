// Parsing, the graph shorthand and exit codes shared by both executables.
#include "runner/cli_main.h"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <iostream>

#include "core/error.h"
#include "core/plugin_api.h"

namespace flowrun {

void ignore_write_signals() {
  std::signal(SIGXFSZ, SIG_IGN);
  std::signal(SIGPIPE, SIG_IGN);
}

std::string version_text() {
  return std::string("flowrun ") + FLOWRUN_VERSION + " (plugin ABI " + std::to_string(FLOWRUN_ABI_VERSION) +
         "; built with LibTorch " + FLOWRUN_TORCH_VERSION_TEXT + ", " + FLOWRUN_BUILD_TYPE + ")";
}

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

int run_cli(CLI::App& app, std::vector<std::string> args) {
  app.name("flowrun");
  app.set_version_flag("--version", version_text(), "print flowrun's version and the LibTorch it was built with");
  app.require_subcommand(1);
  if (!args.empty() && !args[0].empty() && args[0][0] != '-') {
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
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitInvalidInput;
  } catch (const InputError& e) {
    std::cerr << "flowrun: error: " << e.what() << "\n";
    return kExitInvalidInput;
  } catch (const RunError& e) {
    std::cerr << "flowrun: failed: " << error_text(e) << "\n";
    return kExitRunFailure;
  } catch (const std::exception& e) {
    std::cerr << "flowrun: failed: " << error_text(e) << "\n";
    return kExitRunFailure;
  }
  return kExitOk;
}

}  // namespace flowrun
