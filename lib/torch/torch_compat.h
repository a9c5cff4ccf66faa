// The one place where flowrun meets the differences between the LibTorch
// lines it builds against: Debian's 1.13 (CPU only; CI and development) and
// the 2.x LibTorch inside a PyTorch wheel (the GPU machine). Callers use these
// functions; only torch_compat.cpp looks at TORCH_VERSION_MAJOR/MINOR or
// includes CUDA headers, which exist only in a CUDA build (FLOWRUN_WITH_CUDA).
#pragma once

#include <cstdint>
#include <string>

namespace flowrun {

// True when this build was compiled against a CUDA LibTorch with nvcc found.
bool cuda_build();

// Visible CUDA devices (0 on a CPU-only LibTorch).
int64_t cuda_device_count();

// bf16 autocast of CUDA ops (cuda true) or CPU ops (cuda false) in this
// thread while alive, restoring the previous autocast state on exit; does
// nothing when `on` is false. On CPU it pays only where the cores have bf16
// dot products (AVX512_BF16 or AMX; see cpu_has_bf16_dot()): elsewhere
// oneDNN emulates bf16 and is slower than fp32.
class Bf16Autocast {
 public:
  Bf16Autocast(bool on, bool cuda);
  ~Bf16Autocast();
  Bf16Autocast(const Bf16Autocast&) = delete;
  Bf16Autocast& operator=(const Bf16Autocast&) = delete;
  bool active() const { return on_; }

 private:
  bool on_ = false;
  bool cuda_ = false;
  bool was_enabled_ = false;
  int8_t was_dtype_ = 0;
};

// True when this CPU has native bf16 dot products (AVX512_BF16 or AMX-BF16).
bool cpu_has_bf16_dot();

// Caching-allocator figures of one device, in bytes; available is false on a
// build without CUDA.
struct CudaMemoryStats {
  bool available = false;
  int64_t allocated = 0, reserved = 0;
  int64_t peak_allocated = 0, peak_reserved = 0;
};
CudaMemoryStats cuda_memory_stats(int device = 0);
void reset_cuda_peak_memory(int device = 0);
// Caps what the caching allocator may take from a device (a fraction of its
// memory); allocations beyond it raise LibTorch's out-of-memory error. For
// tests of that error; no effect without CUDA.
void set_cuda_memory_fraction(double fraction, int device = 0);

// cuDNN settings of a run: TF32 convolutions (PyTorch's default: on) and the
// autotuner (PyTorch's default and the lineage's: off). No effect on CPU.
void configure_cuda_math(bool allow_tf32, bool cudnn_benchmark);

// "LibTorch 2.11.0 (CUDA 13.0, cuDNN 91200)" or "LibTorch 1.13.0 (CPU)".
std::string torch_build_summary();

}  // namespace flowrun
