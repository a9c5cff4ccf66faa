// Synthetic phantoms: reproducible per (seed, case), and a fair, weak-contrast
// segmentation task (organ present, sane size, contrast under the noise,
// unlabelled look-alikes present).
#include "lib/synth/phantom.h"

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "core/error.h"

namespace flowrun {
namespace {

struct Stats {
  double organ_fraction = 0.0;
  double organ_mean = 0.0;
  double background_mean = 0.0;
  double noise_sd = 0.0;  // from differences of x-neighbours in the background
};

Stats stats(const ImageVolume& img, const LabelVolume& lab) {
  Stats s;
  double so = 0, sb = 0, sd2 = 0;
  int64_t no = 0, nb = 0, nd = 0;
  for (size_t i = 0; i < img.data.size(); ++i) {
    if (lab.data[i]) { so += img.data[i]; ++no; }
    else { sb += img.data[i]; ++nb; }
  }
  // Smooth parts (texture, bias) nearly cancel in a neighbour difference;
  // the white noise does not: var(a - b) = 2 var(noise).
  for (int64_t x = 0; x + 1 < img.size[0]; ++x)
    for (int64_t y = 0; y < img.size[1]; ++y)
      for (int64_t z = 0; z < img.size[2]; ++z)
        if (!lab.at(x, y, z) && !lab.at(x + 1, y, z)) {
          const double d = img.at(x + 1, y, z) - img.at(x, y, z);
          sd2 += d * d;
          ++nd;
        }
  s.organ_fraction = static_cast<double>(no) / static_cast<double>(img.data.size());
  s.organ_mean = no ? so / no : 0.0;
  s.background_mean = sb / nb;
  s.noise_sd = std::sqrt(sd2 / nd / 2.0);
  return s;
}

TEST(Phantom, SameSeedAndCaseGiveIdenticalVolumes) {
  SynthOptions o;
  const auto [i1, l1] = make_phantom(o, 3);
  const auto [i2, l2] = make_phantom(o, 3);
  EXPECT_EQ(i1.data, i2.data);
  EXPECT_EQ(l1.data, l2.data);
  EXPECT_EQ(i1.size, (std::array<int64_t, 3>{64, 64, 48}));
  EXPECT_EQ(i1.geometry.spacing, (std::array<double, 3>{1.0, 1.0, 1.5}));
  EXPECT_EQ(l1.geometry.spacing, i1.geometry.spacing);
}

TEST(Phantom, OtherSeedOrCaseGivesOtherVolumes) {
  SynthOptions o;
  const auto [i1, l1] = make_phantom(o, 3);
  const auto [i2, l2] = make_phantom(o, 4);
  o.seed = 1338;
  const auto [i3, l3] = make_phantom(o, 3);
  EXPECT_NE(i1.data, i2.data);
  EXPECT_NE(l1.data, l2.data);
  EXPECT_NE(i1.data, i3.data);
  EXPECT_NE(l1.data, l3.data);
}

TEST(Phantom, WeakContrastOrganOfSaneSizePerCase) {
  SynthOptions o;
  std::vector<double> fractions;
  for (int c = 0; c < 6; ++c) {
    const auto [img, lab] = make_phantom(o, c);
    const Stats s = stats(img, lab);
    fractions.push_back(s.organ_fraction);
    EXPECT_GT(s.organ_fraction, 0.005) << "case " << c;
    EXPECT_LT(s.organ_fraction, 0.20) << "case " << c;
    // Brighter than the background on average, but by less than one noise std.
    EXPECT_GT(s.organ_mean - s.background_mean, 0.15 * s.noise_sd) << "case " << c;
    EXPECT_LT(s.organ_mean - s.background_mean, s.noise_sd) << "case " << c;
    // Roughly z-scored already.
    double sum = 0, sq = 0;
    for (float v : img.data) { sum += v; sq += v * v; }
    const double mean = sum / img.data.size();
    EXPECT_NEAR(mean, 0.0, 1e-3);
    EXPECT_NEAR(std::sqrt(sq / img.data.size() - mean * mean), 1.0, 1e-3);
  }
  // Organ size varies between cases.
  const auto [lo, hi] = std::minmax_element(fractions.begin(), fractions.end());
  EXPECT_GT(*hi, 1.3 * *lo);
}

// Count of unlabelled voxels at least as bright as the organ's interior,
// in a noise-free, texture-free, bias-free phantom.
int64_t bright_unlabeled(SynthOptions o, int c) {
  o.noise = 0.0;
  o.texture = 0.0;
  o.bias = 0.0;
  const auto [img, lab] = make_phantom(o, c);
  float organ_level = -1e30f;
  for (size_t i = 0; i < img.data.size(); ++i)
    if (lab.data[i]) organ_level = std::max(organ_level, img.data[i]);
  int64_t n = 0;
  for (size_t i = 0; i < img.data.size(); ++i)
    if (!lab.data[i] && img.data[i] >= organ_level - 1e-4f) ++n;
  return n;
}

TEST(Phantom, HasUnlabeledLookAlikes) {
  SynthOptions with;
  SynthOptions without;
  without.distractors = 0;
  without.vessel = false;
  for (int c = 0; c < 3; ++c) {
    EXPECT_GT(bright_unlabeled(with, c), 100) << "case " << c;
    EXPECT_EQ(bright_unlabeled(without, c), 0) << "case " << c;
  }
}

TEST(Phantom, OrganPositionVaries) {
  SynthOptions o;
  std::vector<double> cx;
  for (int c = 0; c < 6; ++c) {
    const auto [img, lab] = make_phantom(o, c);
    double sx = 0;
    int64_t n = 0;
    for (int64_t x = 0; x < lab.size[0]; ++x)
      for (int64_t y = 0; y < lab.size[1]; ++y)
        for (int64_t z = 0; z < lab.size[2]; ++z)
          if (lab.at(x, y, z)) { sx += x; ++n; }
    cx.push_back(sx / n);
  }
  const auto [lo, hi] = std::minmax_element(cx.begin(), cx.end());
  EXPECT_GT(*hi - *lo, 4.0);
}

TEST(Phantom, BadOptionsAreInputErrors) {
  SynthOptions o;
  o.size = {4, 64, 48};
  EXPECT_THROW(make_phantom(o, 0), InputError);
  o = SynthOptions{};
  o.noise = -1.0;
  EXPECT_THROW(make_phantom(o, 0), InputError);
  EXPECT_EQ(synth_case_id(7), "case_007");
}

}  // namespace
}  // namespace flowrun
