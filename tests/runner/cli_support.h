// Running the flowrun executable from tests: exit code and combined output.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

namespace flowrun::testing {

struct CommandResult {
  int code = -1;
  std::string output;  // stdout and stderr together
};

inline CommandResult run_command(const std::string& cmd) {
  CommandResult r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// flowrun with the test plugins on its plugin path.
inline CommandResult flowrun(const std::string& args) {
  return run_command("FLOWRUN_PLUGIN_PATH=" FLOWRUN_TEST_PLUGIN_DIR " " FLOWRUN_EXE " " + args);
}

inline std::string scratch(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() / ("flowrun_cli_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d.string();
}

inline std::string write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

// graphs/demo.json shrunk for a CPU test: the dataset at `dataset` (a
// synthetic one: `flowrun synth --cases 8 --size 32 32 32`), 4 filters,
// 32x32x16 crops, 2 labelled cases, validation `every` iterations.
inline nlohmann::json tiny_demo(const std::string& source_dir, const std::string& dataset, int iterations, int every) {
  nlohmann::json g = nlohmann::json::parse(std::ifstream(source_dir + "/graphs/demo.json"));
  g.erase("dataset_generator");
  g["dataset"] = dataset;
  g["params"]["iterations"] = iterations;
  for (auto r : {"net1", "net2"}) g["resources"][r]["params"]["n_filters"] = 4;
  for (auto& n : g["nodes"]) {
    if (n["id"] == "sample") n["params"]["labeled_count"] = 2;
    if (n["id"] == "crop") n["params"]["patch"] = {32, 32, 16};
    if (n["id"] == "validate") n["params"].update({{"patch", {32, 32, 16}}, {"stride", {16, 16, 16}}, {"every", every}});
    if (n["id"] == "checkpoint") n["params"]["every"] = every;
  }
  return g;
}

}  // namespace flowrun::testing
