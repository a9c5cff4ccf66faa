// The CUDA path, run on a GPU machine by scripts/gpu/check.sh (each test
// skips, saying so, where LibTorch sees no GPU): bf16 autocast on and off,
// the out-of-memory message, the CUDA RNG state through a checkpoint's
// metadata, and the caching allocator's figures. to_device's pinned,
// non-blocking copy is tested in tests/nodes (ToDeviceNode.Cuda*).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "lib/torch/checkpoint.h"
#include "lib/torch/torch_compat.h"
#include "plugins/train/train_state.h"
#include "tests/cotwin/cotwin_graph_fixture.h"

namespace flowrun {
namespace {

using nlohmann::json;

#define REQUIRE_CUDA() \
  if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device visible to LibTorch (" << torch_build_summary() << ")"

TEST(Bf16Autocast, Bf16ConvolutionsInsideFloatOutsideAndStateRestored) {
  REQUIRE_CUDA();
  const at::Tensor x = torch::randn({1, 2, 8, 8, 8}, torch::kCUDA);
  const at::Tensor w = torch::randn({4, 2, 3, 3, 3}, torch::kCUDA);
  EXPECT_EQ(at::conv3d(x, w).scalar_type(), at::kFloat);
  {
    const Bf16Autocast on(true, /*cuda=*/true);
    EXPECT_EQ(at::conv3d(x, w).scalar_type(), at::kBFloat16);
    {
      const Bf16Autocast nested(true, /*cuda=*/true);
      EXPECT_EQ(at::conv3d(x, w).scalar_type(), at::kBFloat16);
    }
    EXPECT_EQ(at::conv3d(x, w).scalar_type(), at::kBFloat16) << "the inner region switched autocast off";
    const Bf16Autocast off(false, /*cuda=*/true);
    EXPECT_EQ(at::conv3d(x, w).scalar_type(), at::kBFloat16) << "Bf16Autocast(false, ...) must change nothing";
  }
  EXPECT_EQ(at::conv3d(x, w).scalar_type(), at::kFloat) << "autocast left on after the region";
}

class CudaCotwin : public cotwintest::CotwinNodes {
 protected:
  void SetUp() override {
    if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device visible to LibTorch (" << torch_build_summary() << ")";
    CotwinNodes::SetUp();
    device = "cuda";
  }
};

TEST_F(CudaCotwin, Bf16ForwardGivesFloatLogitsAndTermsCloseToFp32) {
  auto terms_of = [&](bool bf16) {
    run(graph(1, {{"fixed", true}}, {{"bf16", bf16}}, {}, {{"rampup", "constant"}}, {}, /*dropout=*/false));
    EXPECT_EQ(captured.size(), 1u);
    const at::Tensor& logits = value(captured.at(0).forward, "logits1");
    EXPECT_TRUE(logits.is_cuda());
    EXPECT_EQ(logits.scalar_type(), at::kFloat) << "the loss must see fp32 logits";
    return captured.at(0).loss->meta["terms"];
  };
  const json fp32 = terms_of(false), bf16 = terms_of(true);
  for (const char* k : {"sup1", "sup2", "fix1", "dyn2", "total"}) {
    const double a = fp32[k].get<double>(), b = bf16[k].get<double>();
    EXPECT_TRUE(std::isfinite(b)) << k;
    EXPECT_NEAR(b, a, 0.05 * std::max(1.0, std::abs(a))) << k << ": bf16 " << b << " vs fp32 " << a;
  }
}

TEST_F(CudaCotwin, OutOfMemoryNamesTheNodeBatchAndWhatToShrink) {
  // The allocator is capped at 1 % of the device (0.8 GB on an H100), so the
  // 0.5 GB activations of a 16-filter V-Net on four 128^3 crops overflow it
  // as a plain allocation failure: the huge tensors that would overflow a
  // whole GPU break 32-bit indexing in kernels before they run out of memory.
  crop = 128;
  json doc = graph(1, {{"with_b", false}}, {}, {{"dynamic", false}}, {{"dynamic", false}});
  for (const char* net : {"net1", "net2"}) doc["resources"][net]["params"]["n_filters"] = 16;
  set_cuda_memory_fraction(0.01);
  std::string message;
  try {
    run(doc);
  } catch (const RunError& e) {
    message = e.what();
  }
  set_cuda_memory_fraction(1.0);
  captured.clear();
  ASSERT_FALSE(message.empty()) << "the batch fitted in 1 % of the GPU";
  EXPECT_NE(message.find("out of memory on cuda:0"), std::string::npos) << message;
  EXPECT_NE(message.find("batch 0"), std::string::npos) << message;
  EXPECT_NE(message.find("bf16"), std::string::npos) << message;
}

TEST(CudaRng, StateSurvivesACheckpointsMetadata) {
  REQUIRE_CUDA();
  torch::manual_seed(11);
  (void)torch::rand({7}, torch::kCUDA);
  const json saved = capture_rng_state();
  ASSERT_TRUE(saved.contains("cuda")) << saved.dump();
  ASSERT_EQ(saved["cuda"].size(), static_cast<size_t>(cuda_device_count()));
  const at::Tensor first = torch::rand({1000}, torch::kCUDA);
  const at::Tensor first_cpu = torch::rand({10});

  // Through a real checkpoint file's metadata, as train.checkpoint stores it.
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "flowrun_cuda_rng";
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "rng.pt").string();
  save_checkpoint(file, {}, nullptr, {{"flowrun_checkpoint", 1}, {"iteration", 0}, {"graph", json::object()},
                                      {"architectures", json::object()}, {"rng", saved}});
  (void)torch::rand({12345}, torch::kCUDA);  // move the streams on
  restore_rng_state(read_checkpoint_meta(file).at("rng"), file);
  EXPECT_TRUE(torch::equal(torch::rand({1000}, torch::kCUDA), first)) << "CUDA stream not restored";
  EXPECT_TRUE(torch::equal(torch::rand({10}), first_cpu)) << "CPU stream not restored";
  std::filesystem::remove_all(dir);
}

TEST(CudaMemory, CachingAllocatorFiguresFollowAnAllocation) {
  REQUIRE_CUDA();
  ASSERT_TRUE(cuda_build()) << "LibTorch sees a GPU but this build has FLOWRUN_WITH_CUDA off";
  torch::cuda::synchronize();
  reset_cuda_peak_memory(0);
  const CudaMemoryStats before = cuda_memory_stats(0);
  ASSERT_TRUE(before.available);
  {
    const at::Tensor big = torch::empty({64, 1024, 1024}, torch::kCUDA);  // 256 MiB
    const CudaMemoryStats during = cuda_memory_stats(0);
    EXPECT_GE(during.allocated - before.allocated, int64_t{256} << 20);
    EXPECT_GE(during.reserved, during.allocated);
  }
  const CudaMemoryStats after = cuda_memory_stats(0);
  EXPECT_GE(after.peak_allocated - before.allocated, int64_t{256} << 20);
  EXPECT_LE(after.allocated, before.allocated);
}

}  // namespace
}  // namespace flowrun
