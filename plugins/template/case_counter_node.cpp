// The template plugin: one node type, template.case_counter, that counts how
// often each case id passes (e.g. to check a sampler's balance) and writes
// the counts to <out>/case_counts.json at the end of the run. It passes its
// input through unchanged, so it can sit on any `cases` edge.
//
// A plugin = node types (schema + class) and one FLOWRUN_PLUGIN entry point.
// For nodes that use tensors, add find_package(Torch) to CMakeLists.txt and
// link ${TORCH_LIBRARIES}; see docs/plugins.md.
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "core/plugin_api.h"

namespace {

class CaseCounter : public flowrun::Node {
 public:
  void process(flowrun::NodeContext&, flowrun::BatchIO& io) override {
    const flowrun::Packet& in = io.input("in");
    if (!in.meta.contains("cases") || !in.meta["cases"].is_array())
      throw flowrun::RunError("template.case_counter: the input packet has no \"cases\" list");
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& id : in.meta["cases"]) counts_[id.get<std::string>()] += 1;
    }
    io.forward("in", "out");  // no copy: packets are shared
  }

  void close(flowrun::NodeContext& ctx) override {
    if (ctx.out_dir.empty()) return;
    const std::string file = ctx.params["file"];
    std::filesystem::create_directories(ctx.out_dir);
    std::ofstream out(std::filesystem::path(ctx.out_dir) / file);
    out << nlohmann::json(counts_).dump(2) << "\n";
    if (!out) throw flowrun::RunError("template.case_counter: cannot write " + file + " in " + ctx.out_dir);
  }

 private:
  std::mutex mu_;  // the graph may run this node on several batches at once
  std::map<std::string, int64_t> counts_;
};

void register_types(flowrun::Registry& registry) {
  flowrun::NodeSchema s;
  s.type = "template.case_counter";
  s.doc = "counts how often each case id passes; writes the counts as JSON at the end";
  s.inputs = {{"in", "cases", "case ids of a batch (meta \"cases\")"}};
  s.outputs = {{"out", "cases", "the input, unchanged"}};
  s.params = {flowrun::ParamSpec::string("file", "case_counts.json", "file name in the run's output folder")};
  registry.add_node(s, [](const flowrun::NodeContext&) { return std::make_unique<CaseCounter>(); });
}

}  // namespace

FLOWRUN_PLUGIN("template", "1.0", register_types)
