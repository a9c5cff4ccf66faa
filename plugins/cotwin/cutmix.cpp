// CutMix box masks and mixing of inputs and labels.
#include "plugins/cotwin/cutmix.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include <ATen/core/grad_mode.h>

#include "core/error.h"

namespace flowrun {
namespace {

using at::indexing::Slice;

// Gamma(k, 1) for integer k: sum of k Exp(1) draws.
double sample_gamma_int(Rng& rng, int k) {
  double s = 0.0;
  for (int i = 0; i < k; ++i) s -= std::log1p(-rng.uniform01());  // uniform01 < 1: finite
  return s;
}

void check_mix(const char* what, const at::Tensor& t, int64_t spatial_from, const at::Tensor& mask,
               const at::Tensor& perm) {
  bool ok = mask.dim() == 4 && t.dim() == spatial_from + 3 && perm.dim() == 1 &&
            perm.scalar_type() == at::kLong && t.size(0) == mask.size(0) &&
            perm.size(0) == mask.size(0);
  for (int64_t i = 0; ok && i < 3; ++i) ok = t.size(spatial_from + i) == mask.size(1 + i);
  if (!ok) {
    std::ostringstream os;
    os << what << ": shapes do not match: tensor " << t.sizes() << ", mask " << mask.sizes()
       << ", perm " << perm.sizes() << " (" << perm.scalar_type() << ")";
    throw RunError(os.str());
  }
}

}  // namespace

double sample_beta_int(Rng& rng, int a, int b) {
  if (a < 1 || b < 1) throw InputError("sample_beta_int: shapes must be >= 1");
  const double x = sample_gamma_int(rng, a);
  const double y = sample_gamma_int(rng, b);
  return x / (x + y);
}

at::Tensor cutmix_box_mask(int64_t batch, std::array<int64_t, 3> patch, Rng& rng) {
  if (batch < 0 || patch[0] < 1 || patch[1] < 1 || patch[2] < 1)
    throw InputError("cutmix_box_mask: batch must be >= 0 and patch sizes >= 1");
  at::Tensor mask = at::zeros({batch, patch[0], patch[1], patch[2]}, at::kFloat);
  for (int64_t i = 0; i < batch; ++i) {
    const double cut = std::sqrt(1.0 - sample_beta_int(rng, 4, 4));
    std::array<int64_t, 2> lo{}, hi{};
    for (int a = 0; a < 2; ++a) {
      const int64_t side = static_cast<int64_t>(std::floor(cut * static_cast<double>(patch[a])));
      const int64_t c = rng.uniform_int(0, patch[a] - 1);
      lo[a] = std::clamp<int64_t>(c - side / 2, 0, patch[a]);
      hi[a] = std::clamp<int64_t>(c + side / 2, 0, patch[a]);
    }
    mask.index_put_({i, Slice(lo[0], hi[0]), Slice(lo[1], hi[1]), Slice()}, 1.0);
  }
  return mask;
}

at::Tensor mix_partner_permutation(int64_t n, Rng& rng) {
  if (n < 1) throw InputError("mix_partner_permutation: n must be >= 1");
  std::vector<int64_t> p(static_cast<size_t>(n));
  for (bool fixed_point = true; fixed_point;) {
    std::iota(p.begin(), p.end(), 0);
    for (int64_t i = n - 1; i > 0; --i) std::swap(p[i], p[rng.uniform_int(0, i)]);
    fixed_point = false;
    for (int64_t i = 0; n > 1 && i < n; ++i) fixed_point = fixed_point || p[i] == i;
  }
  return at::tensor(p, at::kLong);
}

at::Tensor mix_inputs(const at::Tensor& x, const at::Tensor& mask, const at::Tensor& perm) {
  check_mix("mix_inputs", x, 2, mask, perm);
  const at::Tensor p = perm.to(x.device());
  const at::Tensor m = mask.to(x.device(), x.scalar_type()).unsqueeze(1);
  return x * (1 - m) + x.index_select(0, p) * m;
}

at::Tensor mix_labels(const at::Tensor& labels, const at::Tensor& mask, const at::Tensor& perm) {
  check_mix("mix_labels", labels, 1, mask, perm);
  at::NoGradGuard no_grad;
  const at::Tensor p = perm.to(labels.device());
  const at::Tensor inside = mask.to(labels.device()) > 0.5;
  return at::where(inside, labels.index_select(0, p), labels);
}

}  // namespace flowrun
