// Process-wide CPU settings for tensor work, applied by every program that
// runs models (flowrun, the benchmarks): glibc malloc kept off its mmap path,
// and one thread count shared by LibTorch and the BLAS library under it.
#pragma once

namespace flowrun {

// Keeps large LibTorch activation buffers in the heap instead of glibc's
// mmap path: without this, every V-Net step maps and unmaps hundreds of MB
// (about 280k page faults per forward measured here), which costs a third or
// more of a CPU training step. FLOWRUN_MALLOC_TUNING=0 turns it off (for
// measuring the difference). Returns true when the tuning was applied.
bool tune_malloc_for_tensors();

// Debian's LibTorch calls OpenBLAS (the pthread build) for its im2col and
// matrix paths, and OpenBLAS keeps a pool of its own, one thread per core,
// whose threads spin while waiting: nested inside LibTorch's own threads, or
// on a core shared with oneTBB's workers or taken away by taskset or a cgroup,
// they oversubscribe the cores. Sets OpenBLAS's pool to `n` threads; the
// OPENBLAS_NUM_THREADS environment variable, when set, wins. Returns the
// count OpenBLAS reports afterwards, or 0 when no OpenBLAS is loaded.
int set_blas_threads(int n);

struct CpuThreads {
  int torch = 0;  // LibTorch intra-op threads
  int blas = 0;   // OpenBLAS threads (0: no OpenBLAS in this process)
};

// torch_threads > 0: that many LibTorch threads, else one per core. BLAS gets
// one thread: LibTorch already parallelises around its BLAS calls.
CpuThreads configure_cpu_threads(int torch_threads);

}  // namespace flowrun
