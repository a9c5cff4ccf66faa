// The `train.optimizer` resource, RNG state capture and the lr schedules.
#include "plugins/train/train_state.h"

#include <cmath>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <torch/optim/sgd.h>

#include "core/base64.h"
#include "core/error.h"
#include "lib/torch/gradient_sync.h"
#include "lib/torch/torch_compat.h"

using nlohmann::json;

namespace flowrun {

TrainState::TrainState(std::string name, json params) : name_(std::move(name)), params_(std::move(params)) {}
TrainState::~TrainState() = default;

void TrainState::bind(const NodeContext& ctx) {
  std::lock_guard<std::mutex> lock(mu);
  if (sgd_) return;
  std::vector<at::Tensor> parameters;
  for (auto& net : nets()) {
    auto m = ctx.resource<SegmentationModel>(net);
    for (auto& p : m->module().parameters()) parameters.push_back(p);
    models_[net] = std::move(m);
  }
  if (parameters.empty()) throw InputError("resource '" + name_ + "': the networks " + params_["nets"].dump() +
                                           " have no parameters to optimize");
  torch::optim::SGDOptions o(base_lr());
  o.momentum(params_["momentum"].get<double>())
      .weight_decay(params_["weight_decay"].get<double>())
      .nesterov(params_["nesterov"].get<bool>());
  if (o.nesterov() && o.momentum() <= 0)
    throw InputError("resource '" + name_ + "': nesterov needs momentum > 0");
  sgd_ = std::make_unique<torch::optim::SGD>(parameters, o);
  if (Collectives* c = collectives_of(ctx))
    sync_ = std::make_unique<GradientSync>(parameters, *c,
                                           static_cast<int64_t>(ctx.globals.value("dist_bucket_mb", 25.0) * 1048576.0));
}

torch::optim::SGD& TrainState::sgd() {
  if (!sgd_) throw RunError("resource '" + name_ + "': optimizer used before a node bound it to its networks");
  return *sgd_;
}

std::map<std::string, SegmentationModel*> TrainState::models() const {
  std::map<std::string, SegmentationModel*> m;
  for (auto& [k, v] : models_) m[k] = v.get();
  return m;
}

namespace {

std::string to_base64(const at::Tensor& bytes) {
  const at::Tensor t = bytes.to(at::kCPU).contiguous();
  return base64_encode(t.data_ptr<uint8_t>(), static_cast<size_t>(t.numel()));
}

at::Tensor from_base64(const std::string& s, const std::string& where) {
  std::optional<std::vector<uint8_t>> bytes = base64_decode(s);
  if (!bytes) throw InputError(where + ": corrupt RNG state in the checkpoint metadata");
  return at::tensor(*bytes, at::kByte);
}

}  // namespace

json capture_rng_state() {
  json s = json::object();
  {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    s["cpu"] = to_base64(gen.get_state());
  }
  if (at::globalContext().hasCUDA()) {
    json cuda = json::array();
    const int64_t n = cuda_device_count();
    for (int64_t i = 0; i < n; ++i) {
      auto gen = at::globalContext().defaultGenerator(c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(i)));
      std::lock_guard<std::mutex> lock(gen.mutex());
      cuda.push_back(to_base64(gen.get_state()));
    }
    s["cuda"] = cuda;
  }
  return s;
}

void restore_rng_state(const json& state, const std::string& where) {
  if (!state.is_object() || !state.contains("cpu")) return;  // written without RNG state
  {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    try {
      gen.set_state(from_base64(state["cpu"].get<std::string>(), where));
    } catch (const c10::Error& e) {
      throw InputError(where + ": corrupt CPU RNG state: " + e.what_without_backtrace());
    }
  }
  // CUDA states only carry over to the same number of devices; otherwise the
  // run goes on with fresh CUDA streams (weights and optimizer still resume).
  if (state.contains("cuda") && at::globalContext().hasCUDA() &&
      static_cast<int64_t>(state["cuda"].size()) == cuda_device_count()) {
    for (size_t i = 0; i < state["cuda"].size(); ++i) {
      auto gen = at::globalContext().defaultGenerator(c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(i)));
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_state(from_base64(state["cuda"][i].get<std::string>(), where));
    }
  }
}

double scheduled_lr(const std::string& schedule, double lr0, int64_t iteration, int64_t total, double power) {
  if (schedule == "constant" || total <= 0) return lr0;
  const double left = std::max(0.0, 1.0 - static_cast<double>(iteration) / static_cast<double>(total));
  return lr0 * std::pow(left, power);
}

void register_train_state(Registry& r) { r.add_resource(train_optimizer_schema(), [](const ResourceContext& c) { return std::make_shared<TrainState>(c.name, c.params); }); }

}  // namespace flowrun
