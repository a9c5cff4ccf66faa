// The flowrun command line end to end: verbs, --help, exit codes (0 ok,
// 2 invalid input, 1 failure while running) and the messages users see.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_support.h"

namespace flowrun {
using testing::flowrun;
using testing::scratch;
using testing::write;

static const char* kGraph = R"({"name": "cli", "plugins": ["testnodes"],
  "nodes": [{"id": "src", "type": "test.source"}, {"id": "work", "type": "test.delay", "params": {"add": 2}},
            {"id": "sink", "type": "test.sink"}],
  "edges": [["src.out", "work.in"], ["work.out", "sink.in"]], "params": {"iterations": 5}})";

class Cli : public ::testing::Test {
 protected:
  std::string dir = scratch(::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::string graph = write(dir + "/g.json", kGraph);
  void expect_contains(const testing::CommandResult& r, const std::string& s) {
    EXPECT_NE(r.output.find(s), std::string::npos) << "output lacks '" << s << "':\n" << r.output;
  }
};

TEST_F(Cli, HelpOnEveryVerb) {
  for (const char* verb : {"", "run", "validate", "nodes", "describe", "dot"}) {
    auto r = flowrun(std::string(verb) + " --help");
    EXPECT_EQ(r.code, 0) << verb << ": " << r.output;
    expect_contains(r, "Usage");
  }
}

TEST_F(Cli, RunIsTheDefaultVerbAndWritesAProfile) {
  auto r = flowrun(graph + " --out " + dir + "/out");
  ASSERT_EQ(r.code, 0) << r.output;
  auto p = nlohmann::json::parse(std::ifstream(dir + "/out/profile.json"));
  EXPECT_EQ(p["nodes"]["work"]["calls"], 5);
  EXPECT_EQ(p["batches"], 5);
}

TEST_F(Cli, ValidateNodesDescribeDot) {
  auto v = flowrun("validate " + graph);
  EXPECT_EQ(v.code, 0) << v.output;
  expect_contains(v, "ok (3 nodes, 2 edges");
  auto n = flowrun("nodes");
  EXPECT_EQ(n.code, 0);
  expect_contains(n, "test.delay");
  expect_contains(n, "libflowrun_testnodes.so");
  auto nj = flowrun("nodes --json");
  ASSERT_EQ(nj.code, 0);
  auto j = nlohmann::json::parse(nj.output.substr(nj.output.find('{')));
  bool found = false;
  for (auto& t : j["nodes"]) found = found || t["type"] == "test.source";
  EXPECT_TRUE(found);
  auto d = flowrun("describe test.delay");
  EXPECT_EQ(d.code, 0);
  expect_contains(d, "sleep_ms : int = 0");
  expect_contains(d, "accepts an integer in [0, 10000]");
  auto dj = flowrun("describe test.delay --json");
  EXPECT_EQ(nlohmann::json::parse(dj.output)["params"][0]["name"], "sleep_ms");
  auto u = flowrun("describe test.dealy");
  EXPECT_EQ(u.code, 2);
  expect_contains(u, "did you mean 'test.delay'");
  flowrun(graph + " --out " + dir + "/out");
  auto dot = flowrun("dot " + graph + " --profile " + dir + "/out/profile.json --set nodes.work.add=3");
  EXPECT_EQ(dot.code, 0) << dot.output;
  expect_contains(dot, "digraph \"cli\"");
  expect_contains(dot, "add = 3");
  expect_contains(dot, "5 calls");
}

TEST_F(Cli, SetOverridesAndUnknownSetPath) {
  EXPECT_EQ(flowrun("validate " + graph + " --set nodes.work.sleep_ms=1 --set params.prefetch=3").code, 0);
  auto r = flowrun("validate " + graph + " --set nodes.work.sleeep=1");
  EXPECT_EQ(r.code, 2);
  expect_contains(r, "--set nodes.work.sleeep=1");
  expect_contains(r, "no parameter 'sleeep'");
  auto r2 = flowrun("validate " + graph + " --set nodes.work.sleep_ms=-4");
  EXPECT_EQ(r2.code, 2);
  expect_contains(r2, "$.nodes[1].params.sleep_ms");
}

TEST_F(Cli, InvalidInputsExitWithTwo) {
  struct Case { std::string text, expect; };
  std::vector<Case> cases = {
      {"{\n \"nodes\": [\n  {\"id\": 1,,}\n]}", "g.json:3:"},
      {"", "empty"},
      {"[1, 2]", "top level must be a JSON object"},
      {R"({"plugins": ["testnodes"], "nodes": [{"id": "a", "type": "test.sourc"}]})", "did you mean 'test.source'"},
      {R"({"plugins": ["nosuch"], "nodes": []})", "plugin 'nosuch' not found"},
      {R"({"plugins": ["badabi"], "nodes": []})", "ABI version 999"},
      {R"({"dataset": "missing.json", "plugins": ["testnodes"], "nodes": [{"id": "a", "type": "test.source"}]})",
       "missing.json' not found"},
  };
  for (auto& c : cases) {
    write(dir + "/g.json", c.text);
    auto r = flowrun("validate " + dir + "/g.json");
    EXPECT_EQ(r.code, 2) << c.text << "\n" << r.output;
    expect_contains(r, c.expect);
  }
  auto missing = flowrun("run " + dir + "/nope.json");
  EXPECT_EQ(missing.code, 2);
  expect_contains(missing, "nope.json: graph file not found");
  EXPECT_EQ(flowrun("validate").code, 2) << "missing argument is a usage error";
  EXPECT_EQ(flowrun("frobnicate --now").code, 2);
}

TEST_F(Cli, FailureWhileRunningExitsWithOneNamingNodeAndBatch) {
  write(dir + "/f.json", R"({"plugins": ["testnodes"],
    "nodes": [{"id": "src", "type": "test.source"}, {"id": "bad", "type": "test.fail", "params": {"fail_at": 3}}],
    "edges": [["src.out", "bad.in"]], "params": {"iterations": 100}})");
  auto r = flowrun(dir + "/f.json --out " + dir + "/out");
  EXPECT_EQ(r.code, 1) << r.output;
  expect_contains(r, "node 'bad'");
  expect_contains(r, "batch 3");
}

}  // namespace flowrun
