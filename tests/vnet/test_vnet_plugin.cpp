// Tests of the vnet plugin: loading, the vnet.model resource's parameters,
// architecture, deterministic per-name initialisation, forward checks, device.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/error.h"
#include "core/param_schema.h"
#include "core/plugin_loader.h"
#include "core/registry.h"
#include "lib/torch/segmentation_model.h"
#include "plugins/vnet/vnet.h"

namespace flowrun {
namespace {

class VNetPlugin : public ::testing::Test {
 protected:
  Registry registry;
  PluginLoader loader{registry};
  void SetUp() override { loader.load(FLOWRUN_VNET_PLUGIN); }

  std::shared_ptr<SegmentationModel> create(const std::string& name, nlohmann::json params,
                                            nlohmann::json globals = {{"seed", 1337}, {"device", "cpu"}}) {
    const ResourceType* t = registry.resource("vnet.model");
    EXPECT_NE(t, nullptr);
    ResourceContext rc{name, validate_params(params, t->schema.params, "test"), globals, "."};
    auto model = std::dynamic_pointer_cast<SegmentationModel>(registry.create_resource("vnet.model", rc));
    EXPECT_NE(model, nullptr) << "vnet.model does not implement SegmentationModel";
    return model;
  }
  static nlohmann::json tiny() { return {{"n_filters", 4}}; }
};

// True when every parameter of a equals the same-named parameter of b.
bool same_weights(torch::nn::Module& a, torch::nn::Module& b) {
  auto pa = a.named_parameters(), pb = b.named_parameters();
  if (pa.size() != pb.size()) return false;
  for (const auto& kv : pa)
    if (!torch::equal(kv.value(), pb[kv.key()])) return false;
  return true;
}

TEST_F(VNetPlugin, RegistersTheResourceWithItsParameters) {
  ASSERT_EQ(loader.loaded().size(), 1u);
  EXPECT_EQ(loader.loaded()[0].name, "vnet");
  const ResourceType* t = registry.resource("vnet.model");
  ASSERT_NE(t, nullptr);
  std::vector<std::string> names;
  for (const auto& p : t->schema.params) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"in_channels", "n_classes", "n_filters", "dropout", "normalization", "init"}));
  EXPECT_THROW(validate_params({{"normalization", "layer"}}, t->schema.params, "test"), InputError);
  EXPECT_THROW(validate_params({{"init", "orthogonal"}}, t->schema.params, "test"), InputError);
}

TEST_F(VNetPlugin, DefaultModelIsTheLineageVNet) {
  auto m = create("net1", nlohmann::json::object());
  EXPECT_EQ(count_parameters(m->module()), 9448866);
  EXPECT_EQ(m->in_channels(), 1);
  EXPECT_EQ(m->n_classes(), 2);
  EXPECT_EQ(m->size_divisor(), 16);
  EXPECT_TRUE(m->device().is_cpu());
  EXPECT_EQ(m->architecture(), (nlohmann::json{{"type", "vnet"}, {"in_channels", 1}, {"n_classes", 2},
                                               {"n_filters", 16}, {"normalization", "batch"}}));
}

TEST_F(VNetPlugin, ArchitectureIgnoresInitAndDropout) {
  auto a = create("a", {{"n_filters", 4}, {"init", "kaiming"}, {"dropout", true}});
  auto b = create("b", {{"n_filters", 4}, {"init", "xavier"}, {"dropout", false}});
  auto c = create("c", {{"n_filters", 4}, {"normalization", "group"}, {"n_classes", 3}, {"in_channels", 4}});
  EXPECT_EQ(a->architecture(), b->architecture());
  EXPECT_NE(a->architecture(), c->architecture());
  EXPECT_EQ(c->architecture()["normalization"], "group");
  EXPECT_EQ(c->n_classes(), 3);
  EXPECT_EQ(c->in_channels(), 4);
}

TEST_F(VNetPlugin, InitialisationDependsOnSeedAndNameOnly) {
  auto a1 = create("net1", tiny());
  auto a2 = create("net1", tiny());
  auto b = create("net2", tiny());
  auto other_seed = create("net1", tiny(), {{"seed", 7}, {"device", "cpu"}});
  EXPECT_TRUE(same_weights(a1->module(), a2->module()));
  EXPECT_FALSE(same_weights(a1->module(), b->module()));
  EXPECT_FALSE(same_weights(a1->module(), other_seed->module()));
}

TEST_F(VNetPlugin, CreatingAModelLeavesTheGlobalGeneratorAlone) {
  torch::manual_seed(5);
  const at::Tensor expected = torch::rand({8});
  torch::manual_seed(5);
  create("net1", tiny());
  EXPECT_TRUE(torch::equal(torch::rand({8}), expected));
}

TEST_F(VNetPlugin, ForwardGivesLogitsAndNamesABadShape) {
  auto m = create("net1", tiny());
  m->module().eval();
  const at::Tensor y = m->forward(torch::randn({2, 1, 16, 16, 32}));
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2, 2, 16, 16, 32}));
  try {
    m->forward(torch::randn({1, 1, 20, 16, 16}));
    ADD_FAILURE() << "a size of 20 was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("[1, 1, 20, 16, 16]"), std::string::npos) << e.what();
  }
}

TEST_F(VNetPlugin, UnknownDeviceIsAnInputError) {
  EXPECT_THROW(create("net1", tiny(), {{"seed", 1}, {"device", "tpu"}}), InputError);
}

}  // namespace
}  // namespace flowrun
