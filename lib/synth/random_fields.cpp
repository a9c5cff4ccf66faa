// White noise, separable Gaussian blur and unit-variance smooth fields.
#include "lib/synth/random_fields.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace flowrun {

double normal01(Rng& rng) {
  const double u1 = 1.0 - rng.uniform01();  // (0, 1], so log is finite
  const double u2 = rng.uniform01();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

ImageVolume white_noise(const std::array<int64_t, 3>& size, Rng& rng) {
  ImageVolume v(size);
  for (float& x : v.data) x = static_cast<float>(normal01(rng));
  return v;
}

namespace {

std::vector<double> kernel(double sigma) {
  const int r = std::max(1, static_cast<int>(std::ceil(3.0 * sigma)));
  std::vector<double> k(static_cast<size_t>(2 * r + 1));
  double sum = 0.0;
  for (int i = -r; i <= r; ++i) sum += k[static_cast<size_t>(i + r)] = std::exp(-0.5 * i * i / (sigma * sigma));
  for (double& w : k) w /= sum;
  return k;
}

// Blur along one axis; `stride` is the step between neighbours on that axis.
void blur_axis(const ImageVolume& in, ImageVolume& out, int axis, double sigma) {
  if (sigma <= 0.0) { out = in; return; }
  const std::vector<double> k = kernel(sigma);
  const int64_t r = static_cast<int64_t>(k.size() / 2), n = in.size[axis];
  for (int64_t x = 0; x < in.size[0]; ++x)
    for (int64_t y = 0; y < in.size[1]; ++y)
      for (int64_t z = 0; z < in.size[2]; ++z) {
        std::array<int64_t, 3> p{x, y, z};
        const int64_t c = p[axis];
        double acc = 0.0;
        for (int64_t i = -r; i <= r; ++i) {
          p[axis] = std::clamp<int64_t>(c + i, 0, n - 1);
          acc += k[static_cast<size_t>(i + r)] * in.at(p[0], p[1], p[2]);
        }
        out.at(x, y, z) = static_cast<float>(acc);
      }
}

}  // namespace

ImageVolume gaussian_blur(const ImageVolume& v, const std::array<double, 3>& sigma) {
  ImageVolume a = v, b = v;
  blur_axis(v, a, 0, sigma[0]);
  blur_axis(a, b, 1, sigma[1]);
  blur_axis(b, a, 2, sigma[2]);
  return a;
}

ImageVolume smooth_field(const std::array<int64_t, 3>& size, const std::array<double, 3>& sigma, Rng& rng) {
  ImageVolume f = gaussian_blur(white_noise(size, rng), sigma);
  double sum = 0.0, sq = 0.0;
  for (float x : f.data) sum += x;
  const double mean = sum / static_cast<double>(f.data.size());
  for (float x : f.data) sq += (x - mean) * (x - mean);
  const double sd = std::sqrt(sq / static_cast<double>(f.data.size()));
  for (float& x : f.data) x = static_cast<float>((x - mean) / (sd > 0.0 ? sd : 1.0));
  return f;
}

}  // namespace flowrun
