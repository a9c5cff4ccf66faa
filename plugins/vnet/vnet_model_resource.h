// The `vnet.model` resource: a V-Net owned by the graph and shared by nodes
// through the SegmentationModel interface (forward, optimizer, checkpoints).
#pragma once

#include <string>

#include "core/resource.h"
#include "plugins/vnet/vnet_registration.h"
#include "lib/torch/segmentation_model.h"
#include "plugins/vnet/vnet.h"

namespace flowrun {

class VNetModel : public SegmentationModel {
 public:
  // Builds the network on the CPU from a generator seeded by (seed, name), so
  // two resources of one graph start different, a rerun starts identical, and
  // the weights do not depend on the device; then moves it to `device`.
  VNetModel(const VNetOptions& options, uint64_t seed, const std::string& name, c10::Device device);

  torch::nn::Module& module() override { return *net_; }
  at::Tensor forward(const at::Tensor& x) override { return net_->forward(x); }
  nlohmann::json architecture() const override;
  int64_t in_channels() const override { return net_->options().in_channels; }
  int64_t n_classes() const override { return net_->options().n_classes; }
  at::Device device() const override { return device_; }
  int64_t size_divisor() const override { return kVNetSizeMultiple; }

  VNet& net() { return net_; }

 private:
  VNet net_{nullptr};
  c10::Device device_;
};

// The seed a resource called `name` initialises its weights from.
uint64_t model_init_seed(uint64_t graph_seed, const std::string& name);

}  // namespace flowrun
