// LibTorch thread settings for a run, chosen deliberately so LibTorch's
// intra-op threads and oneTBB's workers do not oversubscribe the cores.
#pragma once

#include <nlohmann/json.hpp>

namespace flowrun {

// params.torch_threads > 0: that many; 0: one per core. Returns the count set.
int configure_torch_threads(const nlohmann::json& globals);

}  // namespace flowrun
