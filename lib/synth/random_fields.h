// Random volumes the phantom is built from: white Gaussian noise and smooth
// fields made by blurring it, all drawn through Rng so a case is reproducible.
#pragma once

#include <array>

#include "core/rng.h"
#include "lib/volume/volume.h"

namespace flowrun {

// Standard normal draw (Box-Muller over Rng::uniform01).
double normal01(Rng& rng);

// Independent N(0, 1) voxels.
ImageVolume white_noise(const std::array<int64_t, 3>& size, Rng& rng);

// Separable Gaussian blur, sigma in voxels per axis, edges clamped.
ImageVolume gaussian_blur(const ImageVolume& v, const std::array<double, 3>& sigma);

// Blurred white noise rescaled to zero mean and unit std: a texture whose
// grain is about sigma voxels.
ImageVolume smooth_field(const std::array<int64_t, 3>& size, const std::array<double, 3>& sigma, Rng& rng);

}  // namespace flowrun
