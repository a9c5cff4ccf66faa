// LibTorch and BLAS thread configuration for a run.
#include "runner/torch_threads.h"

#include "lib/torch/cpu_settings.h"

namespace flowrun {

int configure_torch_threads(const nlohmann::json& globals) {
  return configure_cpu_threads(globals.value("torch_threads", 0)).torch;
}

}  // namespace flowrun
