// The lineage V-Net: layer construction, forward pass, initialisation.
#include "plugins/vnet/vnet.h"

#include <sstream>

#include <torch/torch.h>

#include "core/error.h"
#include "lib/torch/sync_batch_norm.h"

namespace flowrun {
namespace {

namespace nn = torch::nn;

bool is_one_of(const std::string& s, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed)
    if (s == a) return true;
  return false;
}

// Which normalisation, and the collectives that synchronise batch norm
// across the ranks of a data-parallel run (null: per rank).
struct Norm {
  std::string kind;
  Collectives* sync = nullptr;
};

// Appends the normalisation layer of `norm` for `channels` (nothing for none).
void push_norm(nn::Sequential& seq, const Norm& norm, int64_t channels) {
  const std::string& kind = norm.kind;
  if (kind == "batch" && norm.sync) {
    seq->push_back(SyncBatchNorm3d(channels, *norm.sync));
  } else if (kind == "batch") {
    seq->push_back(nn::BatchNorm3d(channels));
  } else if (kind == "instance") {
    // Lineage InstanceNorm3d: no affine parameters, no running statistics.
    seq->push_back(nn::InstanceNorm3d(channels));
  } else if (kind == "group") {
    seq->push_back(nn::GroupNorm(nn::GroupNormOptions(vnet_group_count(channels), channels)));
  }
}

void push_relu(nn::Sequential& seq) {
  seq->push_back(nn::ReLU(nn::ReLUOptions().inplace(true)));
}


// n_stages x (3x3x3 conv, pad 1, norm, ReLU).
VNetBlock conv_block(int64_t n_stages, int64_t in, int64_t out, const Norm& norm) {
  nn::Sequential seq;
  for (int64_t i = 0; i < n_stages; ++i) {
    seq->push_back(nn::Conv3d(nn::Conv3dOptions(i == 0 ? in : out, out, 3).padding(1)));
    push_norm(seq, norm, out);
    push_relu(seq);
  }
  return VNetBlock(seq);
}

// 2x2x2 stride-2 conv (down: halves every spatial size) or transposed conv
// (up: doubles it), then norm and ReLU.
VNetBlock resample_block(int64_t in, int64_t out, const Norm& norm, bool up) {
  nn::Sequential seq;
  if (up)
    seq->push_back(nn::ConvTranspose3d(nn::ConvTranspose3dOptions(in, out, 2).stride(2).padding(0)));
  else
    seq->push_back(nn::Conv3d(nn::Conv3dOptions(in, out, 2).stride(2).padding(0)));
  push_norm(seq, norm, out);
  push_relu(seq);
  return VNetBlock(seq);
}

VNetBlock down_block(int64_t in, int64_t out, const Norm& norm) {
  return resample_block(in, out, norm, /*up=*/false);
}

VNetBlock up_block(int64_t in, int64_t out, const Norm& norm) {
  return resample_block(in, out, norm, /*up=*/true);
}

std::string shape_string(const at::Tensor& x) {
  std::ostringstream os;
  os << x.sizes();
  return os.str();
}

}  // namespace

VNetBlockImpl::VNetBlockImpl(torch::nn::Sequential layers)
    : conv_(register_module("conv", std::move(layers))) {}

void validate(const VNetOptions& o) {
  if (o.in_channels < 1)
    throw InputError("vnet: in_channels must be >= 1, got " + std::to_string(o.in_channels));
  if (o.n_classes < 1)
    throw InputError("vnet: n_classes must be >= 1, got " + std::to_string(o.n_classes));
  if (o.n_filters < 1)
    throw InputError("vnet: n_filters must be >= 1, got " + std::to_string(o.n_filters));
  if (!is_one_of(o.normalization, {"batch", "instance", "group", "none"}))
    throw InputError("vnet: normalization must be one of batch|instance|group|none, got '" +
                     o.normalization + "'");
  if (!is_one_of(o.init, {"kaiming", "xavier", "default"}))
    throw InputError("vnet: init must be one of kaiming|xavier|default, got '" + o.init + "'");
}

int64_t vnet_group_count(int64_t channels) {
  for (int64_t g = std::min<int64_t>(16, channels); g > 1; --g)
    if (channels % g == 0) return g;
  return 1;
}

VNetImpl::VNetImpl(VNetOptions options) : options_(std::move(options)) {
  validate(options_);
  const int64_t f = options_.n_filters;
  const Norm n{options_.normalization, options_.sync_batch_norm};

  block_one_ = register_module("block_one", conv_block(1, options_.in_channels, f, n));
  block_one_dw_ = register_module("block_one_dw", down_block(f, 2 * f, n));
  block_two_ = register_module("block_two", conv_block(2, 2 * f, 2 * f, n));
  block_two_dw_ = register_module("block_two_dw", down_block(2 * f, 4 * f, n));
  block_three_ = register_module("block_three", conv_block(3, 4 * f, 4 * f, n));
  block_three_dw_ = register_module("block_three_dw", down_block(4 * f, 8 * f, n));
  block_four_ = register_module("block_four", conv_block(3, 8 * f, 8 * f, n));
  block_four_dw_ = register_module("block_four_dw", down_block(8 * f, 16 * f, n));
  block_five_ = register_module("block_five", conv_block(3, 16 * f, 16 * f, n));
  block_five_up_ = register_module("block_five_up", up_block(16 * f, 8 * f, n));
  block_six_ = register_module("block_six", conv_block(3, 8 * f, 8 * f, n));
  block_six_up_ = register_module("block_six_up", up_block(8 * f, 4 * f, n));
  block_seven_ = register_module("block_seven", conv_block(3, 4 * f, 4 * f, n));
  block_seven_up_ = register_module("block_seven_up", up_block(4 * f, 2 * f, n));
  block_eight_ = register_module("block_eight", conv_block(2, 2 * f, 2 * f, n));
  block_eight_up_ = register_module("block_eight_up", up_block(2 * f, f, n));
  block_nine_ = register_module("block_nine", conv_block(1, f, f, n));
  out_conv_ = register_module(
      "out_conv", nn::Conv3d(nn::Conv3dOptions(f, options_.n_classes, 1).padding(0)));
  // Registered even when unused so the module tree does not depend on it;
  // Dropout3d has no parameters.
  dropout_ = register_module("dropout", nn::Dropout3d(nn::Dropout3dOptions(0.5)));

  if (options_.init != "default") initialize(options_.init);
}

void VNetImpl::initialize(const std::string& init) {
  if (!is_one_of(init, {"kaiming", "xavier", "default"}))
    throw InputError("vnet: init must be one of kaiming|xavier|default, got '" + init + "'");
  for (const auto& m : modules(/*include_self=*/false)) {
    if (auto* conv = m->as<nn::Conv3d>()) {
      if (init == "kaiming")
        nn::init::kaiming_normal_(conv->weight);
      else if (init == "xavier")
        nn::init::xavier_normal_(conv->weight);
      else
        conv->reset_parameters();
    } else if (auto* bn = m->as<nn::BatchNorm3d>()) {
      if (init == "default") {
        bn->reset_parameters();
      } else {
        nn::init::ones_(bn->weight);
        nn::init::zeros_(bn->bias);
      }
    } else if (init == "default") {
      // The lineage's init leaves these alone; "default" restores them too.
      if (auto* up = m->as<nn::ConvTranspose3d>()) up->reset_parameters();
      if (auto* gn = m->as<nn::GroupNorm>()) gn->reset_parameters();
    }
  }
  options_.init = init;
}

at::Tensor VNetImpl::forward(const at::Tensor& x) {
  if (x.dim() != 5 || x.size(1) != options_.in_channels)
    throw InputError("vnet: expected input [B, " + std::to_string(options_.in_channels) +
                     ", D0, D1, D2], got " + shape_string(x));
  for (int64_t d = 2; d < 5; ++d)
    if (x.size(d) % kVNetSizeMultiple != 0 || x.size(d) == 0)
      throw InputError("vnet: every spatial size must be a positive multiple of 16, got input " +
                       shape_string(x));
  const bool drop = options_.dropout;

  // Encoder.
  at::Tensor x1 = block_one_->forward(x);
  at::Tensor x2 = block_two_->forward(block_one_dw_->forward(x1));
  at::Tensor x3 = block_three_->forward(block_two_dw_->forward(x2));
  at::Tensor x4 = block_four_->forward(block_three_dw_->forward(x3));
  at::Tensor x5 = block_five_->forward(block_four_dw_->forward(x4));
  if (drop) x5 = dropout_->forward(x5);

  // Decoder: upsampled features are added to the skip, not concatenated.
  at::Tensor x6 = block_six_->forward(block_five_up_->forward(x5) + x4);
  at::Tensor x7 = block_seven_->forward(block_six_up_->forward(x6) + x3);
  at::Tensor x8 = block_eight_->forward(block_seven_up_->forward(x7) + x2);
  at::Tensor x9 = block_nine_->forward(block_eight_up_->forward(x8) + x1);
  if (drop) x9 = dropout_->forward(x9);
  return out_conv_->forward(x9);
}

int64_t count_parameters(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters(/*recurse=*/true)) n += p.numel();
  return n;
}

}  // namespace flowrun
