// Tests of the process-wide CPU settings (lib/torch/cpu_settings.h): LibTorch
// and OpenBLAS thread counts, the user's OPENBLAS_NUM_THREADS, malloc tuning.
#include <cstdlib>

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include "lib/torch/cpu_settings.h"

namespace {

TEST(CpuSettings, TorchGetsTheThreadsAskedForAndBlasOne) {
  unsetenv("OPENBLAS_NUM_THREADS");
  const flowrun::CpuThreads t = flowrun::configure_cpu_threads(1);
  EXPECT_EQ(t.torch, 1);
  EXPECT_EQ(at::get_num_threads(), 1);
  if (t.blas == 0) GTEST_SKIP() << "no OpenBLAS in this process (LibTorch built against another BLAS)";
  EXPECT_EQ(t.blas, 1);
}

TEST(CpuSettings, ZeroMeansOneTorchThreadPerCore) {
  const flowrun::CpuThreads t = flowrun::configure_cpu_threads(0);
  EXPECT_GE(t.torch, 1);
  EXPECT_EQ(at::get_num_threads(), t.torch);
  flowrun::configure_cpu_threads(1);
}

TEST(CpuSettings, TheUsersOpenblasNumThreadsWins) {
  unsetenv("OPENBLAS_NUM_THREADS");
  if (flowrun::set_blas_threads(2) == 0) GTEST_SKIP() << "no OpenBLAS in this process";
  EXPECT_EQ(flowrun::set_blas_threads(2), 2);
  setenv("OPENBLAS_NUM_THREADS", "2", 1);
  EXPECT_EQ(flowrun::set_blas_threads(1), 2) << "an explicit OPENBLAS_NUM_THREADS must not be overridden";
  unsetenv("OPENBLAS_NUM_THREADS");
  EXPECT_EQ(flowrun::set_blas_threads(1), 1);
}

TEST(CpuSettings, MallocTuningCanBeTurnedOff) {
  setenv("FLOWRUN_MALLOC_TUNING", "0", 1);
  EXPECT_FALSE(flowrun::tune_malloc_for_tensors());
  unsetenv("FLOWRUN_MALLOC_TUNING");
  EXPECT_TRUE(flowrun::tune_malloc_for_tensors());
}

}  // namespace
