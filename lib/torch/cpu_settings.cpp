// glibc malloc and thread-pool settings for tensor-heavy processes.
#include "lib/torch/cpu_settings.h"

#include <dlfcn.h>
#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include <ATen/Parallel.h>

#include "core/cpu_count.h"

namespace flowrun {

bool tune_malloc_for_tensors() {
  const char* env = std::getenv("FLOWRUN_MALLOC_TUNING");
  if (env && std::strcmp(env, "0") == 0) return false;
  // Blocks up to 1 GiB come from the heap and freed memory stays mapped for
  // reuse; setting these also disables glibc's dynamic threshold adjustment.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  return true;
}

int set_blas_threads(int n) {
  // Looked up at run time: OpenBLAS comes in through LibTorch's own
  // dependencies (or not at all with another BLAS), never linked by us.
  using SetFn = void (*)(int);
  using GetFn = int (*)();
  auto set = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  auto get = reinterpret_cast<GetFn>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  if (!set || !get) return 0;
  const char* env = std::getenv("OPENBLAS_NUM_THREADS");
  if (!(env && *env)) set(std::max(1, n));
  return get();
}

CpuThreads configure_cpu_threads(int torch_threads) {
  int n = torch_threads;
  // The compute stage is the bottleneck; CPU stages mostly wait for tokens, so
  // giving LibTorch every core and leaving oneTBB's workers to the gaps keeps
  // both busy without doubling the threads that compete for a core.
  if (n <= 0) n = usable_cpu_count();
  at::set_num_threads(n);
  CpuThreads t;
  t.torch = n;
  t.blas = set_blas_threads(1);
  return t;
}

}  // namespace flowrun
