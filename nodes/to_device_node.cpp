// data.to_device: moves a batch's tensors to the graph's device. On CUDA the
// host tensors are pinned and copied non-blocking, so the copy overlaps the
// previous step's kernels; on CPU the packet passes through untouched, since a
// copy would only cost memory bandwidth.
#include <ATen/ATen.h>

#include <optional>

#include "core/registry.h"
#include "nodes/builtin_nodes.h"
#include "lib/packets/batch_packet.h"
#include "lib/torch/device.h"

namespace flowrun {
namespace {

class ToDeviceNode : public Node {
 public:
  void open(NodeContext& ctx) override { device_ = resolve_device(ctx.globals.value("device", std::string("auto"))); }

  void process(NodeContext&, BatchIO& io) override {
    if (device_->is_cpu()) {
      io.forward("in", "out");
      return;
    }
    const Packet& in = io.input("in");
    Packet p;
    p.meta = in.meta;
    for (const auto& [name, value] : in.values()) {
      const at::Tensor* t = std::any_cast<at::Tensor>(&value);
      if (!t) {
        p.set(name, value);
      } else if (t->device() == *device_) {
        p.set(name, *t);
      } else if (t->is_cpu()) {
        p.set(name, t->pin_memory().to(*device_, /*non_blocking=*/true));
      } else {
        p.set(name, t->to(*device_));
      }
    }
    io.emit("out", std::move(p));
  }

 private:
  std::optional<c10::Device> device_;
};

}  // namespace

void register_to_device(Registry& r) {
  r.add_node(to_device_schema(), [](const NodeContext&) { return std::make_unique<ToDeviceNode>(); });
}

}  // namespace flowrun
