// `flowrun run GRAPH --nproc N`: starts N flowrun-torch workers of one
// data-parallel run on this machine, with torchrun's environment (RANK,
// WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT; with
// NNODES and NODE_RANK set, this machine's share of a several-machine run),
// forwards stop signals to them, and when one fails gives the others a grace
// period to notice, then stops them.
#pragma once

#include <string>
#include <vector>

#include "runner/launch_env.h"

namespace flowrun {

struct WorkerLaunch {
  std::vector<std::string> run_args;  // the `run` command line each worker gets (without --nproc)
  int nproc = 1;                      // workers on this machine
  std::string out_dir;                // the run folder; workers other than rank 0 log to OUT/ranks/
  int grace_seconds = 20;             // after a failure, before the others are stopped
};

// Waits for every worker. Returns normally when all succeeded; otherwise
// throws InputError (the first failing worker exited 2) or RunError, naming
// that worker, its exit status and the last error line of its log.
void launch_workers(const WorkerLaunch& launch, const LaunchEnv& env);

}  // namespace flowrun
