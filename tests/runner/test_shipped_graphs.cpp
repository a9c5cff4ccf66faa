// The shipped graphs: every one validates without writing anything; each
// expands to exactly the graph it was in format version 1
// (data/shipped_graphs_v1.jsonl, recorded before they were rewritten with
// extends and chain); the demo trains alike in both forms; the parameters
// nodes declare must agree are checked across nodes; docs/nodes.md is current.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli_support.h"

namespace flowrun {
using nlohmann::json;
namespace fs = std::filesystem;

static testing::CommandResult fr(const std::string& args) { return testing::run_command(std::string(FLOWRUN_EXE) + " " + args); }

namespace {

std::vector<fs::path> shipped_graphs() {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(FLOWRUN_SOURCE_DIR) / "graphs"))
    if (e.path().extension() == ".json" && e.path().parent_path().filename() != "datasets") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// What decides behaviour: everything but prose, with nodes by id and edges
// as a set (their order in the file changes nothing).
json canonical(json d) {
  d.erase("$schema");
  d.erase("doc");
  for (auto& n : d["nodes"]) n.erase("doc");
  std::sort(d["nodes"].begin(), d["nodes"].end(), [](const json& a, const json& b) { return a["id"] < b["id"]; });
  std::vector<std::string> edges;
  for (auto& e : d["edges"]) edges.push_back(e.dump());
  std::sort(edges.begin(), edges.end());
  d["edges"] = edges;
  return d;
}

}  // namespace

// Validation is read-only: a graph whose synthetic dataset does not exist yet
// validates with a note and generates nothing.
TEST(ShippedGraphs, AllValidateWithoutWritingData) {
  int checked = 0;
  for (const fs::path& f : shipped_graphs()) {
    // Their datasets (BraTS, Pancreas, all 100 LA volumes) are not on every
    // machine: the files are the one thing not checked here.
    const auto r = fr("validate --no-file-check " + f.string());
    EXPECT_EQ(r.code, 0) << f << ":\n" << r.output;
    ++checked;
  }
  EXPECT_GE(checked, 25) << "graphs/ moved?";

  const std::string dir = testing::scratch("shipped_graphs_readonly");
  fs::create_directories(dir + "/graphs");
  fs::copy_file(fs::path(FLOWRUN_SOURCE_DIR) / "graphs/demo.json", dir + "/graphs/demo.json");
  for (const char* verb : {"validate", "dot"}) {
    const auto r = fr(std::string(verb) + " " + dir + "/graphs/demo.json");
    EXPECT_EQ(r.code, 0) << r.output;
    EXPECT_FALSE(fs::exists(dir + "/data")) << verb << " wrote the demo's dataset";
  }
  EXPECT_NE(fr("validate " + dir + "/graphs/demo.json").output.find("does not exist yet"), std::string::npos);
}

TEST(ShippedGraphs, ExpandToTheirVersionOneGraphs) {
  std::ifstream in(std::string(FLOWRUN_SOURCE_DIR) + "/tests/runner/data/shipped_graphs_v1.jsonl");
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    const json rec = json::parse(line);
    const std::string file = std::string(FLOWRUN_SOURCE_DIR) + "/" + rec["graph"].get<std::string>();
    const auto r = fr("validate --no-file-check --print " + file);
    ASSERT_EQ(r.code, 0) << file << ":\n" << r.output;
    const json now = json::parse(r.output.substr(r.output.find('{')));
    EXPECT_EQ(canonical(now), canonical(rec["expanded"]))
        << rec["graph"] << " no longer expands to its recorded version-1 graph; `flowrun validate --print "
        << rec["graph"] << "` shows it expanded";
    ++checked;
  }
  EXPECT_GE(checked, 31);
  EXPECT_EQ(checked, static_cast<int>(shipped_graphs().size())) << "a shipped graph without a record, or the reverse";
}

// The demo in version 2 and its recorded version-1 form train alike: the
// same loss terms on the first iterations, one thread, same seed.
TEST(ShippedGraphs, DemoTrainsAlikeInBothFormats) {
  const std::string dir = testing::scratch("shipped_graphs_demo");
  fs::create_directories(dir + "/graphs");
  json v1;
  std::ifstream in(std::string(FLOWRUN_SOURCE_DIR) + "/tests/runner/data/shipped_graphs_v1.jsonl");
  for (std::string line; std::getline(in, line);) {
    const json rec = json::parse(line);
    if (rec["graph"] == "graphs/demo.json") v1 = rec["expanded"];
  }
  ASSERT_TRUE(v1.is_object());
  v1["flowrun"] = 1;
  std::ofstream(dir + "/graphs/demo_v1.json") << v1.dump(1);
  fs::copy_file(fs::path(FLOWRUN_SOURCE_DIR) / "graphs/demo.json", dir + "/graphs/demo_v2.json");
  const std::string small =
      " --set params.iterations=3 --set params.threads=1 --set params.torch_threads=1 --set nodes.validate.test_at_end=false"
      " --set nodes.validate.every=1000 --set nodes.checkpoint.every=1000 --set resources.net1.n_filters=4"
      " --set resources.net2.n_filters=4 --set nodes.crop.patch=[32,32,16]";
  std::vector<std::vector<json>> logs;
  for (const char* form : {"v1", "v2"}) {
    const std::string out = dir + "/run_" + form;
    const auto r = fr("run " + dir + "/graphs/demo_" + form + ".json" + small + " --out " + out);
    ASSERT_EQ(r.code, 0) << r.output;
    std::vector<json> lines;
    std::ifstream log(out + "/log.jsonl");
    for (std::string l; std::getline(log, l);) lines.push_back(json::parse(l));
    logs.push_back(lines);
  }
  ASSERT_EQ(logs[0].size(), 3u);
  ASSERT_EQ(logs[1].size(), 3u);
  for (size_t i = 0; i < 3; ++i)
    for (const char* k : {"total", "sup1", "sup2", "fix1", "fix2", "dyn1", "dyn2", "w", "lr"})
      EXPECT_EQ(logs[0][i][k], logs[1][i][k]) << "iteration " << i << " term " << k;
}

TEST(ShippedGraphs, NodesThatMustAgreeAreChecked) {
  const std::string g = std::string(FLOWRUN_SOURCE_DIR) + "/graphs/";
  auto r = fr("validate " + g + "la_5.json --set nodes.loss.dynamic=false");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("node 'pseudo' has dynamic = true but node 'loss' (cotwin.loss"), std::string::npos) << r.output;
  r = fr("validate " + g + "recipes/la_half_cotwin.json --set nodes.validate.normalize=none");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("node 'validate' has normalize = \"none\" but node 'normalize' (data.normalize"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(fr("validate --no-file-check " + g + "baselines/la_5_cps.json").code, 0);  // false on both sides
}

// docs/nodes.md is generated from the schemas; a change to any node type's
// contract must regenerate it.
TEST(ShippedGraphs, NodeReferenceIsCurrent) {
  const auto r = fr("nodes --markdown");
  ASSERT_EQ(r.code, 0) << r.output;
  const std::string now = r.output.substr(r.output.find("# Node and resource types"));
  std::ifstream in(std::string(FLOWRUN_SOURCE_DIR) + "/docs/nodes.md");
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(now == doc) << "docs/nodes.md is stale: regenerate it with `flowrun nodes --markdown > docs/nodes.md`";
}

}  // namespace flowrun
