// sync_batch_norm: per-rank statistics (LibTorch's var_mean), combined over
// the ranks in double precision, and the matching backward.
#include "lib/torch/sync_batch_norm.h"

#include <torch/autograd.h>

namespace flowrun {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Sums a few per-channel vectors over the ranks in one call, in double.
std::vector<at::Tensor> allreduce_rows(const std::vector<at::Tensor>& rows, Collectives& c, const char* what) {
  at::Tensor flat = at::cat(rows).to(at::kDouble).contiguous();
  Collectives::Pending p = c.allreduce_sum(flat, what);
  c.wait(p, what);
  std::vector<at::Tensor> out;
  int64_t off = 0;
  for (auto& r : rows) {
    out.push_back(flat.narrow(0, off, r.numel()));
    off += r.numel();
  }
  return out;
}

std::vector<int64_t> reduce_dims(const at::Tensor& x) {
  std::vector<int64_t> d{0};
  for (int64_t i = 2; i < x.dim(); ++i) d.push_back(i);
  return d;
}

// [C] -> [1, C, 1, 1, ...] to broadcast against x.
at::Tensor per_channel(const at::Tensor& v, const at::Tensor& x) {
  std::vector<int64_t> shape(static_cast<size_t>(x.dim()), 1);
  shape[1] = v.numel();
  return v.view(shape);
}

struct SyncBatchNormFunction : public torch::autograd::Function<SyncBatchNormFunction> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                            at::Tensor running_mean, at::Tensor running_var, double momentum, double eps,
                            int64_t collectives) {
    auto& c = *reinterpret_cast<Collectives*>(collectives);
    const std::vector<int64_t> dims = reduce_dims(x);
    const double n_local = static_cast<double>(x.numel() / x.size(1));
    auto [var_l, mean_l] = at::var_mean(x, dims, /*unbiased=*/false);
    // Global moments from each rank's (n, n mean, n (var + mean^2)).
    const at::Tensor md = mean_l.to(at::kDouble), vd = var_l.to(at::kDouble);
    const at::Tensor count = at::full({1}, n_local, md.options());
    auto sums = allreduce_rows({count, md * n_local, (vd + md * md) * n_local}, c, "the synchronised BatchNorm statistics");
    const double n = sums[0].item<double>();
    const at::Tensor mean_d = sums[1] / n;
    const at::Tensor var_d = (sums[2] / n - mean_d * mean_d).clamp_min(0);
    const at::Tensor mean = mean_d.to(x.scalar_type()), invstd = (var_d + eps).rsqrt().to(x.scalar_type());
    {
      at::NoGradGuard no_grad;
      if (running_mean.defined()) running_mean.mul_(1 - momentum).add_(mean_d.to(running_mean.scalar_type()) * momentum);
      if (running_var.defined())
        running_var.mul_(1 - momentum).add_((var_d * (n / std::max(n - 1, 1.0))).to(running_var.scalar_type()) * momentum);
    }
    ctx->save_for_backward({x, weight, mean, invstd});
    ctx->saved_data["n"] = n;
    ctx->saved_data["collectives"] = collectives;
    at::Tensor y = (x - per_channel(mean, x)) * per_channel(invstd, x);
    if (weight.defined()) y = y * per_channel(weight, x) + per_channel(bias, x);
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const at::Tensor &x = saved[0], &weight = saved[1], &mean = saved[2], &invstd = saved[3];
    const double n = ctx->saved_data["n"].toDouble();
    auto& c = *reinterpret_cast<Collectives*>(ctx->saved_data["collectives"].toInt());
    const at::Tensor g = grads[0];
    const std::vector<int64_t> dims = reduce_dims(x);
    const at::Tensor xmu = x - per_channel(mean, x);
    // Accumulated in double, as LibTorch's own CPU kernel does: the sums
    // cancel to small values (a conv bias before BatchNorm gets none at all).
    const at::Tensor gd = g.to(at::kDouble);
    const at::Tensor sum_dy_l = gd.sum(dims), sum_dy_xmu_l = (gd * xmu.to(at::kDouble)).sum(dims);
    // The input gradient needs the sums over every rank's batch; the weight
    // and bias gradients are this rank's (the gradient all-reduce averages them).
    auto sums = allreduce_rows({sum_dy_l, sum_dy_xmu_l}, c, "the synchronised BatchNorm gradient sums");
    const at::Tensor mean_dy = (sums[0] / n).to(x.scalar_type()), mean_dy_xmu = (sums[1] / n).to(x.scalar_type());
    const at::Tensor scale = weight.defined() ? invstd * weight : invstd;
    at::Tensor gx = (g - per_channel(mean_dy, x) - xmu * per_channel(invstd * invstd * mean_dy_xmu, x)) * per_channel(scale, x);
    at::Tensor gw, gb;
    if (weight.defined()) {
      gw = (sum_dy_xmu_l * invstd.to(at::kDouble)).to(weight.scalar_type());
      gb = sum_dy_l.to(weight.scalar_type());
    }
    return {gx, gw, gb, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor sync_batch_norm(const at::Tensor& input, const at::Tensor& weight, const at::Tensor& bias,
                           at::Tensor running_mean, at::Tensor running_var, double momentum, double eps,
                           Collectives& collectives) {
  return SyncBatchNormFunction::apply(input, weight, bias, running_mean, running_var, momentum, eps,
                                      reinterpret_cast<int64_t>(&collectives));
}

SyncBatchNorm3dImpl::SyncBatchNorm3dImpl(int64_t channels, Collectives& sync, double eps, double momentum)
    : sync_(sync), eps_(eps), momentum_(momentum) {
  weight = register_parameter("weight", at::ones({channels}));
  bias = register_parameter("bias", at::zeros({channels}));
  running_mean = register_buffer("running_mean", at::zeros({channels}));
  running_var = register_buffer("running_var", at::ones({channels}));
  num_batches_tracked = register_buffer("num_batches_tracked", at::zeros({}, at::kLong));
}

at::Tensor SyncBatchNorm3dImpl::forward(const at::Tensor& input) {
  if (input.dim() != 5) throw std::invalid_argument("SyncBatchNorm3d: expected a 5-D input [B, C, X, Y, Z]");
  if (!is_training())
    return at::batch_norm(input, weight, bias, running_mean, running_var, false, momentum_, eps_, true);
  {
    at::NoGradGuard no_grad;
    num_batches_tracked.add_(1);
  }
  return sync_batch_norm(input, weight, bias, running_mean, running_var, momentum_, eps_, sync_);
}

}  // namespace flowrun
