// Data-parallel gradient averaging for one optimizer's parameters, DDP-style:
// parameters go into fixed buckets (last layers first, the order backward
// produces their gradients), a hook copies each gradient into its bucket as
// autograd makes it, and a bucket is all-reduced as soon as it is full and the
// buckets before it are launched, so communication overlaps the rest of the
// backward pass and every rank issues the same calls in the same order.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "lib/torch/collectives.h"

namespace flowrun {

class GradientSync {
 public:
  // params: every parameter the optimizer steps, in its order. The first
  // bucket is capped at first_bucket_bytes (communication starts early),
  // the others at bucket_bytes.
  GradientSync(std::vector<at::Tensor> params, Collectives& collectives, int64_t bucket_bytes,
               int64_t first_bucket_bytes = 1 << 20);
  ~GradientSync();
  GradientSync(const GradientSync&) = delete;
  GradientSync& operator=(const GradientSync&) = delete;

  // Around loss.backward(): begin() arms the hooks; finish() launches what is
  // left (a parameter without a gradient on this rank counts as zeros), waits,
  // and leaves each parameter's .grad the mean over the ranks.
  void begin(int64_t iteration);
  void finish();

  // Buckets, bytes per step, and the seconds finish() waited (communication
  // the backward pass did not hide), for profile.json.
  nlohmann::json stats() const;

 private:
  struct Bucket {
    std::vector<size_t> params;
    std::vector<int64_t> offsets;
    at::Tensor flat;
    size_t ready = 0;
    bool launched = false;
    Collectives::Pending pending;
  };
  void on_gradient(size_t param, const at::Tensor& grad);
  void launch_ready();  // with mu_ held
  void launch(size_t b);
  std::string what(size_t b) const;

  std::vector<at::Tensor> params_;
  std::vector<size_t> bucket_of_;
  std::vector<int64_t> offset_of_;
  std::vector<bool> filled_;
  std::vector<Bucket> buckets_;
  Collectives& collectives_;
  size_t next_launch_ = 0;
  bool active_ = false;
  int64_t iteration_ = -1;
  std::vector<std::pair<size_t, unsigned>> hooks_;  // (parameter, hook handle)
  mutable std::mutex mu_;
  int64_t steps_ = 0;
  int64_t without_gradient_ = 0;
  double finish_wait_seconds_ = 0;
};

}  // namespace flowrun
