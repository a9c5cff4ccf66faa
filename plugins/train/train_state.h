// The `train.optimizer` resource: the optimizer over the networks plus the
// training state the step and checkpoint nodes share (last iteration stepped,
// the RNG state right after that step, whether a step was refused because the
// loss was not finite). A resource rather than a member of the step node so
// the checkpoint node can save and restore it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/node_context.h"
#include "plugins/train/train_nodes.h"
#include "lib/torch/segmentation_model.h"

namespace torch::optim {
class SGD;
}

namespace flowrun {

class GradientSync;

class TrainState : public Resource {
 public:
  TrainState(std::string name, nlohmann::json params);
  ~TrainState() override;

  // A resource factory cannot see other resources, so the optimizer is built
  // on the first call from a node (the models exist by then). Idempotent.
  void bind(const NodeContext& ctx);

  torch::optim::SGD& sgd();
  // Averages gradients over the ranks of a data-parallel run; null otherwise.
  GradientSync* gradient_sync() { return sync_.get(); }
  const std::string& name() const { return name_; }
  double base_lr() const { return params_["lr"].get<double>(); }
  std::vector<std::string> nets() const { return params_["nets"].get<std::vector<std::string>>(); }
  std::map<std::string, SegmentationModel*> models() const;

  // Guards the weights while the step node changes them and the checkpoint
  // node saves them, and the fields below.
  std::mutex mu;
  int64_t last_stepped = -1;
  nlohmann::json rng_after_step;  // capture_rng_state() right after last_stepped
  bool poisoned = false;          // a non-finite loss stopped the run

 private:
  std::string name_;
  nlohmann::json params_;
  std::map<std::string, std::shared_ptr<SegmentationModel>> models_;
  std::unique_ptr<torch::optim::SGD> sgd_;
  std::unique_ptr<GradientSync> sync_;
};

// LibTorch's default generators (CPU, and each CUDA device when present):
// dropout draws from them, so a resumed run restores them to match a run
// that never stopped. Stored as JSON (base64) inside checkpoint metadata.
nlohmann::json capture_rng_state();
void restore_rng_state(const nlohmann::json& state, const std::string& where);

// poly: lr0 * (1 - iteration / total)^power; constant: lr0.
double scheduled_lr(const std::string& schedule, double lr0, int64_t iteration, int64_t total, double power);

}  // namespace flowrun
