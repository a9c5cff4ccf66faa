// channel_argmax against at::argmax: random logits, exact ties, NaNs, one
// class, other dimensions.
#include <limits>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "lib/torch/channel_argmax.h"

namespace {

void expect_same_as_argmax(const at::Tensor& x, int64_t dim) {
  const at::Tensor want = x.argmax(dim);
  const at::Tensor got = flowrun::channel_argmax(x, dim);
  ASSERT_EQ(got.sizes(), want.sizes());
  EXPECT_EQ(got.scalar_type(), at::kLong);
  EXPECT_TRUE(torch::equal(got, want)) << "dim " << dim << ", sizes " << x.sizes();
}

TEST(ChannelArgmax, EqualsArgmaxOnRandomLogits) {
  torch::manual_seed(3);
  for (int64_t k : {1, 2, 3, 5}) {
    const at::Tensor x = torch::randn({2, k, 7, 6, 5});
    expect_same_as_argmax(x, 1);
    expect_same_as_argmax(x.select(0, 0), 0);
    expect_same_as_argmax(x, -4);
  }
}

TEST(ChannelArgmax, TiesGoToTheFirstClass) {
  // Values drawn from {0, 1, 2}: most voxels have tied maxima.
  torch::manual_seed(4);
  const at::Tensor x = torch::randint(0, 3, {3, 4, 9, 9, 9}).to(at::kFloat);
  expect_same_as_argmax(x, 1);
  expect_same_as_argmax(torch::zeros({2, 3, 4, 4, 4}), 1);
}

TEST(ChannelArgmax, NanIsTheMaximumAndTheFirstNanWins) {
  torch::manual_seed(5);
  at::Tensor x = torch::randn({1, 3, 4, 4, 4});
  const float nan = std::numeric_limits<float>::quiet_NaN();
  x.index_put_({0, 0, 0, 0, 0}, nan);
  x.index_put_({0, 2, 1, 1, 1}, nan);
  x.index_put_({0, 1, 2, 2, 2}, nan);
  x.index_put_({0, 2, 2, 2, 2}, nan);
  x.index_put_({0, 0, 3, 3, 3}, std::numeric_limits<float>::infinity());
  expect_same_as_argmax(x, 1);
  expect_same_as_argmax(x.to(at::kDouble), 1);
}

TEST(ChannelArgmax, NonContiguousInput) {
  torch::manual_seed(6);
  const at::Tensor x = torch::randn({4, 2, 6, 6, 6}).slice(0, 1, 3).transpose(2, 4);
  expect_same_as_argmax(x, 1);
}

}  // namespace
