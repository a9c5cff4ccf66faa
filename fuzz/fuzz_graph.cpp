// Fuzzes the graph parser and validator as `flowrun validate` runs them
// (runner/session.cpp Session::load, without plugins): read_json_file with
// its size and depth limits, expand_graph_document (version 2: chain,
// extends), parse_graph and validate_graph with preflight. Input: the bytes
// of a graph JSON file. Only InputError may escape.
#include <cstddef>
#include <cstdint>

#include "core/graph_document.h"
#include "core/graph_spec.h"
#include "core/graph_validation.h"
#include "fuzz/fuzz_registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace flowrun;
  const Registry& registry = fuzz::fuzz_registry("fuzz_graph");
  const std::string file = (fuzz::scratch_dir("fuzz_graph") / "graph.json").string();
  fuzz::write_file(file, data, size);
  fuzz::expect_only_input_errors("fuzz_graph", [&] {
    const nlohmann::json doc = expand_graph_document(read_json_file(file, "graph"), file);
    validate_graph(parse_graph(doc, file), registry);
  });
  return 0;
}
