// Device resolution for model resources and device-transfer nodes.
#include "lib/torch/device.h"

#include <torch/cuda.h>

#include "core/error.h"

namespace flowrun {

c10::Device resolve_device(const std::string& spec) {
  const bool cuda = torch::cuda::is_available();
  if (spec == "auto") return cuda ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  if (spec == "cpu") return c10::Device(c10::kCPU);
  if (spec == "cuda" || spec.rfind("cuda:", 0) == 0) {
    if (!cuda)
      throw InputError("params.device = \"" + spec + "\": this LibTorch sees no CUDA device (use \"cpu\" or \"auto\")");
    int index = 0;
    if (spec.size() > 5) {
      try { index = std::stoi(spec.substr(5)); } catch (...) { index = -1; }
      if (index < 0 || index >= static_cast<int>(torch::cuda::device_count()))
        throw InputError("params.device = \"" + spec + "\": no such CUDA device (" +
                         std::to_string(torch::cuda::device_count()) + " visible)");
    }
    return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw InputError("params.device = \"" + spec + "\": expected auto, cpu, cuda or cuda:N");
}

}  // namespace flowrun
