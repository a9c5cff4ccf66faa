// Random permutations drawn through flowrun::Rng.
//
// std::shuffle's algorithm is implementation-defined; a hand-written
// Fisher-Yates over Rng::uniform_int gives the same order on every platform.
#pragma once

#include <cstdint>
#include <vector>

#include "core/rng.h"

namespace flowrun {

// A uniformly random reordering of `items` (Fisher-Yates from the back).
std::vector<int64_t> permuted(std::vector<int64_t> items, Rng& rng);

}  // namespace flowrun
