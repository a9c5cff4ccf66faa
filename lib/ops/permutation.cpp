// Fisher-Yates shuffle over Rng.
#include "lib/ops/permutation.h"

#include <utility>

namespace flowrun {

std::vector<int64_t> permuted(std::vector<int64_t> items, Rng& rng) {
  for (int64_t i = static_cast<int64_t>(items.size()) - 1; i > 0; --i) {
    const int64_t j = rng.uniform_int(0, i);
    std::swap(items[static_cast<size_t>(i)], items[static_cast<size_t>(j)]);
  }
  return items;
}

}  // namespace flowrun
