// Checkpoints: both networks, the optimizer state, the iteration, RNG state
// and the graph that produced them, in one file written atomically (temp file
// + rename), so a failed or killed write leaves the previous file intact.
//
// Layout of a run folder: DIR/checkpoints/last.pt and DIR/checkpoints/best.pt.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "lib/torch/segmentation_model.h"

namespace torch::optim {
class Optimizer;
}

namespace flowrun {

// meta holds at least: "flowrun_checkpoint": 1, "iteration" (last completed
// batch id), "graph" (the graph document as run), "architectures"
// {resource name: SegmentationModel::architecture()}; savers may add more
// (val metric, rng state).
void save_checkpoint(const std::string& path, const std::map<std::string, SegmentationModel*>& models,
                     torch::optim::Optimizer* optimizer, nlohmann::json meta);

// Reads only the metadata. InputError naming the file when it is missing,
// truncated, corrupt or not a flowrun checkpoint.
nlohmann::json read_checkpoint_meta(const std::string& path);

// Loads weights (and the optimizer state when `optimizer` is given) after
// checking that every model's architecture matches the checkpoint's; a
// mismatch is an InputError naming the resource and the differing keys.
nlohmann::json load_checkpoint(const std::string& path, const std::map<std::string, SegmentationModel*>& models,
                               torch::optim::Optimizer* optimizer);

// Removes "<name>.pt.tmp.<pid>" files in `folder` whose writer is dead (a
// kill -9 during a save); save_checkpoint does it too, before each write.
void remove_stale_checkpoint_temps(const std::string& folder);

}  // namespace flowrun
