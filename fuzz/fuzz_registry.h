// The registry fuzz_graph and fuzz_overrides validate against: the built-in
// node types plus stand-ins for what plugins would add (a model resource type and a node that names models), so
// graphs with resources and "nets" lists validate all the way through. A
// scratch folder holds a small dataset description (ds.json, empty case
// files) and a base graph (base.json) that graphs may name.
#pragma once

#include <filesystem>
#include <string>

#include "core/registry.h"
#include "fuzz/fuzz_support.h"
#include "nodes/builtin_nodes.h"

namespace flowrun::fuzz {

// A data pipeline over the built-in types ending in the stand-in sink.
inline const char* kPipelineGraph = R"({
  "flowrun": 2,
  "name": "fuzz",
  "dataset": "ds.json",
  "params": {"seed": 1, "iterations": 10, "device": "cpu"},
  "resources": {"net1": {"type": "fuzz.model", "params": {"width": 4}}},
  "nodes": [
    {"id": "sample", "type": "data.two_stream_sampler", "params": {"labeled_batch": 1, "unlabeled_batch": 1, "labeled_count": 2}},
    {"id": "load", "type": "data.load_case", "concurrency": 2},
    {"id": "rotflip", "type": "data.rot_flip"},
    {"id": "crop", "type": "data.random_crop", "params": {"patch": [8, 8, 8]}},
    {"id": "collate", "type": "data.collate"},
    {"id": "device", "type": "data.to_device"},
    {"id": "sink", "type": "fuzz.sink", "params": {"nets": ["net1"], "mode": "a"}}
  ],
  "chain": "sample ! load ! rotflip ! crop ! collate ! device ! sink",
  "edges": [{"from": "sink.out", "to": "sink.after", "back": true}]
})";

inline const char* kDatasetDescription = R"({
  "name": "fuzz", "image": "images/{id}.nii.gz", "label": "labels/{id}.nii.gz",
  "labels": {"0": "background", "1": "organ"},
  "splits": {"train": ["a", "b", "c", "d"], "val": ["e"], "test": ["f"]},
  "labeled_count": 2
})";

inline Registry& fuzz_registry(const char* target) {
  static Registry* registry = [target] {
    auto* r = new Registry;
    register_builtin_nodes(*r);
    ResourceSchema model;
    model.type = "fuzz.model";
    model.params = {ParamSpec::integer("width", 4, "width", 1, 64), ParamSpec::choice("init", "a", {"a", "b"}, "init")};
    r->add_resource(model, [](const ResourceContext&) { return nullptr; });
    NodeSchema sink;
    sink.type = "fuzz.sink";
    sink.inputs = {{"in", "any"}, {"after", "any", "", true}};
    sink.outputs = {{"out", "any"}};
    sink.params = {ParamSpec::resource_list("nets", {}, "models", "fuzz.model"),
                   ParamSpec::choice("mode", "a", {"a", "b"}, "mode"), ParamSpec::real("rate", 0.5, "rate", 0, 1),
                   ParamSpec::any_json("extra", nullptr, "anything")};
    r->add_node(sink, [](const NodeContext&) { return nullptr; });

    const auto& dir = scratch_dir(target);
    write_file(dir / "ds.json", kDatasetDescription, std::string(kDatasetDescription).size());
    write_file(dir / "base.json", kPipelineGraph, std::string(kPipelineGraph).size());
    for (const char* sub : {"images", "labels"}) {
      std::filesystem::create_directories(dir / sub);
      for (const char* id : {"a", "b", "c", "d", "e", "f"}) write_file(dir / sub / (std::string(id) + ".nii.gz"), "", 0);
    }
    return r;
  }();
  return *registry;
}

}  // namespace flowrun::fuzz
