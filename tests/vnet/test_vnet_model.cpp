// Tests of the lineage V-Net: size, shapes per normalisation, dropout
// behaviour, initialisation, option and input validation.
#include <cmath>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/error.h"
#include "plugins/vnet/vnet.h"

namespace flowrun {
namespace {

VNetOptions small(const std::string& norm = "batch") {
  VNetOptions o;
  o.n_filters = 4;
  o.normalization = norm;
  return o;
}

// Standard deviation of all weights of one Conv3d, looked up by name.
double weight_std(VNet& net, const std::string& name) {
  return net->named_parameters()[name].std().item<double>();
}

TEST(VNet, LineageParameterCountAtSixteenFilters) {
  // in 1, classes 2, f 16, batch norm: the UA-MT/MC-Net V-Net has 9,448,866
  // parameters (sum of numel over model.parameters()).
  VNet net(VNetOptions{});
  EXPECT_EQ(count_parameters(*net), 9448866);
}

TEST(VNet, ParameterNamesFollowLineage) {
  VNet net(VNetOptions{});
  auto params = net->named_parameters();
  EXPECT_TRUE(params.contains("block_one.conv.0.weight"));
  EXPECT_TRUE(params.contains("block_one.conv.1.weight"));  // BatchNorm after the conv
  EXPECT_TRUE(params.contains("block_five_up.conv.0.weight"));
  EXPECT_TRUE(params.contains("out_conv.bias"));
  EXPECT_EQ(params["block_five.conv.6.weight"].sizes(), (std::vector<int64_t>{256, 256, 3, 3, 3}));
  EXPECT_EQ(params["out_conv.weight"].sizes(), (std::vector<int64_t>{2, 16, 1, 1, 1}));
}

TEST(VNet, ParameterCountWithoutNormalisationDropsOnlyNormParameters) {
  VNetOptions o;
  o.normalization = "none";
  VNet net(o);
  // Each BatchNorm has 2 * channels parameters; the widths of the 29 norm
  // layers at f 16 sum to 2800 (16 + 32 + 2*32 + 64 + 3*64 + 128 + 3*128 + 256
  // + 3*256 + 128 + 3*128 + 64 + 3*64 + 32 + 2*32 + 16 + 16).
  EXPECT_EQ(count_parameters(*net), 9448866 - 2 * 2800);
}

class VNetNorm : public ::testing::TestWithParam<std::string> {};

TEST_P(VNetNorm, ForwardKeepsSpatialShape) {
  torch::manual_seed(0);
  VNet net(small(GetParam()));
  auto x = torch::randn({2, 1, 16, 16, 16});
  auto y = net->forward(x);
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2, 2, 16, 16, 16}));
  EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
}

INSTANTIATE_TEST_SUITE_P(Norms, VNetNorm,
                         ::testing::Values("batch", "instance", "group", "none"));

TEST(VNet, GroupCountIsLargestDivisorUpToSixteen) {
  EXPECT_EQ(vnet_group_count(256), 16);
  EXPECT_EQ(vnet_group_count(16), 16);
  EXPECT_EQ(vnet_group_count(8), 8);
  EXPECT_EQ(vnet_group_count(12), 12);
  EXPECT_EQ(vnet_group_count(24), 12);
  EXPECT_EQ(vnet_group_count(17), 1);
}

TEST(VNet, DropoutActsOnlyInTrainingMode) {
  torch::manual_seed(1);
  VNet net(small());
  auto x = torch::randn({2, 1, 16, 16, 16});
  net->train();
  auto a = net->forward(x);
  auto b = net->forward(x);
  EXPECT_FALSE(torch::allclose(a, b));
  net->eval();
  auto c = net->forward(x);
  auto d = net->forward(x);
  EXPECT_TRUE(torch::equal(c, d));
}

TEST(VNet, WithoutDropoutTrainingForwardIsDeterministic) {
  torch::manual_seed(1);
  VNetOptions o = small();
  o.dropout = false;
  VNet net(o);
  net->train();
  auto x = torch::randn({2, 1, 16, 16, 16});
  EXPECT_TRUE(torch::allclose(net->forward(x), net->forward(x)));
}

TEST(VNet, InitMatchesTheoreticalStd) {
  // block_five.conv.3 is a 3x3x3 conv 64 -> 64 at f 4: fan_in = fan_out =
  // 64 * 27 = 1728 over 110,592 weights.
  const std::string name = "block_five.conv.3.weight";
  const double fan = 64.0 * 27.0;
  VNetOptions o = small();
  torch::manual_seed(2);
  o.init = "kaiming";
  VNet k(o);
  EXPECT_NEAR(weight_std(k, name), std::sqrt(2.0 / fan), 0.02 * std::sqrt(2.0 / fan));
  o.init = "xavier";
  VNet xv(o);
  EXPECT_NEAR(weight_std(xv, name), std::sqrt(2.0 / (fan + fan)), 0.02 * std::sqrt(1.0 / fan));
  o.init = "default";
  VNet d(o);
  // LibTorch default: kaiming_uniform_ with a = sqrt(5): std = 1 / sqrt(3 fan_in).
  EXPECT_NEAR(weight_std(d, name), 1.0 / std::sqrt(3.0 * fan), 0.02 / std::sqrt(3.0 * fan));
  // BatchNorm weight 1 / bias 0 under the lineage init.
  auto bn_w = k->named_parameters()["block_five.conv.4.weight"];
  EXPECT_TRUE(torch::equal(bn_w, torch::ones_like(bn_w)));
}

TEST(VNet, SameSeedGivesSameWeights) {
  VNetOptions o = small();
  o.init = "xavier";
  torch::manual_seed(7);
  VNet a(o);
  torch::manual_seed(7);
  VNet b(o);
  torch::manual_seed(8);
  VNet c(o);
  auto pa = a->parameters(), pb = b->parameters(), pc = c->parameters();
  ASSERT_EQ(pa.size(), pb.size());
  bool all_same = true, any_diff_c = false;
  for (size_t i = 0; i < pa.size(); ++i) {
    all_same = all_same && torch::equal(pa[i], pb[i]);
    any_diff_c = any_diff_c || !torch::equal(pa[i], pc[i]);
  }
  EXPECT_TRUE(all_same);
  EXPECT_TRUE(any_diff_c);
}

TEST(VNet, RejectsSpatialSizeNotDivisibleBySixteen) {
  VNet net(small());
  net->eval();
  try {
    net->forward(torch::zeros({1, 1, 16, 24, 16}));
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("24"), std::string::npos) << e.what();
  }
  EXPECT_THROW(net->forward(torch::zeros({1, 2, 16, 16, 16})), InputError);  // channels
  EXPECT_THROW(net->forward(torch::zeros({1, 16, 16, 16})), InputError);     // rank
}

TEST(VNet, RejectsUnknownOptions) {
  VNetOptions o = small();
  o.normalization = "layer";
  EXPECT_THROW(VNet{o}, InputError);
  o = small();
  o.init = "orthogonal";
  EXPECT_THROW(VNet{o}, InputError);
  o = small();
  o.n_filters = 0;
  EXPECT_THROW(VNet{o}, InputError);
}

}  // namespace
}  // namespace flowrun
