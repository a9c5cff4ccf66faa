// glibc malloc settings for tensor-heavy runs.
#include "runner/malloc_tuning.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace flowrun {

bool tune_malloc_for_tensors() {
  const char* env = std::getenv("FLOWRUN_MALLOC_TUNING");
  if (env && std::strcmp(env, "0") == 0) return false;
  // Blocks up to 1 GiB come from the heap and freed memory stays mapped for
  // reuse; setting these also disables glibc's dynamic threshold adjustment.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  return true;
}

}  // namespace flowrun
