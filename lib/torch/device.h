// Resolving the graph's `device` parameter (auto | cpu | cuda | cuda:N).
#pragma once

#include <string>

#include <c10/core/Device.h>

namespace flowrun {

// auto -> cuda:0 when LibTorch sees a GPU, else cpu. Throws InputError for
// an unknown spelling and for cuda on a machine without CUDA.
c10::Device resolve_device(const std::string& spec);

}  // namespace flowrun
