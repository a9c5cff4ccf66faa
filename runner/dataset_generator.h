// Graphs may say how to make their dataset when it is absent:
//   "dataset": "../data/synthetic/synthetic.json",
//   "dataset_generator": {"type": "synthetic", "params": {"cases": 24, "seed": 1337}}
// The runner then writes the dataset (once) before validating the graph, so
// the embedded demo runs on a fresh clone with nothing downloaded.
#pragma once

#include <nlohmann/json.hpp>

#include "core/graph_spec.h"

namespace flowrun {

// Generates the dataset when it is absent or was made with other options;
// returns true when it wrote it. Throws InputError for an
// unknown generator type or bad parameters (naming $.dataset_generator).
bool ensure_generated_dataset(const GraphSpec& spec);

}  // namespace flowrun
