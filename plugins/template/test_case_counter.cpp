// The template node tested alone with flowrun's harness (core/node_runner.h):
// copy this with the plugin; every node type deserves a test like it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/node_runner.h"
#include "core/plugin_loader.h"

namespace {

using namespace flowrun;

TEST(CaseCounter, PassesBatchesThroughAndWritesTheCountsAtClose) {
  Registry registry;
  PluginLoader(registry).load(TEMPLATE_PLUGIN);
  const std::string out = (std::filesystem::temp_directory_path() / "flowrun_template_test").string();
  std::filesystem::remove_all(out);
  NodeRunner runner(registry, "template.case_counter", {{"file", "counts.json"}});
  runner.out_dir(out);
  for (int64_t b = 0; b < 3; ++b) {
    Packet p;
    p.meta["cases"] = {"a", b == 2 ? "c" : "b"};
    const PacketPtr in = NodeRunner::packet(b, p);
    EXPECT_EQ(runner.run_one(b, in), in) << "the input packet itself passes through";
  }
  runner.close();
  const nlohmann::json counts = nlohmann::json::parse(std::ifstream(out + "/counts.json"));
  EXPECT_EQ(counts, (nlohmann::json{{"a", 3}, {"b", 2}, {"c", 1}}));

  NodeRunner bad(registry, "template.case_counter");
  EXPECT_THROW(bad.run_one(0, NodeRunner::packet(0, Packet{})), RunError);
}

}  // namespace
