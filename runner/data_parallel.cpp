// Joining a data-parallel run and syncing its weights (see data_parallel.h).
#include "runner/data_parallel.h"

#include <iostream>

#include "core/error.h"
#include "lib/torch/collectives.h"
#include "lib/torch/device.h"
#include "lib/torch/segmentation_model.h"
#include "lib/torch/torch_compat.h"

namespace flowrun {

DistributedRank join_data_parallel(ValidatedGraph& graph, const LaunchEnv& env) {
  DistributedRank d;
  if (!env.worker()) return d;
  const std::string ws = "environment: WORLD_SIZE=" + std::to_string(env.world_size);
  if (env.master_addr.empty()) throw InputError(ws + " but MASTER_ADDR is not set (the address of rank 0's machine)");
  if (env.master_port == 0) throw InputError(ws + " but MASTER_PORT is not set (a free TCP port on rank 0's machine)");
  CollectivesOptions o;
  o.rank = env.rank;
  o.world_size = env.world_size;
  o.local_rank = env.local_rank;
  o.master_addr = env.master_addr;
  o.master_port = env.master_port;
  const std::string spec = graph.globals.value("device", std::string("auto"));
  const c10::Device device = resolve_device(spec);
  if (device.is_cuda() && (spec == "auto" || spec == "cuda")) {
    // One GPU per worker on each machine, as torchrun arranges it.
    const int64_t n = cuda_device_count();
    graph.globals["device"] = "cuda:" + std::to_string(n > 0 ? o.local_rank % n : 0);
  }
  const std::string backend = graph.globals.value("dist_backend", std::string("auto"));
  o.backend = backend == "auto" ? (device.is_cuda() ? "nccl" : "gloo") : backend;
#if !defined(USE_C10D_NCCL)
  if (backend == "auto" && o.backend == "nccl") {
    std::cerr << "flowrun: rank " << o.rank << ": this build has no NCCL; the gradients go through Gloo\n";
    o.backend = "gloo";
  }
#endif
  o.timeout = std::chrono::seconds(graph.globals.value("dist_timeout_s", int64_t{1800}));
  std::shared_ptr<Collectives> c = Collectives::connect(o);
  d.rank = o.rank;
  d.world_size = o.world_size;
  d.local_rank = o.local_rank;
  d.collectives = c;
  return d;
}

void make_weights_rank0s(const DistributedRank& dist, const std::map<std::string, std::shared_ptr<Resource>>& resources) {
  if (!dist.distributed()) return;
  auto* c = static_cast<Collectives*>(dist.collectives.get());
  for (const auto& [name, r] : resources) {
    auto* m = dynamic_cast<SegmentationModel*>(r.get());
    if (!m) continue;
    std::vector<at::Tensor> tensors;
    for (auto& p : m->module().parameters()) tensors.push_back(p);
    for (auto& b : m->module().buffers()) tensors.push_back(b);
    c->broadcast(tensors, 0, "the broadcast of rank 0's weights of '" + name + "'");
  }
}

void annotate_distributed_profile(const DistributedRank& dist, nlohmann::json& profile) {
  if (!dist.distributed()) return;
  auto* c = static_cast<Collectives*>(dist.collectives.get());
  profile["distributed"] = {{"rank", dist.rank},
                            {"world_size", dist.world_size},
                            {"local_rank", dist.local_rank},
                            {"backend", c->backend()},
                            {"collectives", c->stats()}};
}

}  // namespace flowrun
