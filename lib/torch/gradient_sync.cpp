// GradientSync: buckets, hooks and the in-order launch of their all-reduces.
#include "lib/torch/gradient_sync.h"

#include <chrono>

#include "core/error.h"

namespace flowrun {

GradientSync::GradientSync(std::vector<at::Tensor> params, Collectives& collectives, int64_t bucket_bytes,
                           int64_t first_bucket_bytes)
    : params_(std::move(params)), collectives_(collectives) {
  const size_t n = params_.size();
  bucket_of_.assign(n, 0);
  offset_of_.assign(n, 0);
  filled_.assign(n, false);
  // Last parameters first: backward reaches the output layers first. A new
  // bucket also starts where the dtype or device changes (one flat tensor each).
  int64_t bytes = 0;
  for (size_t k = n; k-- > 0;) {
    const at::Tensor& p = params_[k];
    const int64_t pb = p.numel() * static_cast<int64_t>(p.element_size());
    const int64_t cap = buckets_.size() <= 1 ? first_bucket_bytes : bucket_bytes;
    const bool fresh = buckets_.empty() || (bytes > 0 && bytes + pb > cap) ||
                       params_[buckets_.back().params.front()].scalar_type() != p.scalar_type() ||
                       params_[buckets_.back().params.front()].device() != p.device();
    if (fresh) {
      buckets_.emplace_back();
      bytes = 0;
    }
    Bucket& b = buckets_.back();
    bucket_of_[k] = buckets_.size() - 1;
    offset_of_[k] = bytes / static_cast<int64_t>(p.element_size());
    b.params.push_back(k);
    b.offsets.push_back(offset_of_[k]);
    bytes += pb;
  }
  for (Bucket& b : buckets_) {
    int64_t numel = 0;
    for (size_t k : b.params) numel += params_[k].numel();
    const at::Tensor& p0 = params_[b.params.front()];
    b.flat = at::zeros({numel}, p0.options().requires_grad(false));
  }
  for (size_t k = 0; k < n; ++k)
    if (params_[k].requires_grad())
      hooks_.emplace_back(k, params_[k].register_hook([this, k](const at::Tensor& grad) { on_gradient(k, grad); }));
}

GradientSync::~GradientSync() {
  for (auto [k, handle] : hooks_) params_[k].remove_hook(handle);
}

std::string GradientSync::what(size_t b) const {
  return "the gradient all-reduce (bucket " + std::to_string(b + 1) + " of " + std::to_string(buckets_.size()) +
         ") of iteration " + std::to_string(iteration_);
}

void GradientSync::begin(int64_t iteration) {
  std::lock_guard<std::mutex> lock(mu_);
  iteration_ = iteration;
  for (Bucket& b : buckets_) {
    b.ready = 0;
    b.launched = false;
  }
  std::fill(filled_.begin(), filled_.end(), false);
  next_launch_ = 0;
  active_ = true;
}

void GradientSync::on_gradient(size_t k, const at::Tensor& grad) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!active_) return;  // a backward pass outside a step (none in the shipped graphs)
  Bucket& b = buckets_[bucket_of_[k]];
  if (b.launched) return;  // cannot happen for a leaf: autograd sums its uses before the hook
  at::Tensor slot = b.flat.narrow(0, offset_of_[k], params_[k].numel());
  at::NoGradGuard no_grad;
  if (filled_[k]) slot.add_(grad.reshape({-1}));
  else slot.copy_(grad.reshape({-1}));
  if (!filled_[k]) {
    filled_[k] = true;
    ++b.ready;
  }
  launch_ready();
}

void GradientSync::launch(size_t i) {
  Bucket& b = buckets_[i];
  at::NoGradGuard no_grad;
  b.flat.div_(collectives_.world_size());  // sum of means / W = the mean over all ranks' samples
  b.pending = collectives_.allreduce_sum(b.flat, what(i));
  b.launched = true;
}

void GradientSync::launch_ready() {
  while (next_launch_ < buckets_.size() && buckets_[next_launch_].ready == buckets_[next_launch_].params.size())
    launch(next_launch_++);
}

void GradientSync::finish() {
  const auto t0 = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    active_ = false;
    without_gradient_ = 0;
    // Parameters without a gradient this step contribute zeros, so every rank
    // still issues every bucket's call.
    for (size_t i = next_launch_; i < buckets_.size(); ++i) {
      Bucket& b = buckets_[i];
      for (size_t j = 0; j < b.params.size(); ++j) {
        const size_t k = b.params[j];
        if (filled_[k]) continue;
        ++without_gradient_;
        b.flat.narrow(0, b.offsets[j], params_[k].numel()).zero_();
        filled_[k] = true;
        ++b.ready;
      }
    }
    launch_ready();
  }
  for (size_t i = 0; i < buckets_.size(); ++i) collectives_.wait(buckets_[i].pending, what(i));
  at::NoGradGuard no_grad;
  for (size_t k = 0; k < params_.size(); ++k) {
    const Bucket& b = buckets_[bucket_of_[k]];
    at::Tensor mean = b.flat.narrow(0, offset_of_[k], params_[k].numel()).view(params_[k].sizes());
    at::Tensor& g = params_[k].mutable_grad();
    if (g.defined()) g.copy_(mean);
    else g = mean.clone();
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++steps_;
    finish_wait_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  collectives_.record("gradients", stats());
}

nlohmann::json GradientSync::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t bytes = 0;
  nlohmann::json sizes = nlohmann::json::array();
  for (const Bucket& b : buckets_) {
    const int64_t bb = b.flat.numel() * static_cast<int64_t>(b.flat.element_size());
    bytes += bb;
    sizes.push_back(bb);
  }
  return {{"buckets", buckets_.size()},
          {"bucket_bytes", sizes},
          {"bytes_per_step", bytes},
          {"steps", steps_},
          {"parameters", params_.size()},
          {"parameters_without_gradient_last_step", without_gradient_},
          {"exposed_wait_seconds", finish_wait_seconds_},
          {"exposed_wait_seconds_per_step", steps_ ? finish_wait_seconds_ / double(steps_) : 0.0}};
}

}  // namespace flowrun
