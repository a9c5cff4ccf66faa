// LibTorch and BLAS thread settings for a run, chosen deliberately so their
// threads and oneTBB's workers do not oversubscribe the cores.
#pragma once

#include <nlohmann/json.hpp>

namespace flowrun {

// params.torch_threads > 0: that many; 0: one per core; BLAS gets one (see
// lib/torch/cpu_settings.h). Returns the LibTorch thread count set.
int configure_torch_threads(const nlohmann::json& globals);

}  // namespace flowrun
