// flowrun-torch's side of a data-parallel run: joining the process group that
// the environment describes (torchrun's RANK, WORLD_SIZE, LOCAL_RANK,
// MASTER_ADDR, MASTER_PORT), picking the backend and this worker's GPU, making
// every rank's weights rank 0's once the nodes are open, and the collectives'
// figures for profile.json.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/distributed_rank.h"
#include "core/graph_validation.h"
#include "core/resource.h"
#include "runner/launch_env.h"

namespace flowrun {

// World size 1 (nothing joined) unless env.world_size > 1; InputError when
// MASTER_ADDR or MASTER_PORT is then missing. Sets
// graph.globals.device to this worker's GPU (cuda:LOCAL_RANK) when the run
// is on CUDA. InputError for a malformed environment or backend choice,
// RunError when the rendezvous fails.
DistributedRank join_data_parallel(ValidatedGraph& graph, const LaunchEnv& env);

// Broadcasts rank 0's parameters and buffers of every model resource (in
// resource-name order) to the other ranks.
void make_weights_rank0s(const DistributedRank& dist, const std::map<std::string, std::shared_ptr<Resource>>& resources);

// profile["distributed"]: rank, world size, backend, and the collectives'
// calls, bytes and wait seconds.
void annotate_distributed_profile(const DistributedRank& dist, nlohmann::json& profile);

}  // namespace flowrun
