// Optional CutMix diversity for the unlabelled student inputs (METHOD
// section 3 step 4, TraCoCo recipe; off by default in the graphs).
//
// Per sample i, lam ~ Beta(4, 4); a box with sides floor(sqrt(1 - lam) * P)
// along x and y (tensor axes 2 and 3 of [B, C, P0, P1, P2], the lineage's
// x, y) and the full depth (axis 4), centred at a uniform voxel and clipped to
// the patch. Inside the box sample i takes sample perm[i]'s voxels:
//   mixed[i] = (1 - M_i) * x[i] + M_i * x[perm[i]]
// The same mask and perm are applied to the input and to both pseudo-labels,
// so every voxel's label still belongs to the voxel it labels.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

#include "core/rng.h"

namespace flowrun {

// Beta(a, b) for integer shapes from Gamma draws (each a sum of Exp(1)), so
// the value depends only on the Rng stream, not on the standard library.
double sample_beta_int(Rng& rng, int a, int b);

// Float mask [B, P0, P1, P2], 1 inside each sample's box, 0 elsewhere.
at::Tensor cutmix_box_mask(int64_t batch, std::array<int64_t, 3> patch, Rng& rng);

// A random permutation without fixed points (for n >= 2), so every sample is
// mixed with another one; int64 [n]. n = 1 gives [0].
at::Tensor mix_partner_permutation(int64_t n, Rng& rng);

// x [B, C, P0, P1, P2] floating, mask [B, P0, P1, P2], perm int64 [B].
at::Tensor mix_inputs(const at::Tensor& x, const at::Tensor& mask, const at::Tensor& perm);
// labels [B, P0, P1, P2] int64: voxels inside the box come from perm[i].
at::Tensor mix_labels(const at::Tensor& labels, const at::Tensor& mask, const at::Tensor& perm);

}  // namespace flowrun
