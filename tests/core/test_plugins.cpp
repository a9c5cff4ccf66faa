// Registry and plugin loading: registration, origins, ABI refusal, lifetime.
#include <cstdlib>

#include "core/plugin_api.h"
#include "core/plugin_loader.h"
#include "test_support.h"

namespace flowrun {
using testing::expect_error;

TEST(Plugins, LoadRegistersTypesWithTheirOrigin) {
  Registry r;
  PluginLoader loader(r);
  const LoadedPlugin& p = loader.load(FLOWRUN_TEST_PLUGIN);
  EXPECT_EQ(p.name, "testnodes");
  const NodeType* t = r.node("test.delay");
  ASSERT_NE(t, nullptr);
  EXPECT_NE(t->origin.find("libflowrun_testnodes.so"), std::string::npos);
  EXPECT_NE(r.resource("test.counter"), nullptr);
  // Loading the same file again is a no-op, not a duplicate registration.
  loader.load(FLOWRUN_TEST_PLUGIN);
  EXPECT_EQ(loader.loaded().size(), 1u);
}

TEST(Plugins, OtherAbiVersionIsRefusedNamingFileAndBothVersions) {
  Registry r;
  PluginLoader loader(r);
  expect_error<InputError>([&] { loader.load(FLOWRUN_BADABI_PLUGIN, "g.json: $.plugins[0]"); },
                           {"g.json: $.plugins[0]", "libflowrun_badabi.so", "ABI version 999",
                            "ABI version " + std::to_string(FLOWRUN_ABI_VERSION)});
  EXPECT_EQ(r.node("test.delay"), nullptr);
}

TEST(Plugins, FoundByNameOnFlowrunPluginPath) {
  const std::string dir = std::string(FLOWRUN_TEST_PLUGIN).substr(0, std::string(FLOWRUN_TEST_PLUGIN).rfind('/'));
  ::setenv("FLOWRUN_PLUGIN_PATH", ("/nonexistent:" + dir).c_str(), 1);
  Registry r;
  PluginLoader loader(r);
  EXPECT_EQ(loader.search_path().front(), "/nonexistent");
  loader.load("testnodes");
  EXPECT_NE(r.node("test.source"), nullptr);
  ::unsetenv("FLOWRUN_PLUGIN_PATH");
}

TEST(Plugins, MissingPluginNamesTheSearchPath) {
  Registry r;
  PluginLoader loader(r);
  expect_error<InputError>([&] { loader.load("nosuchplugin", "g.json: $.plugins[1]"); },
                           {"g.json: $.plugins[1]", "plugin 'nosuchplugin' not found", "libflowrun_nosuchplugin.so",
                            "FLOWRUN_PLUGIN_PATH"});
  expect_error<InputError>([&] { loader.load("/tmp/none/libflowrun_x.so"); }, {"/tmp/none/libflowrun_x.so", "not found"});
}

TEST(Plugins, NotAPluginIsRefused) {
  Registry r;
  PluginLoader loader(r);
  // libflowrun_core.so is a shared library without the entry point.
  expect_error<InputError>([&] { loader.load(FLOWRUN_CORE_LIBRARY); }, {"not a flowrun plugin"});
}

TEST(Plugins, InstancesKeepTheLibraryAlive) {
  std::shared_ptr<Node> node;
  {
    auto r = std::make_unique<Registry>();
    PluginLoader loader(*r);
    loader.load(FLOWRUN_TEST_PLUGIN);
    NodeContext ctx;
    ctx.id = "d";
    ctx.params = {{"sleep_ms", 0}, {"add", 2}};
    node = r->create_node("test.delay", ctx);
  }  // registry and loader gone; the node's code must still be mapped
  NodeContext ctx;
  ctx.params = {{"sleep_ms", 0}, {"add", 2}};
  Packet in;
  in.meta["value"] = 40;
  BatchIO io(0, {{"in", std::make_shared<const Packet>(in)}});
  node->process(ctx, io);
  EXPECT_EQ(io.outputs().at("out")->meta["value"], 42);
  node.reset();
}

TEST(Plugins, ContractModeRegistersTheContractUnderThePluginsName) {
  Registry full_registry, contract_registry;
  PluginLoader full(full_registry);
  PluginLoader contracts(contract_registry, PluginLoader::Mode::contracts);
  full.load(FLOWRUN_TEST_PLUGIN);
  contracts.load(FLOWRUN_TEST_PLUGIN);
  ASSERT_EQ(contract_registry.nodes().size(), full_registry.nodes().size());
  for (const NodeType* t : full_registry.nodes()) {
    const NodeType* c = contract_registry.node(t->schema.type);
    ASSERT_NE(c, nullptr) << t->schema.type;
    EXPECT_EQ(c->schema.to_json(), t->schema.to_json());
    EXPECT_EQ(c->origin, t->origin);  // the plugin's file, not the contract's
    EXPECT_FALSE(c->factory);
  }
  NodeContext ctx;
  ctx.id = "d";
  expect_error<RunError>([&] { contract_registry.create_node("test.delay", ctx); },
                         {"node 'd'", "test.delay", "only its contract", "libflowrun_testnodes.so"});
  ResourceContext rctx;
  rctx.name = "c";
  expect_error<RunError>([&] { contract_registry.create_resource("test.counter", rctx); },
                         {"resource 'c'", "only its contract"});
}

TEST(Plugins, ContractModeWithoutAContractLibraryThrowsContractUnavailable) {
  Registry r;
  PluginLoader loader(r, PluginLoader::Mode::contracts);
  try {
    loader.load(FLOWRUN_BADABI_PLUGIN);
    FAIL() << "no ContractUnavailable";
  } catch (const ContractUnavailable& e) {
    EXPECT_NE(e.plugin_file.find("libflowrun_badabi.so"), std::string::npos) << e.plugin_file;
  }
  // A missing plugin is still the user's error, named as in full mode.
  expect_error<InputError>([&] { loader.load("nosuchplugin", "g.json: $.plugins[1]"); }, {"plugin 'nosuchplugin' not found"});
}

TEST(Registry, DuplicateTypeIsRefused) {
  Registry r;
  NodeSchema s{"x.y", "doc", {}, {}, {}};
  r.add_node(s, [](const NodeContext&) -> std::unique_ptr<Node> { return nullptr; });
  expect_error<InputError>([&] { r.add_node(s, nullptr); }, {"'x.y'", "already registered", "built-in"});
}

}  // namespace flowrun
