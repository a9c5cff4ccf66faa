// One line per verb, shared by both executables: flowrun-torch registers the
// verbs with them, and the front end lists them in `flowrun --help` without
// starting flowrun-torch (LibTorch's start-up is most of a second).
#pragma once

#include <string_view>

namespace flowrun {

// Where a verb runs when the user types `flowrun VERB`.
enum class VerbHome {
  front_end,  // always in the front end
  contracts,  // in the front end when every plugin it loads ships a contract library
  torch,      // always in flowrun-torch
};

struct VerbDoc {
  const char* name;
  const char* doc;
  VerbHome home;
};

inline constexpr const char* kAppDoc =
    "flowrun: train semi-supervised 3D segmentation models from JSON-declared flow graphs.\n"
    "`flowrun GRAPH.json` runs a graph (same as `flowrun run GRAPH.json`).";

inline constexpr VerbDoc kVerbs[] = {
    {"run", "run a graph (the default verb: `flowrun GRAPH.json`)", VerbHome::torch},
    {"validate", "check a graph (types, params, edges, plugins, dataset) without running it", VerbHome::contracts},
    {"nodes", "list every node and resource type, built-in and from plugins", VerbHome::contracts},
    {"describe", "print a node or resource type's ports and parameters", VerbHome::contracts},
    {"dot", "print the graph in Graphviz dot (pipe into `dot -Tsvg`)", VerbHome::contracts},
    {"synth", "write the synthetic phantom dataset (images, labels, lists, synthetic.json)", VerbHome::torch},
    {"eval", "score a checkpoint on a dataset split: summary.json, <split>_metrics.csv, a table", VerbHome::torch},
    {"infer", "segment one volume with a checkpoint", VerbHome::torch},
    {"metrics", "Dice, Jaccard, HD95 and ASD of a predicted mask against a reference", VerbHome::front_end},
    {"report", "write one self-contained report.html of run folders: graph, curves, metrics, segmentations",
     VerbHome::front_end},
    {"sweep", "train a grid of --vary values x seeds, resumable: sweep.csv, mean ± sd table, report.html",
     VerbHome::front_end},
};

// The line of `name` in kVerbs (an unknown name is a programming error).
constexpr const char* verb_doc(std::string_view name) {
  for (const VerbDoc& v : kVerbs)
    if (v.name == name) return v.doc;
  return nullptr;
}

}  // namespace flowrun
