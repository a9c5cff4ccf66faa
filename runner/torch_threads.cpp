// LibTorch thread configuration.
#include "runner/torch_threads.h"

#include <thread>

#include <ATen/Parallel.h>

namespace flowrun {

int configure_torch_threads(const nlohmann::json& globals) {
  int n = globals.value("torch_threads", 0);
  // The compute stage is the bottleneck; CPU stages mostly wait for tokens, so
  // giving LibTorch every core and leaving oneTBB's workers to the gaps keeps
  // both busy without doubling the threads that compete for a core.
  if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(n);
  return n;
}

}  // namespace flowrun
