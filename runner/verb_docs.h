// One line per verb, shared by both executables: flowrun-torch registers the
// verbs with them, and the front end lists them in `flowrun --help` without
// starting flowrun-torch (LibTorch's start-up is most of a second).
#pragma once

#include <string_view>

namespace flowrun {

struct VerbDoc {
  const char* name;
  const char* doc;
  bool needs_torch;  // run by flowrun-torch; false: the front end runs it itself
};

inline constexpr const char* kAppDoc =
    "flowrun: train semi-supervised 3D segmentation models from JSON-declared flow graphs.\n"
    "`flowrun GRAPH.json` runs a graph (same as `flowrun run GRAPH.json`).";

inline constexpr VerbDoc kVerbs[] = {
    {"run", "run a graph (the default verb: `flowrun GRAPH.json`)", true},
    {"validate", "check a graph (types, params, edges, plugins, dataset) without running it", true},
    {"nodes", "list every node and resource type, built-in and from plugins", true},
    {"describe", "print a node or resource type's ports and parameters", true},
    {"dot", "print the graph in Graphviz dot (pipe into `dot -Tsvg`)", true},
    {"synth", "write the synthetic phantom dataset (images, labels, lists, synthetic.json)", true},
    {"eval", "score a checkpoint on a dataset split: summary.json, <split>_metrics.csv, a table", true},
    {"infer", "segment one volume with a checkpoint", true},
    {"metrics", "Dice, Jaccard, HD95 and ASD of a predicted mask against a reference", false},
};

// The line of `name` in kVerbs (an unknown name is a programming error).
constexpr const char* verb_doc(std::string_view name) {
  for (const VerbDoc& v : kVerbs)
    if (v.name == name) return v.doc;
  return nullptr;
}

}  // namespace flowrun
