// Graph format version 2: the chain shorthand and extends, expanded into
// version 1, and every way a version-2 document can be wrong.
#include "core/graph_document.h"

#include <filesystem>

#include "core/graph_validation.h"
#include "test_support.h"

namespace flowrun {
using nlohmann::json;
using testing::expect_error;

namespace {

json expand(const std::string& text, const std::string& file = "") {
  return expand_graph_document(json::parse(text), file);
}

json edges_of(const json& doc) { return doc.at("edges"); }

}  // namespace

TEST(GraphDocument, VersionOnePassesThroughUnchanged) {
  const json v1 = json::parse(R"({"nodes": [{"id": "a", "type": "t"}], "edges": [["a.out", "b.in"]]})");
  EXPECT_EQ(expand_graph_document(v1, ""), v1);
  expect_error<InputError>([] { expand(R"({"flowrun": 1, "chain": "a ! b", "nodes": []})", "/g/x.json"); },
                           {"/g/x.json: $.chain", "needs graph format version 2"});
  expect_error<InputError>([] { expand(R"({"extends": "b.json", "nodes": []})", "/g/x.json"); },
                           {"$.extends", "\"flowrun\": 2"});
}

TEST(GraphDocument, ChainWiresOutToInAndKeepsExplicitEdges) {
  const json d = expand(R"({"flowrun": 2, "nodes": [], "chain": "src ! d ! sink",
                            "edges": [{"from": "sink.out", "to": "d.back", "back": true}]})");
  EXPECT_EQ(d["flowrun"], 1);
  EXPECT_FALSE(d.contains("chain"));
  EXPECT_EQ(edges_of(d), json::parse(R"([["src.out", "d.in"], ["d.out", "sink.in"],
                                          {"from": "sink.out", "to": "d.back", "back": true}])"));
  // Several chains; ports on the ends; spaces around '!' are optional.
  const json p = expand(R"({"flowrun": 2, "nodes": [], "chain": ["a.left ! b", "a.right!c!d.side"]})");
  EXPECT_EQ(edges_of(p), json::parse(R"([["a.left", "b.in"], ["a.right", "c.in"], ["c.out", "d.side"]])"));
}

TEST(GraphDocument, ChainValidatesAsTheSameGraphInVersionOne) {
  testing::TestRegistry t;
  const ValidatedGraph v2 = testing::validated(t.registry, R"({"flowrun": 2, "params": {"iterations": 3},
    "nodes": [{"id": "src", "type": "test.source"}, {"id": "d", "type": "test.delay"}, {"id": "sink", "type": "test.sink"}],
    "chain": "src ! d ! sink"})");
  EXPECT_EQ(v2.topo_order, (std::vector<std::string>{"src", "d", "sink"}));
  ASSERT_EQ(v2.spec.edges.size(), 2u);
  EXPECT_EQ(v2.spec.edges[1].from.node, "d");
  EXPECT_EQ(v2.spec.edges[1].to.port, "in");
}

TEST(GraphDocument, BadChainsNameThePathAndElement) {
  const std::string f = "/g/x.json";
  expect_error<InputError>([&] { expand(R"({"flowrun": 2, "nodes": [], "chain": "a"})", f); },
                           {"/g/x.json: $.chain", "at least two nodes"});
  expect_error<InputError>([&] { expand(R"({"flowrun": 2, "nodes": [], "chain": "a ! ! b"})", f); },
                           {"$.chain", "element 2", "empty"});
  expect_error<InputError>([&] { expand(R"({"flowrun": 2, "nodes": [], "chain": "a ! b.x ! c"})", f); },
                           {"$.chain", "'b.x'", "first element", "last"});
  expect_error<InputError>([&] { expand(R"({"flowrun": 2, "nodes": [], "chain": ["a ! b", 3]})", f); },
                           {"$.chain[1]", "chain string"});
  expect_error<InputError>([&] { expand(R"({"flowrun": 2, "nodes": [], "chain": {"a": "b"}})", f); },
                           {"$.chain", "a ! b ! c"});
  expect_error<InputError>([&] { expand(R"({"flowrun": 2, "nodes": [], "chain": ["a ! b", "c ! d e"]})", f); },
                           {"$.chain[1]", "'d e'"});
}

class Extends : public ::testing::Test {
 protected:
  std::string dir = testing::temp_dir("extends");
  std::string file(const std::string& name, const std::string& text) { return testing::write_file(dir + "/" + name, text); }
  json expand_file(const std::string& path) { return expand_graph_document(read_json_file(path), path); }
};

TEST_F(Extends, MergesParamsResourcesAndNodesAndRebasesTheDataset) {
  std::filesystem::create_directories(dir + "/sub");
  file("base.json", R"({"flowrun": 2, "name": "base", "dataset": "data/ds.json",
    "params": {"seed": 1, "iterations": 10, "prefetch": 3},
    "resources": {"net": {"type": "m", "params": {"width": 8, "depth": 2}}},
    "nodes": [{"id": "src", "type": "s", "params": {"n": 1}}, {"id": "mid", "type": "m1", "params": {"k": 1, "j": 2}},
              {"id": "old", "type": "o"}, {"id": "sink", "type": "k", "concurrency": 2}],
    "chain": "src ! mid ! old ! sink",
    "edges": [{"from": "sink.out", "to": "src.back", "back": true}]})");
  const std::string derived = file("sub/derived.json", R"({"flowrun": 2, "name": "derived", "extends": "../base.json",
    "params": {"iterations": 20, "prefetch": null},
    "resources": {"net": {"params": {"width": 16}}},
    "nodes": [{"id": "src", "params": {"n": 2}}, {"id": "mid", "type": "m2", "params": {"q": 5}},
              {"id": "old", "remove": true}, {"id": "extra", "type": "e"}],
    "chain": "src ! mid ! extra ! sink"})");
  const json d = expand_file(derived);
  EXPECT_EQ(d["name"], "derived");
  EXPECT_EQ(d["dataset"], "../data/ds.json");  // the base's folder, seen from sub/
  EXPECT_EQ(d["params"], json::parse(R"({"seed": 1, "iterations": 20})"));
  EXPECT_EQ(d["resources"]["net"], json::parse(R"({"type": "m", "params": {"width": 16, "depth": 2}})"));
  EXPECT_EQ(d["nodes"], json::parse(R"([{"id": "src", "type": "s", "params": {"n": 2}},
    {"id": "mid", "type": "m2", "params": {"q": 5}}, {"id": "sink", "type": "k", "concurrency": 2},
    {"id": "extra", "type": "e"}])"));
  EXPECT_EQ(edges_of(d), json::parse(R"([["src.out", "mid.in"], ["mid.out", "extra.in"], ["extra.out", "sink.in"],
    {"from": "sink.out", "to": "src.back", "back": true}])"));

  // A third level inherits chain and edges, and the rebased dataset.
  const std::string third = file("sub/third.json", R"({"flowrun": 2, "extends": "derived.json", "name": "third",
    "nodes": [{"id": "extra", "params": {"z": 1}}]})");
  const json t = expand_file(third);
  EXPECT_EQ(t["dataset"], "../data/ds.json");
  EXPECT_EQ(edges_of(t), edges_of(d));
  EXPECT_EQ(t["nodes"][3], json::parse(R"({"id": "extra", "type": "e", "params": {"z": 1}})"));
}

TEST_F(Extends, AVersionOneBaseWorksAndItsEdgesAreInherited) {
  file("v1.json", R"({"nodes": [{"id": "a", "type": "t"}, {"id": "b", "type": "t"}], "edges": [["a.out", "b.in"]]})");
  const json d = expand_file(file("d.json", R"({"flowrun": 2, "extends": "v1.json", "nodes": [{"id": "b", "params": {"x": 1}}]})"));
  EXPECT_EQ(edges_of(d), json::parse(R"([["a.out", "b.in"]])"));
  EXPECT_EQ(d["nodes"][1]["params"]["x"], 1);
}

TEST_F(Extends, ErrorsNameTheFileAndPath) {
  file("loop_a.json", R"({"flowrun": 2, "extends": "loop_b.json"})");
  const std::string b = file("loop_b.json", R"({"flowrun": 2, "extends": "loop_a.json"})");
  expect_error<InputError>([&] { expand_file(b); }, {"loop_a.json: $.extends", "loop of extends"});

  const std::string missing = file("missing.json", R"({"flowrun": 2, "extends": "nope.json"})");
  expect_error<InputError>([&] { expand_file(missing); }, {"missing.json: $.extends", "nope.json", "not found"});

  file("base.json", R"({"flowrun": 2, "nodes": [{"id": "a", "type": "t"}, {"id": "b", "type": "t"}], "chain": "a ! b"})");
  expect_error<InputError>(
      [&] { expand_file(file("rm.json", R"({"flowrun": 2, "extends": "base.json", "nodes": [{"id": "b", "remove": true}]})")); },
      {"rm.json: $.nodes", "node 'b' is removed", "own \"chain\""});
  expect_error<InputError>(
      [&] { expand_file(file("rm2.json", R"({"flowrun": 2, "extends": "base.json", "nodes": [{"id": "zz", "remove": true}]})")); },
      {"rm2.json: $.nodes[0]", "no node 'zz'"});
  expect_error<InputError>(
      [&] { expand_file(file("rm3.json", R"({"flowrun": 2, "extends": "base.json", "nodes": [{"id": "a", "remove": 1}]})")); },
      {"rm3.json: $.nodes[0]", "\"remove\": true"});
  expect_error<InputError>(
      [&] { expand_file(file("p.json", R"({"flowrun": 2, "extends": "base.json", "params": [1]})")); },
      {"p.json: $.params", "expected an object"});
  expect_error<InputError>(
      [&] { expand_file(file("n.json", R"({"flowrun": 2, "extends": "base.json", "nodes": [{"params": {}}]})")); },
      {"n.json: $.nodes[0]", "\"id\""});
  expect_error<InputError>([&] { expand(R"({"flowrun": 2, "extends": "base.json"})"); }, {"not read from a file"});
  expect_error<InputError>([&] { expand(R"({"flowrun": 2, "extends": 7})", "/g/x.json"); },
                           {"/g/x.json: $.extends", "path of a base graph"});
}

TEST_F(Extends, DeepChainsOfBasesStopWithAMessage) {
  file("g0.json", R"({"flowrun": 2, "nodes": []})");
  for (int i = 1; i <= 20; ++i)
    file("g" + std::to_string(i) + ".json",
         R"({"flowrun": 2, "extends": "g)" + std::to_string(i - 1) + R"(.json"})");
  EXPECT_NO_THROW(expand_file(dir + "/g10.json"));
  expect_error<InputError>([&] { expand_file(dir + "/g20.json"); }, {"$.extends", "levels of extends"});
}

}  // namespace flowrun
