// --set overrides: paths into nodes, resources, globals; unknown paths refused.
#include "core/overrides.h"
#include "test_support.h"

namespace flowrun {
using nlohmann::json;
using testing::expect_error;

class Overrides : public ::testing::Test {
 protected:
  testing::TestRegistry t;
  json doc = json::parse(R"({
    "resources": {"c": {"type": "test.counter", "params": {"start": 1}}},
    "nodes": [{"id": "s", "type": "test.source"}, {"id": "d", "type": "test.delay", "params": {"add": 1}}],
    "edges": [["s.out", "d.in"]], "params": {"iterations": 5}})");
  void apply(std::initializer_list<std::string> sets) {
    std::vector<Override> o;
    for (auto& s : sets) o.push_back(parse_override(s));
    apply_overrides(doc, o, t.registry);
  }
};

TEST_F(Overrides, NodeParamShorthandAndFullPath) {
  apply({"nodes.d.add=7", "nodes.d.params.sleep_ms=3", "nodes.d.mode=b", "nodes.d.patch.1=16"});
  EXPECT_EQ(doc["nodes"][1]["params"]["add"], 7);
  EXPECT_EQ(doc["nodes"][1]["params"]["sleep_ms"], 3);
  EXPECT_EQ(doc["nodes"][1]["params"]["mode"], "b");  // bare word -> string
  EXPECT_EQ(doc["nodes"][1]["params"]["patch"], json({8, 16, 8}));  // element of the default list
  apply({"nodes.d.patch=[8,16,24]", "nodes.d.patch.1=32"});
  EXPECT_EQ(doc["nodes"][1]["params"]["patch"], json({8, 32, 24}));
}

TEST_F(Overrides, GlobalsResourcesConcurrencyDataset) {
  apply({"params.iterations=9", "params.device=cpu", "resources.c.start=4", "nodes.d.concurrency=2",
         "dataset=other.json"});
  EXPECT_EQ(doc["params"]["iterations"], 9);
  EXPECT_EQ(doc["params"]["device"], "cpu");
  EXPECT_EQ(doc["resources"]["c"]["params"]["start"], 4);
  EXPECT_EQ(doc["nodes"][1]["concurrency"], 2);
  EXPECT_EQ(doc["dataset"], "other.json");
}

TEST_F(Overrides, UnknownPathsAreRefused) {
  expect_error<InputError>([&] { apply({"nodes.nope.add=1"}); }, {"--set nodes.nope.add=1", "no node with id 'nope'"});
  expect_error<InputError>([&] { apply({"nodes.d.sigma=1"}); }, {"--set nodes.d.sigma=1", "no parameter 'sigma'"});
  expect_error<InputError>([&] { apply({"params.speed=1"}); }, {"no global parameter 'speed'"});
  expect_error<InputError>([&] { apply({"resources.c.stop=1"}); }, {"no parameter 'stop'"});
  expect_error<InputError>([&] { apply({"foo.bar=1"}); }, {"--set foo.bar=1", "unknown path"});
  expect_error<InputError>([&] { apply({"nodes.d.patch.7=1"}); }, {"not an index"});
  expect_error<InputError>([] { parse_override("novalue"); }, {"--set novalue", "PATH=VALUE"});
}

}  // namespace flowrun
