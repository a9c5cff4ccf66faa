// Keeps large LibTorch activation buffers in the heap instead of glibc's
// mmap path: without this, every V-Net step maps and unmaps hundreds of MB
// (about 280k page faults per forward measured here), which costs a third or
// more of a CPU training step. FLOWRUN_MALLOC_TUNING=0 turns it off (for
// measuring the difference).
#pragma once

namespace flowrun {

// Returns true when the tuning was applied.
bool tune_malloc_for_tensors();

}  // namespace flowrun
