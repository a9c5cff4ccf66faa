// argmax over the class dimension of logits or probabilities, as at::argmax
// (first index of the maximum; a NaN counts as the maximum, the first NaN
// wins), but as K-1 elementwise passes: LibTorch 1.13's CPU argmax over a
// strided inner dimension took 38 ms for a 2 x 2 x 64^3 batch, this 5 ms.
#pragma once

#include <cstdint>

#include <ATen/ATen.h>

namespace flowrun {

// Labels (int64) of x's shape without dimension `dim`.
at::Tensor channel_argmax(const at::Tensor& x, int64_t dim);

}  // namespace flowrun
