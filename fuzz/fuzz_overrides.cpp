// Fuzzes `--set PATH=VALUE`: parse_override and apply_overrides (core/
// overrides.h) on a small valid graph (fuzz_registry.h's pipeline, expanded
// as Session::load does), then parse_graph and validate_graph of the result.
// Input: lines, each one --set argument. Only InputError may escape.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/graph_document.h"
#include "core/graph_spec.h"
#include "core/graph_validation.h"
#include "core/overrides.h"
#include "fuzz/fuzz_registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace flowrun;
  const Registry& registry = fuzz::fuzz_registry("fuzz_overrides");
  static const std::string file = (fuzz::scratch_dir("fuzz_overrides") / "graph.json").string();
  static const nlohmann::json base = expand_graph_document(nlohmann::json::parse(fuzz::kPipelineGraph), file);

  std::vector<std::string> args;
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (size_t at = 0; at < text.size() && args.size() < 64;) {  // a final newline ends the last line
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    args.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  fuzz::expect_only_input_errors("fuzz_overrides", [&] {
    std::vector<Override> overrides;
    for (const auto& a : args) overrides.push_back(parse_override(a));
    nlohmann::json doc = base;
    apply_overrides(doc, overrides, registry);
    validate_graph(parse_graph(doc, file), registry);
  });
  return 0;
}
