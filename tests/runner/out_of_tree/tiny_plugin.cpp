// An out-of-tree plugin: tiny.model, a two-convolution segmentation model
// that implements flowrun's SegmentationModel (so the shipped CoTwin, train
// and eval nodes train and score it), and tiny.brighten, a batch node.
#include <torch/torch.h>

#include "core/plugin_api.h"
#include "lib/packets/batch_packet.h"
#include "lib/torch/segmentation_model.h"

namespace {

using namespace flowrun;

struct TinyNetImpl : torch::nn::Module {
  TinyNetImpl(int64_t in, int64_t width, int64_t classes)
      : conv(register_module("conv", torch::nn::Conv3d(torch::nn::Conv3dOptions(in, width, 3).padding(1)))),
        norm(register_module("norm", torch::nn::BatchNorm3d(width))),
        head(register_module("head", torch::nn::Conv3d(torch::nn::Conv3dOptions(width, classes, 1)))) {}
  torch::Tensor forward(const torch::Tensor& x) { return head(torch::relu(norm(conv(x)))); }
  torch::nn::Conv3d conv;
  torch::nn::BatchNorm3d norm;
  torch::nn::Conv3d head;
};
TORCH_MODULE(TinyNet);

class TinyModel : public SegmentationModel {
 public:
  explicit TinyModel(const ResourceContext& rc)
      : in_(rc.params["in_channels"]), classes_(rc.params["n_classes"]), width_(rc.params["n_filters"]),
        net_(in_, width_, classes_) {
    const std::string device = rc.globals.value("device", "cpu");
    device_ = device == "auto" ? (torch::cuda::is_available() ? at::Device("cuda") : at::Device("cpu")) : at::Device(device);
    net_->to(device_);
  }
  torch::nn::Module& module() override { return *net_; }
  at::Tensor forward(const at::Tensor& x) override { return net_->forward(x); }
  nlohmann::json architecture() const override {
    return {{"type", "tiny.model"}, {"in_channels", in_}, {"n_classes", classes_}, {"n_filters", width_}};
  }
  int64_t in_channels() const override { return in_; }
  int64_t n_classes() const override { return classes_; }
  at::Device device() const override { return device_; }
  int64_t size_divisor() const override { return 1; }

 private:
  int64_t in_, classes_, width_;
  TinyNet net_;
  at::Device device_{at::kCPU};
};

// Adds `add` to every image voxel (labels untouched): a batch -> batch node.
class Brighten : public Node {
 public:
  void process(NodeContext& ctx, BatchIO& io) override {
    Packet out = io.input("in");
    const at::Tensor image = out.get<at::Tensor>(batch_packet::kImage);
    out.set(batch_packet::kImage, image + ctx.params["add"].get<double>());
    io.emit("out", std::move(out));
  }
};

void register_types(Registry& r) {
  ResourceSchema m;
  m.type = "tiny.model";
  m.doc = "two convolutions: a drop-in segmentation model to test plugins with";
  m.params = {ParamSpec::integer("in_channels", 1, "input channels", 1), ParamSpec::integer("n_classes", 2, "classes", 2),
              ParamSpec::integer("n_filters", 4, "hidden channels", 1),
              ParamSpec::string("init", "default", "accepted so the vnet.model params of a graph still validate")};
  r.add_resource(m, [](const ResourceContext& rc) { return std::make_shared<TinyModel>(rc); });

  NodeSchema b;
  b.type = "tiny.brighten";
  b.doc = "adds a constant to the batch's images";
  b.inputs = {{"in", batch_packet::kType, "a batch", false, {batch_packet::kImage}}};
  b.outputs = {{"out", batch_packet::kType, "the batch, brighter", false, batch_packet::keys()}};
  b.params = {ParamSpec::real("add", 1.0, "added to every voxel")};
  r.add_node(b, [](const NodeContext&) { return std::make_unique<Brighten>(); });
}

}  // namespace

FLOWRUN_PLUGIN("tiny", "1.0", register_types)
