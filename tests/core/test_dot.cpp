// dot export: ids, types, non-default params, port names, profile annotations.
#include "core/dot_export.h"
#include "test_support.h"

namespace flowrun {

TEST(Dot, DrawsTheGraphAsDeclared) {
  testing::TestRegistry t;
  ValidatedGraph g = testing::validated(t.registry, R"({"name": "demo",
      "nodes": [{"id": "src", "type": "test.source"}, {"id": "d", "type": "test.delay", "params": {"add": 3}},
      {"id": "acc", "type": "test.accumulate"}],
      "edges": [["src.out", "d.in"], ["d.out", "acc.in"], {"from": "acc.out", "to": "acc.prev", "back": true}]})");
  std::string dot = graph_to_dot(g, t.registry);
  EXPECT_NE(dot.find("digraph \"demo\""), std::string::npos);
  EXPECT_NE(dot.find("\"d\" [label=\"d\\ntest.delay\\nadd = 3\""), std::string::npos) << dot;
  EXPECT_EQ(dot.find("sleep_ms"), std::string::npos) << "default params are left out";
  EXPECT_NE(dot.find("\"src\" -> \"d\" [label=\"out -> in\"]"), std::string::npos);
  EXPECT_NE(dot.find("style=dashed"), std::string::npos) << "back edge drawn dashed";
  nlohmann::json prof = {{"nodes", {{"d", {{"calls", 7}, {"busy_seconds", 1.5}, {"mean_ms", 214.3}}}}}};
  std::string annotated = graph_to_dot(g, t.registry, prof);
  EXPECT_NE(annotated.find("7 calls, 1.500 s busy (214.3 ms/call)"), std::string::npos) << annotated;
}

}  // namespace flowrun
