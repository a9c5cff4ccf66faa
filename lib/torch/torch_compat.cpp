// LibTorch 1.13 / 2.x compatibility shims (see torch_compat.h). Each guard
// names the release that changed the API.
#include "lib/torch/torch_compat.h"

#include <ATen/Context.h>
#include <ATen/autocast_mode.h>
#include <torch/cuda.h>
#include <torch/version.h>

#if FLOWRUN_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

#define FLOWRUN_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace flowrun {

bool cuda_build() {
#if FLOWRUN_WITH_CUDA
  return true;
#else
  return false;
#endif
}

int64_t cuda_device_count() { return at::globalContext().hasCUDA() ? static_cast<int64_t>(torch::cuda::device_count()) : 0; }

// 2.4 made autocast per device type (set_autocast_enabled(kCUDA, ...)); the
// CUDA-only spellings before it were deprecated then.
Bf16Autocast::Bf16Autocast(bool on, bool cuda) : on_(on), cuda_(cuda) {
  if (!on_) return;
#if FLOWRUN_TORCH_AT_LEAST(2, 4)
  const auto type = cuda_ ? at::kCUDA : at::kCPU;
  was_enabled_ = at::autocast::is_autocast_enabled(type);
  was_dtype_ = static_cast<int8_t>(at::autocast::get_autocast_dtype(type));
  at::autocast::set_autocast_dtype(type, at::kBFloat16);
  at::autocast::set_autocast_enabled(type, true);
#else
  if (cuda_) {
    was_enabled_ = at::autocast::is_enabled();
    was_dtype_ = static_cast<int8_t>(at::autocast::get_autocast_gpu_dtype());
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(true);
  } else {
    was_enabled_ = at::autocast::is_cpu_enabled();
    was_dtype_ = static_cast<int8_t>(at::autocast::get_autocast_cpu_dtype());
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::set_cpu_enabled(true);
  }
#endif
  at::autocast::increment_nesting();
}

Bf16Autocast::~Bf16Autocast() {
  if (!on_) return;
  // Cached casts of the weights are valid only inside the outermost region.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  const auto dtype = static_cast<at::ScalarType>(was_dtype_);
#if FLOWRUN_TORCH_AT_LEAST(2, 4)
  const auto type = cuda_ ? at::kCUDA : at::kCPU;
  at::autocast::set_autocast_enabled(type, was_enabled_);
  at::autocast::set_autocast_dtype(type, dtype);
#else
  if (cuda_) {
    at::autocast::set_enabled(was_enabled_);
    at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_cpu_enabled(was_enabled_);
    at::autocast::set_autocast_cpu_dtype(dtype);
  }
#endif
}

bool cpu_has_bf16_dot() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512bf16") || __builtin_cpu_supports("amx-bf16");
#else
  return false;
#endif
}

CudaMemoryStats cuda_memory_stats(int device) {
  CudaMemoryStats s;
#if FLOWRUN_WITH_CUDA
  if (cuda_device_count() <= device) return s;
  // Index 0 of each stat array is the aggregate over pools in every release
  // (StatType::AGGREGATE moved namespaces in 2.x; the index did not).
  const auto d = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(device));
  s.available = true;
  s.allocated = d.allocated_bytes[0].current;
  s.reserved = d.reserved_bytes[0].current;
  s.peak_allocated = d.allocated_bytes[0].peak;
  s.peak_reserved = d.reserved_bytes[0].peak;
#else
  (void)device;
#endif
  return s;
}

void reset_cuda_peak_memory(int device) {
#if FLOWRUN_WITH_CUDA
  if (cuda_device_count() > device)
    c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(device));
#else
  (void)device;
#endif
}

void set_cuda_memory_fraction(double fraction, int device) {
#if FLOWRUN_WITH_CUDA
  if (cuda_device_count() > device) {
    c10::cuda::CUDACachingAllocator::emptyCache();
    c10::cuda::CUDACachingAllocator::setMemoryFraction(fraction, static_cast<c10::DeviceIndex>(device));
  }
#else
  (void)fraction;
  (void)device;
#endif
}

void configure_cuda_math(bool allow_tf32, bool cudnn_benchmark) {
  auto& ctx = at::globalContext();
  ctx.setAllowTF32CuDNN(allow_tf32);
  ctx.setBenchmarkCuDNN(cudnn_benchmark);
}

std::string torch_build_summary() {
  std::string s = std::string("LibTorch ") + TORCH_VERSION;
  if (!at::globalContext().hasCUDA()) return s + " (CPU)";
  s += " (CUDA, " + std::to_string(cuda_device_count()) + " device(s)";
  if (at::globalContext().hasCuDNN()) s += ", cuDNN " + std::to_string(at::globalContext().versionCuDNN());
  return s + ")";
}

}  // namespace flowrun
