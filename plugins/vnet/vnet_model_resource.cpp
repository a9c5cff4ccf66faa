// The `vnet.model` resource: parameters, deterministic construction, device.
#include "plugins/vnet/vnet_model_resource.h"

#include <mutex>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "core/node_schema.h"
#include "core/rng.h"
#include "lib/torch/collectives.h"
#include "lib/torch/device.h"

namespace flowrun {

uint64_t model_init_seed(uint64_t graph_seed, const std::string& name) {
  return mix64(mix64(graph_seed) ^ hash_name("vnet.model/" + name));
}

VNetModel::VNetModel(const VNetOptions& options, uint64_t seed, const std::string& name,
                     c10::Device device)
    : device_(device) {
  // LibTorch's nn::init draws from the default CPU generator and takes no
  // generator argument, so the default one is seeded for the construction and
  // its previous state put back afterwards: creating a model must not shift
  // the random streams of anything else. The static mutex keeps two models
  // built at once from interleaving their draws.
  static std::mutex construction;
  std::lock_guard<std::mutex> guard(construction);
  at::Generator gen = at::detail::getDefaultCPUGenerator();
  at::Tensor saved;
  {
    std::lock_guard<std::mutex> lock(gen.mutex());
    saved = gen.get_state();
    gen.set_current_seed(model_init_seed(seed, name));
  }
  try {
    net_ = VNet(options);
  } catch (...) {
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(saved);
    throw;
  }
  {
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(saved);
  }
  net_->to(device_);
}

nlohmann::json VNetModel::architecture() const {
  const VNetOptions& o = net_->options();
  // init and dropout do not change the weights' shapes or meaning, so a
  // checkpoint of a kaiming net loads into a xavier one.
  return {{"type", "vnet"},
          {"in_channels", o.in_channels},
          {"n_classes", o.n_classes},
          {"n_filters", o.n_filters},
          {"normalization", o.normalization}};
}

namespace {

std::shared_ptr<Resource> make_vnet_model(const ResourceContext& ctx) {
  VNetOptions o;
  o.in_channels = ctx.params.at("in_channels").get<int64_t>();
  o.n_classes = ctx.params.at("n_classes").get<int64_t>();
  o.n_filters = ctx.params.at("n_filters").get<int64_t>();
  o.dropout = ctx.params.at("dropout").get<bool>();
  o.normalization = ctx.params.at("normalization").get<std::string>();
  o.init = ctx.params.at("init").get<std::string>();
  if (ctx.globals.value("sync_batchnorm", false) && ctx.dist.distributed())
    o.sync_batch_norm = static_cast<Collectives*>(ctx.dist.collectives.get());
  const c10::Device device = resolve_device(ctx.globals.value("device", std::string("auto")));
  const uint64_t seed = ctx.globals.value("seed", uint64_t{1337});
  return std::make_shared<VNetModel>(o, seed, ctx.name, device);
}

}  // namespace

void register_vnet_model(Registry& r) { r.add_resource(vnet_model_schema(), &make_vnet_model); }

}  // namespace flowrun
