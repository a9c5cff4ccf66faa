// Class-dimension argmax by elementwise passes.
#include "lib/torch/channel_argmax.h"

namespace flowrun {

at::Tensor channel_argmax(const at::Tensor& x, int64_t dim) {
  const int64_t d = dim < 0 ? dim + x.dim() : dim;
  if (x.dim() == 0 || d < 0 || d >= x.dim() || x.size(d) == 0 || !x.is_floating_point()) return x.argmax(dim);
  at::Tensor best = x.select(d, 0);
  at::Tensor labels = at::zeros(best.sizes(), best.options().dtype(at::kLong));
  for (int64_t c = 1; c < x.size(d); ++c) {
    const at::Tensor xc = x.select(d, c);
    // Strictly greater keeps the first of equal maxima; a NaN replaces any
    // number and is never replaced.
    const at::Tensor take = at::logical_or(at::gt(xc, best), at::logical_and(xc.isnan(), best.isnan().logical_not()));
    best = at::where(take, xc, best);
    labels.masked_fill_(take, c);
  }
  return labels;
}

}  // namespace flowrun
