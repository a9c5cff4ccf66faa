// Bf16Autocast on CPU: convolutions in bf16 inside, fp32 outside, nesting and
// the off switch, the previous state restored.
#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "lib/torch/torch_compat.h"

namespace {

TEST(Bf16AutocastCpu, ConvolutionsInsideBf16FloatOutsideStateRestored) {
  const at::Tensor x = torch::randn({1, 2, 6, 6, 6});
  const at::Tensor w = torch::randn({3, 2, 3, 3, 3});
  ASSERT_FALSE(at::autocast::is_cpu_enabled());
  {
    const flowrun::Bf16Autocast on(true, /*cuda=*/false);
    EXPECT_TRUE(on.active());
    EXPECT_EQ(at::conv3d(x, w).scalar_type(), at::kBFloat16);
    {
      const flowrun::Bf16Autocast nested(true, /*cuda=*/false);
      EXPECT_EQ(at::conv3d(x, w).scalar_type(), at::kBFloat16);
    }
    EXPECT_EQ(at::conv3d(x, w).scalar_type(), at::kBFloat16) << "the inner region switched autocast off";
    const flowrun::Bf16Autocast off(false, /*cuda=*/false);
    EXPECT_FALSE(off.active());
    EXPECT_EQ(at::conv3d(x, w).scalar_type(), at::kBFloat16) << "Bf16Autocast(false, ...) must change nothing";
  }
  EXPECT_FALSE(at::autocast::is_cpu_enabled()) << "autocast left on after the region";
  EXPECT_EQ(at::conv3d(x, w).scalar_type(), at::kFloat);
}

}  // namespace
