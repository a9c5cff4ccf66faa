// The environment a data-parallel worker or launcher is started with, read in
// one place: torchrun's RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT
// and flowrun's NNODES, NODE_RANK (--nproc on several machines). No LibTorch.
#pragma once

#include <string>

namespace flowrun {

struct LaunchEnv {
  int world_size = 1;
  int rank = 0;
  int local_rank = 0;
  int nnodes = 1;
  int node_rank = 0;
  std::string master_addr;  // "" when unset
  int master_port = 0;      // 0 when unset

  bool worker() const { return world_size > 1; }
};

// InputError naming the variable when one is malformed or the set is
// inconsistent (RANK >= WORLD_SIZE, NODE_RANK >= NNODES).
LaunchEnv read_launch_env();

}  // namespace flowrun
