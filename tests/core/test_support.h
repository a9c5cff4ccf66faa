// Shared helpers for the core tests: a registry with the test plugin loaded,
// graphs from JSON text, and expectations on error messages.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/expect_error.h"
#include "core/error.h"
#include "core/graph_spec.h"
#include "core/graph_validation.h"
#include "core/plugin_loader.h"
#include "core/registry.h"

namespace flowrun::testing {

struct TestRegistry {
  Registry registry;
  PluginLoader loader{registry};
  TestRegistry() { loader.load(FLOWRUN_TEST_PLUGIN); }
};

inline ValidatedGraph validated(const Registry& r, const std::string& text, const std::string& file = "mem.json") {
  return validate_graph(parse_graph(nlohmann::json::parse(text), file), r);
}

inline std::string temp_dir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() / ("flowrun_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d.string();
}

inline std::string write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

using flowrun::test_support::expect_error;

}  // namespace flowrun::testing
