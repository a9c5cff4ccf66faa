// data.collate: stacks a batch's samples into the tensors of a `batch` packet
// (docs/packets.md): crops A of all samples, labelled first, the labels of the
// labelled ones, and crops B of the unlabelled ones when they were shifted.
#include <ATen/ATen.h>

#include <algorithm>

#include "core/registry.h"
#include "nodes/builtin_nodes.h"
#include "lib/ops/shift_crop.h"
#include "lib/packets/batch_packet.h"
#include "nodes/samples_io.h"

namespace flowrun {
namespace {

std::string shape_of(const std::vector<ImageVolume>& chs) {
  return std::to_string(chs.size()) + " x " + (chs.empty() ? std::string("-") : shape_string(chs[0].size));
}

class CollateNode : public Node {
 public:
  void process(NodeContext&, BatchIO& io) override {
    const SampleList& in = input_samples(io);
    if (in.empty()) throw RunError("batch " + std::to_string(io.id()) + ": no samples to collate");
    std::vector<const Sample*> order;
    for (const Sample& s : in)
      if (s.labeled) order.push_back(&s);
    const int64_t L = static_cast<int64_t>(order.size());
    for (const Sample& s : in)
      if (!s.labeled) order.push_back(&s);
    const int64_t B = static_cast<int64_t>(order.size());
    const int64_t U = B - L;

    const Sample& first = *order[0];
    if (first.channels.empty()) throw RunError("case '" + first.id + "': no image channel to collate");
    const int64_t C = static_cast<int64_t>(first.channels.size());
    const Index3 patch = first.channels[0].size;
    auto check_shape = [&](const std::vector<ImageVolume>& chs, const Sample& s, const char* what) {
      bool ok = static_cast<int64_t>(chs.size()) == C;
      for (const auto& ch : chs) ok = ok && ch.size == patch;
      if (!ok)
        throw RunError("batch " + std::to_string(io.id()) + ": case '" + s.id + "' has " + what + " of " +
                       shape_of(chs) + " but case '" + first.id + "' has " + shape_of(first.channels) +
                       " (channels x patch); crop every sample to one patch size before data.collate");
    };

    int64_t with_b = 0;
    for (const Sample* s : order) {
      check_shape(s->channels, *s, "crop A");
      if (s->labeled) {
        if (!s->label) throw RunError("case '" + s->id + "': labelled sample without a label");
        if (s->label->size != patch)
          throw RunError("batch " + std::to_string(io.id()) + ": case '" + s->id + "' has a label of " +
                         shape_string(s->label->size) + " but its crop is " + shape_string(patch));
      } else if (!s->channels_b.empty()) {
        check_shape(s->channels_b, *s, "crop B");
        ++with_b;
      }
    }
    if (with_b != 0 && with_b != U)
      throw RunError("batch " + std::to_string(io.id()) + ": only " + std::to_string(with_b) + " of " +
                     std::to_string(U) + " unlabelled samples have a crop B");

    const at::Tensor image = at::empty({B, C, patch[0], patch[1], patch[2]}, at::kFloat);
    float* dst = image.data_ptr<float>();
    for (const Sample* s : order)
      for (const auto& ch : s->channels) dst = std::copy(ch.data.begin(), ch.data.end(), dst);

    const at::Tensor label = at::empty({L, patch[0], patch[1], patch[2]}, at::kLong);
    int64_t* lab = label.data_ptr<int64_t>();
    for (int64_t i = 0; i < L; ++i)
      lab = std::transform(order[i]->label->data.begin(), order[i]->label->data.end(), lab,
                           [](uint8_t v) { return static_cast<int64_t>(v); });

    Packet p;
    p.meta = io.input("in").meta;
    p.meta["cases"] = nlohmann::json::array();
    p.meta["labeled"] = nlohmann::json::array();
    for (const Sample* s : order) {
      p.meta["cases"].push_back(s->id);
      p.meta["labeled"].push_back(s->labeled);
    }
    p.meta["labeled_count"] = L;
    p.meta["unlabeled_count"] = U;
    p.meta["shifts"] = nlohmann::json::array();
    for (int64_t i = L; i < B; ++i) {
      const Index3& d = order[i]->shift;
      p.meta["shifts"].push_back({d[0], d[1], d[2]});
    }
    p.meta["patch"] = {patch[0], patch[1], patch[2]};
    if (with_b > 0) {
      p.meta[batch_packet::kMetaOverlaps] = nlohmann::json::array();
      for (int64_t i = L; i < B; ++i)
        p.meta[batch_packet::kMetaOverlaps].push_back(overlap_to_json(order[i]->overlap_a, order[i]->overlap_b));
    }
    p.set(batch_packet::kImage, image);
    p.set(batch_packet::kLabel, label);
    if (with_b > 0) {
      const at::Tensor image_b = at::empty({U, C, patch[0], patch[1], patch[2]}, at::kFloat);
      float* b = image_b.data_ptr<float>();
      for (int64_t i = L; i < B; ++i)
        for (const auto& ch : order[i]->channels_b) b = std::copy(ch.data.begin(), ch.data.end(), b);
      p.set(batch_packet::kImageB, image_b);
    }
    io.emit("out", std::move(p));
  }
};

}  // namespace

void register_collate(Registry& r) {
  r.add_node(collate_schema(), [](const NodeContext&) { return std::make_unique<CollateNode>(); });
}

}  // namespace flowrun
