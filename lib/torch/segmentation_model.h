// The interface between model resources (e.g. the vnet plugin's vnet.model)
// and the nodes that use them (forward, optimizer step, checkpoints,
// evaluation), so plugins share models without knowing each other's classes.
// Installed for plugin authors (include/flowrun/lib/torch). Its layout is part
// of the plugin ABI: changing a virtual function here means raising
// FLOWRUN_ABI_VERSION in core/plugin_api.h.
#pragma once

#include <mutex>
#include <string>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>
#include <torch/nn/module.h>

#include "core/resource.h"

namespace flowrun {

class SegmentationModel : public Resource {
 public:
  // The module: parameters, train()/eval(), save/load.
  virtual torch::nn::Module& module() = 0;
  // x: [B, C, X, Y, Z] float on device(); returns logits [B, K, X, Y, Z].
  virtual at::Tensor forward(const at::Tensor& x) = 0;
  // What must match for a checkpoint to load (type, channels, classes, widths, norm).
  virtual nlohmann::json architecture() const = 0;
  virtual int64_t in_channels() const = 0;
  virtual int64_t n_classes() const = 0;
  virtual at::Device device() const = 0;
  // Every spatial size of an input must be a multiple of this (16 for V-Net).
  virtual int64_t size_divisor() const = 0;
};

}  // namespace flowrun
