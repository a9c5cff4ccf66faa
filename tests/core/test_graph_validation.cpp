// Graph parsing and validation errors: one test per bad input of the graph format.
#include "core/graph_validation.h"
#include "test_support.h"

namespace flowrun {
using nlohmann::json;
using testing::expect_error;
using testing::validated;

class Validation : public ::testing::Test {
 protected:
  testing::TestRegistry t;
  const Registry& r() { return t.registry; }
};

static const char* kGood = R"({
  "nodes": [{"id": "src", "type": "test.source"}, {"id": "d", "type": "test.delay", "params": {"add": 1}},
            {"id": "sink", "type": "test.sink"}],
  "edges": [["src.out", "d.in"], ["d.out", "sink.in"]], "params": {"iterations": 3}})";

TEST_F(Validation, GoodGraphValidatesWithTopologicalOrder) {
  ValidatedGraph g = validated(r(), kGood);
  ASSERT_EQ(g.topo_order.size(), 3u);
  EXPECT_EQ(g.topo_order.front(), "src");
  EXPECT_EQ(g.topo_order.back(), "sink");
  EXPECT_EQ(g.node_params["d"]["add"], 1);
  EXPECT_EQ(g.node_params["d"]["sleep_ms"], 0);
  EXPECT_EQ(g.globals["prefetch"], 2);
}

TEST_F(Validation, InvalidJsonGivesLineAndColumn) {
  auto dir = testing::temp_dir("badjson");
  auto f = testing::write_file(dir + "/g.json", "{\n  \"nodes\": [\n    {\"id\": \"a\",, }\n  ]\n}\n");
  expect_error<InputError>([&] { load_graph(f); }, {"g.json:3:", "invalid JSON"});
}

TEST_F(Validation, EmptyFile) {
  auto dir = testing::temp_dir("empty");
  auto f = testing::write_file(dir + "/g.json", "  \n");
  expect_error<InputError>([&] { load_graph(f); }, {"g.json", "empty"});
}

TEST_F(Validation, MissingFile) {
  expect_error<InputError>([] { load_graph("/nonexistent/g.json"); }, {"/nonexistent/g.json", "not found"});
}

TEST_F(Validation, TopLevelNotAnObject) {
  expect_error<InputError>([] { parse_graph(json::array(), "g.json"); }, {"g.json", "top level must be a JSON object"});
}

TEST_F(Validation, UnknownNodeTypeListsCloseNames) {
  expect_error<InputError>(
      [&] { validated(r(), R"({"nodes": [{"id": "x", "type": "test.dealy"}], "params": {"iterations": 1}})"); },
      {"$.nodes[0]", "node 'x'", "unknown node type 'test.dealy'", "did you mean 'test.delay'"});
}

TEST_F(Validation, UnknownParameter) {
  expect_error<InputError>(
      [&] { validated(r(), R"({"nodes": [{"id": "s", "type": "test.source", "params": {"cuont": 1}}]})"); },
      {"$.nodes[0].params", "node 's'", "cuont", "unknown parameter", "did you mean 'count'"});
}

TEST_F(Validation, ParameterOfWrongTypeOrOutOfRange) {
  const char* tmpl = R"({"nodes": [{"id": "s", "type": "test.source"},
      {"id": "d", "type": "test.delay", "params": {"ratio": %s}}], "edges": [["s.out", "d.in"]]})";
  char buf[512];
  snprintf(buf, sizeof buf, tmpl, "\"half\"");
  expect_error<InputError>([&] { validated(r(), buf); }, {"$.nodes[1].params", "node 'd'", "ratio", "expected a number"});
  snprintf(buf, sizeof buf, tmpl, "1.5");
  expect_error<InputError>([&] { validated(r(), buf); }, {"ratio", "in [0, 1]", "1.5"});
}

TEST_F(Validation, EdgeNamingMissingNodeOrPort) {
  expect_error<InputError>([&] {
    validated(r(), R"({"nodes": [{"id": "s", "type": "test.source"}, {"id": "k", "type": "test.sink"}],
                       "edges": [["s.out", "nope.in"]]})");
  }, {"$.edges[0]", "unknown node 'nope'"});
  expect_error<InputError>([&] {
    validated(r(), R"({"nodes": [{"id": "s", "type": "test.source"}, {"id": "k", "type": "test.sink"}],
                       "edges": [["s.output", "k.in"]]})");
  }, {"$.edges[0]", "no output port 'output'", "its outputs: out (number)"});
}

TEST_F(Validation, DuplicateNodeId) {
  expect_error<InputError>([&] {
    validated(r(), R"({"nodes": [{"id": "s", "type": "test.source"}, {"id": "s", "type": "test.source"}]})");
  }, {"$.nodes[1].id", "duplicate node id 's'"});
}

TEST_F(Validation, UndeclaredCycleIsRejectedButBackEdgeIsAllowed) {
  const char* cyclic = R"({"nodes": [{"id": "s", "type": "test.source"}, {"id": "acc", "type": "test.accumulate"}],
      "edges": [["s.out", "acc.in"], ["acc.out", "acc.prev"]], "params": {"iterations": 2}})";
  expect_error<InputError>([&] { validated(r(), cyclic); }, {"$.edges[1]", "cycle acc -> acc", "\"back\": true"});
  validated(r(), R"({"nodes": [{"id": "s", "type": "test.source"}, {"id": "acc", "type": "test.accumulate"}],
      "edges": [["s.out", "acc.in"], {"from": "acc.out", "to": "acc.prev", "back": true}]})");
}

TEST_F(Validation, PortTypeMismatch) {
  expect_error<InputError>([&] {
    validated(r(), R"({"nodes": [{"id": "t", "type": "test.text"}, {"id": "d", "type": "test.delay"}],
                       "edges": [["t.out", "d.in"]]})");
  }, {"$.edges[0]", "port type mismatch", "t.out gives text", "d.in expects number"});
}

TEST_F(Validation, UnconnectedInput) {
  expect_error<InputError>([&] { validated(r(), R"({"nodes": [{"id": "d", "type": "test.delay"}]})"); },
                           {"node 'd'", "input port 'in'", "not connected"});
}

TEST_F(Validation, MissingDatasetFile) {
  auto dir = testing::temp_dir("dataset");
  auto f = testing::write_file(dir + "/g.json",
      R"({"dataset": "data/none.json", "nodes": [{"id": "s", "type": "test.source"}]})");
  expect_error<InputError>([&] { validate_graph(load_graph(f), r()); },
                           {"g.json: $.dataset", "data/none.json", "not found"});
}

TEST_F(Validation, ResourceNamesAreChecked) {
  const char* g = R"({"resources": {"c": {"type": "test.counter", "params": {"start": 5}}},
      "nodes": [{"id": "s", "type": "test.source"}, {"id": "u", "type": "test.use_counter", "params": {"counter": "%s"}}],
      "edges": [["s.out", "u.in"]]})";
  char buf[512];
  snprintf(buf, sizeof buf, g, "c");
  validated(r(), buf);
  snprintf(buf, sizeof buf, g, "d");
  expect_error<InputError>([&] { validated(r(), buf); }, {"counter", "no resource named 'd'"});
}

TEST_F(Validation, SerialNodeRefusesConcurrency) {
  expect_error<InputError>([&] {
    validated(r(), R"({"nodes": [{"id": "s", "type": "test.source"},
        {"id": "d", "type": "test.serial_delay", "concurrency": 4}], "edges": [["s.out", "d.in"]]})");
  }, {"node 'd'", "concurrency", "serially"});
}

TEST_F(Validation, UnknownTopLevelKeyAndBadConcurrency) {
  expect_error<InputError>([&] { validated(r(), R"({"nodez": []})"); }, {"$.nodez", "unknown top-level key"});
  expect_error<InputError>([&] {
    validated(r(), R"({"nodes": [{"id": "s", "type": "test.source", "concurrency": 0}]})");
  }, {"$.nodes[0].concurrency", "positive integer"});
}

TEST_F(Validation, UnknownGlobalParameter) {
  expect_error<InputError>([&] {
    validated(r(), R"({"nodes": [{"id": "s", "type": "test.source"}], "params": {"prefech": 3}})");
  }, {"$.params.prefech", "unknown parameter", "did you mean 'prefetch'"});
}

}  // namespace flowrun

namespace flowrun {

// Ports that declare packet value keys: an edge whose consumer reads a key its
// producer does not give fails validation, naming both nodes and the keys.
TEST(ValidationKeys, AnEdgeMustGiveTheKeysItsConsumerReads) {
  testing::TestRegistry t;
  struct Nop : Node {
    void process(NodeContext&, BatchIO&) override {}
  };
  auto nop = [](const NodeContext&) -> std::unique_ptr<Node> { return std::make_unique<Nop>(); };
  NodeSchema make{"k.make", "gives a, b", {{"in", "any"}}, {{"out", "batch", "", false, {"a", "b"}}}, {}};
  NodeSchema need{"k.need", "reads a, c", {{"in", "batch", "", false, {"a", "c"}}}, {{"out", "batch"}}, {}};
  NodeSchema loose{"k.loose", "declares nothing", {{"in", "batch"}}, {{"out", "batch"}}, {}};
  t.registry.add_node(make, nop);
  t.registry.add_node(need, nop);
  t.registry.add_node(loose, nop);
  const std::string head = R"({"params": {"iterations": 1}, "nodes": [{"id": "src", "type": "test.source"},
    {"id": "m", "type": "k.make"}, {"id": "l", "type": "k.loose"}, {"id": "n", "type": "k.need"},
    {"id": "sink", "type": "test.sink"}], "edges": [["src.out", "m.in"], )";
  testing::expect_error<InputError>(
      [&] { testing::validated(t.registry, head + R"(["m.out", "n.in"], ["n.out", "sink.in"]]})"); },
      {"$.edges[1]", "node 'n' (k.need) reads c from input 'in'", "node 'm' (k.make)", "it gives a, b"});
  // A producer that declares no keys cannot be checked, and passes.
  EXPECT_NO_THROW(testing::validated(
      t.registry, head + R"(["m.out", "l.in"], ["l.out", "n.in"], ["n.out", "sink.in"]]})"));
}

}  // namespace flowrun

namespace flowrun {

// A back edge must close a loop: its target leads to its source.
TEST(ValidationBackEdges, AnEdgeMarkedBackMustCloseALoop) {
  testing::TestRegistry t;
  const std::string nodes = R"("params": {"iterations": 2}, "nodes": [{"id": "src", "type": "test.source"},
      {"id": "acc", "type": "test.accumulate"}, {"id": "sink", "type": "test.sink"}], )";
  EXPECT_NO_THROW(testing::validated(t.registry, "{" + nodes + R"("edges": [["src.out", "acc.in"], ["acc.out", "sink.in"],
      {"from": "acc.out", "to": "acc.prev", "back": true}]})"));
  testing::expect_error<InputError>(
      [&] {
        testing::validated(t.registry, "{" + nodes + R"("edges": [["src.out", "acc.in"], ["acc.out", "sink.in"],
            {"from": "src.out", "to": "acc.prev", "back": true}]})");
      },
      {"$.edges[2]", "back edge src.out -> acc.prev closes no loop", "make it a plain edge"});
}

}  // namespace flowrun
