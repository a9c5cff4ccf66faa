// Device settings and figures of a run; see torch_backend.h.
#include "runner/torch_backend.h"

#include "lib/torch/torch_compat.h"

namespace flowrun {

void configure_torch_backend(const nlohmann::json& globals) {
  configure_cuda_math(globals.value("tf32", true), globals.value("cudnn_benchmark", false));
}

void annotate_device_profile(nlohmann::json& profile) {
  profile["device"] = torch_build_summary();
  const CudaMemoryStats m = cuda_memory_stats(0);
  if (!m.available || m.peak_reserved == 0) return;
  profile["cuda_memory"] = {{"peak_allocated_bytes", m.peak_allocated},
                            {"peak_reserved_bytes", m.peak_reserved},
                            {"allocated_bytes_at_end", m.allocated}};
}

}  // namespace flowrun
