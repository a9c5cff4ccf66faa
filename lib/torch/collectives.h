// The collectives of a data-parallel run: one LibTorch c10d process group per
// process (Gloo over TCP on CPU; NCCL on CUDA where the LibTorch build has
// it), rendezvous through a TCPStore at MASTER_ADDR:MASTER_PORT, every call
// bounded by the run's timeout, every wait timed for profile.json. Nodes reach
// it through their context (collectives_of); a plain run has none.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "core/node_context.h"

namespace flowrun {

struct CollectivesOptions {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  std::string backend = "gloo";  // gloo | nccl
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};
};

class Collectives {
 public:
  // An all-reduce in flight.
  struct Pending {
    std::shared_ptr<void> work;
    int64_t bytes = 0;
  };

  // Joins the group; InputError for a bad address or port, RunError when the
  // other workers do not come within the timeout.
  static std::shared_ptr<Collectives> connect(const CollectivesOptions& options);
  ~Collectives();

  int rank() const { return options_.rank; }
  int world_size() const { return options_.world_size; }
  const std::string& backend() const { return options_.backend; }
  const CollectivesOptions& options() const { return options_; }

  // Sums `flat` over the ranks in place, asynchronously (Gloo and NCCL run it
  // on their own threads, so the caller's backward pass goes on meanwhile).
  Pending allreduce_sum(at::Tensor flat, const std::string& what);
  // Blocks until done; RunError naming `what` (and that another worker has
  // probably failed) when the peer is gone or the timeout passes.
  void wait(Pending& p, const std::string& what);
  void barrier(const std::string& what);
  // Every rank's tensors become root's (same shapes on every rank).
  void broadcast(std::vector<at::Tensor> tensors, int root, const std::string& what);

  // Calls, bytes and seconds spent waiting, per kind, plus the sections
  // others record (the gradient buckets): profile.json's "distributed".
  nlohmann::json stats() const;
  void record(const std::string& section, nlohmann::json value);

 private:
  explicit Collectives(const CollectivesOptions& options);
  [[noreturn]] void fail(const std::string& what, const std::exception& e) const;
  void count(const char* kind, int64_t bytes, double wait_seconds);

  struct Group;
  CollectivesOptions options_;
  std::unique_ptr<Group> group_;
  mutable std::mutex mu_;
  nlohmann::json stats_ = nlohmann::json::object();
};

// The node's collectives, or nullptr in a plain (world size 1) run.
inline Collectives* collectives_of(const NodeContext& ctx) {
  return ctx.dist.distributed() ? static_cast<Collectives*>(ctx.dist.collectives.get()) : nullptr;
}

}  // namespace flowrun
