// The tiny plugin's types tested alone with flowrun's installed harness:
// the plugin is loaded as flowrun loads it, the node runs under NodeRunner,
// and the model is created as a graph resource.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include "core/node_runner.h"
#include "core/plugin_loader.h"
#include "lib/packets/batch_packet.h"
#include "lib/torch/segmentation_model.h"

namespace {

using namespace flowrun;

struct Tiny : ::testing::Test {
  Registry registry;
  PluginLoader loader{registry};
  void SetUp() override { loader.load(TINY_PLUGIN); }
};

TEST_F(Tiny, BrightenAddsToImagesOnly) {
  NodeRunner runner(registry, "tiny.brighten", {{"add", 2.5}});
  Packet batch;
  batch.set(batch_packet::kImage, at::zeros({2, 1, 3, 3, 3}));
  batch.set(batch_packet::kLabel, at::ones({1, 3, 3, 3}, at::kLong));
  const PacketPtr out = runner.run_one(0, NodeRunner::packet(0, std::move(batch)));
  EXPECT_TRUE(at::allclose(out->get<at::Tensor>(batch_packet::kImage), at::full({2, 1, 3, 3, 3}, 2.5)));
  EXPECT_TRUE(at::equal(out->get<at::Tensor>(batch_packet::kLabel), at::ones({1, 3, 3, 3}, at::kLong)));
  EXPECT_THROW(NodeRunner(registry, "tiny.brighten", {{"add", "much"}}), InputError);
}

TEST_F(Tiny, ModelIsASegmentationModel) {
  NodeRunner runner(registry, "tiny.brighten");
  auto model = std::dynamic_pointer_cast<SegmentationModel>(runner.resource("net", "tiny.model", {{"n_filters", 3}}));
  ASSERT_TRUE(model);
  const at::Tensor logits = model->forward(at::randn({2, 1, 8, 6, 4}));
  EXPECT_EQ(logits.sizes(), (at::IntArrayRef{2, 2, 8, 6, 4}));
  EXPECT_EQ(model->architecture()["n_filters"], 3);
}

}  // namespace
