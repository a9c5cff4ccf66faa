// Device-side settings of a run (cuDNN TF32 and autotuning from the graph's
// params) and the device figures added to profile.json after it.
#pragma once

#include <nlohmann/json.hpp>

namespace flowrun {

// params.tf32 and params.cudnn_benchmark; harmless on a CPU-only LibTorch.
void configure_torch_backend(const nlohmann::json& globals);

// profile["device"] = the LibTorch build; profile["cuda_memory"] = peak bytes
// of the caching allocator, when a CUDA device was used.
void annotate_device_profile(nlohmann::json& profile);

}  // namespace flowrun
