// Reading and emitting `samples` packets (docs/packets.md), shared by the CPU
// data nodes so every one keeps meta `cases` / `labeled` in step with the list
// it emits, and reads list-valued params the same way.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/node.h"
#include "nodes/sample.h"

namespace flowrun {

inline const SampleList& input_samples(const BatchIO& io, const std::string& port = "in") {
  const SampleListPtr& p = io.input(port).get<SampleListPtr>(kSamplesKey);
  if (!p) throw RunError("batch " + std::to_string(io.id()) + ": input '" + port + "' carries no sample list");
  return *p;
}

// Emits `list` on `port`; meta is the input's (if any) with cases / labeled
// rewritten from the list, so keys added upstream travel on.
inline void emit_samples(BatchIO& io, SampleList list, const std::string& in_port = "in",
                         const std::string& out_port = "out") {
  Packet p;
  if (io.inputs().count(in_port)) p.meta = io.input(in_port).meta;
  nlohmann::json cases = nlohmann::json::array(), labeled = nlohmann::json::array();
  for (const Sample& s : list) {
    cases.push_back(s.id);
    labeled.push_back(s.labeled);
  }
  p.meta["cases"] = std::move(cases);
  p.meta["labeled"] = std::move(labeled);
  p.set<SampleListPtr>(kSamplesKey, std::make_shared<const SampleList>(std::move(list)));
  io.emit(out_port, std::move(p));
}

// The shape of every sample-to-sample node: `f` maps each input sample, in
// order (random draws follow sample order), to its output sample.
template <class F>
void map_samples(BatchIO& io, F&& f) {
  const SampleList& in = input_samples(io);
  SampleList out;
  out.reserve(in.size());
  for (const Sample& s : in) out.push_back(f(s));
  emit_samples(io, std::move(out));
}

// A 3-element int list param (validated length 3 by the schema).
inline Index3 index3_param(const NodeContext& ctx, const std::string& name) {
  const auto v = ctx.params.at(name).get<std::vector<int64_t>>();
  return {v.at(0), v.at(1), v.at(2)};
}

// A copy of `s` without its voxel data, for a node that replaces the volumes:
// copying them only to overwrite them would double the node's memory traffic.
inline Sample sample_without_voxels(const Sample& s) {
  Sample t;
  t.id = s.id;
  t.labeled = s.labeled;
  t.origin_a = s.origin_a;
  t.shift = s.shift;
  t.overlap_a = s.overlap_a;
  t.overlap_b = s.overlap_b;
  return t;
}

}  // namespace flowrun
