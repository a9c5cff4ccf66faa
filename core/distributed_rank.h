// Which worker of a data-parallel run this process is (torchrun's RANK,
// WORLD_SIZE, LOCAL_RANK), as every node sees it. The collectives themselves
// are a LibTorch c10d process group: lib/torch/collectives.h reaches them
// through `collectives`, which the core never looks into, so the core and the
// torch-free front end stay free of LibTorch.
#pragma once

#include <memory>
#include <string>

namespace flowrun {

struct DistributedRank {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::shared_ptr<void> collectives;  // a flowrun::Collectives when world_size > 1

  bool distributed() const { return world_size > 1; }
  // Random streams of rank 0 are those of a single-process run; the others
  // get their own, so two ranks never draw the same augmentation or dropout.
  std::string stream_id(const std::string& node_id) const {
    return rank == 0 ? node_id : node_id + "@rank" + std::to_string(rank);
  }
};

}  // namespace flowrun
