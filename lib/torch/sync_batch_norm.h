// Synchronised BatchNorm for data-parallel training: in training mode the
// batch statistics (and, in backward, the sums the input gradient needs) are
// all-reduced, so every rank normalises with the whole batch's mean and
// variance across ranks, as one process at the whole batch would (PyTorch's
// SyncBatchNorm). Evaluation mode uses the running statistics, as BatchNorm.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "lib/torch/collectives.h"

namespace flowrun {

// Training-mode batch norm over [B, C, ...] with statistics over every rank's
// batch; updates running_mean / running_var (unbiased variance) like
// at::batch_norm. Differentiable in input, weight and bias.
at::Tensor sync_batch_norm(const at::Tensor& input, const at::Tensor& weight, const at::Tensor& bias,
                           at::Tensor running_mean, at::Tensor running_var, double momentum, double eps,
                           Collectives& collectives);

// BatchNorm3d's parameters and buffers under its names (so checkpoints are
// interchangeable with nn::BatchNorm3d), synchronised across the ranks while
// training; evaluation uses the running statistics. Its own module rather
// than a BatchNorm3dImpl subclass: LibTorch does not export what a subclass's
// vtable needs.
class SyncBatchNorm3dImpl : public torch::nn::Module {
 public:
  SyncBatchNorm3dImpl(int64_t channels, Collectives& sync, double eps = 1e-5, double momentum = 0.1);
  at::Tensor forward(const at::Tensor& input);

  at::Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 private:
  Collectives& sync_;
  double eps_, momentum_;
};
TORCH_MODULE(SyncBatchNorm3d);

}  // namespace flowrun
