// The lineage V-Net (UA-MT / MC-Net networks/vnet.py, plain ConvBlock,
// has_dropout) as a LibTorch module: the backbone of both CoTwin networks.
//
// Submodule names follow the lineage (block_one, block_one_dw, ..., out_conv)
// and each block holds its layers in a Sequential called "conv", so parameter
// names match a lineage state_dict (block_one.conv.0.weight, ...).
#pragma once

#include <cstdint>
#include <string>

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/pimpl.h>

namespace flowrun {

class Collectives;

struct VNetOptions {
  int64_t in_channels = 1;
  int64_t n_classes = 2;
  int64_t n_filters = 16;
  // Dropout3d(p = 0.5) after the bottleneck and the last decoder stage; like
  // any dropout it only acts in training mode.
  bool dropout = true;
  // batch | instance | group | none. group: see vnet_group_count().
  std::string normalization = "batch";
  // kaiming | xavier | default. kaiming/xavier: *_normal_ on every Conv3d
  // weight (out_conv included, ConvTranspose3d excluded, biases untouched) and
  // BatchNorm weight 1 / bias 0, as SSL4MIS's kaiming_normal_init_weight and
  // xavier_normal_init_weight do. default: LibTorch's own initialisation.
  // Draws from the global torch generator: seed it (torch::manual_seed) first.
  std::string init = "kaiming";
  // Data-parallel runs with params.sync_batchnorm: batch norm statistics over
  // every rank's batch (lib/torch/sync_batch_norm.h). Null: per rank.
  Collectives* sync_batch_norm = nullptr;
};

// Throws InputError naming the offending field.
void validate(const VNetOptions& options);

// Groups used by group normalisation for `channels` channels: the lineage
// always uses 16, which needs channels divisible by 16 (true for n_filters 16
// and up); we take the largest divisor of `channels` that is <= 16, so the
// lineage value is kept whenever it is valid and small widths still work.
int64_t vnet_group_count(int64_t channels);

// Every spatial size must be a multiple of 16 (four stride-2 stages).
inline constexpr int64_t kVNetSizeMultiple = 16;

// One lineage block (conv stage, down or up step): its layers live in a
// Sequential registered as "conv".
class VNetBlockImpl : public torch::nn::Module {
 public:
  explicit VNetBlockImpl(torch::nn::Sequential layers);
  at::Tensor forward(const at::Tensor& x) { return conv_->forward(x); }

 private:
  torch::nn::Sequential conv_;
};
TORCH_MODULE(VNetBlock);

class VNetImpl : public torch::nn::Module {
 public:
  explicit VNetImpl(VNetOptions options = {});

  // x: [B, in_channels, D0, D1, D2], each Di divisible by 16. Returns logits
  // [B, n_classes, D0, D1, D2]. Throws InputError on a bad shape.
  at::Tensor forward(const at::Tensor& x);

  // Re-initialises the weights with `init` (kaiming | xavier | default).
  void initialize(const std::string& init);

  const VNetOptions& options() const { return options_; }

 private:
  VNetOptions options_;
  VNetBlock block_one_{nullptr}, block_one_dw_{nullptr};
  VNetBlock block_two_{nullptr}, block_two_dw_{nullptr};
  VNetBlock block_three_{nullptr}, block_three_dw_{nullptr};
  VNetBlock block_four_{nullptr}, block_four_dw_{nullptr};
  VNetBlock block_five_{nullptr}, block_five_up_{nullptr};
  VNetBlock block_six_{nullptr}, block_six_up_{nullptr};
  VNetBlock block_seven_{nullptr}, block_seven_up_{nullptr};
  VNetBlock block_eight_{nullptr}, block_eight_up_{nullptr};
  VNetBlock block_nine_{nullptr};
  torch::nn::Conv3d out_conv_{nullptr};
  torch::nn::Dropout3d dropout_{nullptr};
};
TORCH_MODULE(VNet);

// Number of trainable parameter elements (buffers such as BN running stats
// are not counted), as sum(p.numel() for p in model.parameters()).
int64_t count_parameters(const torch::nn::Module& module);

}  // namespace flowrun
