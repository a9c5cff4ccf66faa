// Knobs of the synthetic phantom dataset (flowrun synth).
//
// Defaults give a small, deliberately hard stand-in for organ segmentation:
// weak organ contrast under noise, a bias field, and unlabelled look-alikes
// touching the organ, so that few labelled cases are clearly not enough.
// Intensities below are in units of the tissue background before z-scoring.
#pragma once

#include <array>
#include <cstdint>

namespace flowrun {

struct SynthOptions {
  int cases = 24;
  uint64_t seed = 1337;
  std::array<int64_t, 3> size{64, 64, 48};      // voxels (x, y, z)
  std::array<double, 3> spacing{1.0, 1.0, 1.5};  // mm, written to the NIfTI
  double noise = 0.6;        // std of the additive Gaussian noise
  double contrast = 0.45;    // organ minus background, below the noise std
  double texture = 0.3;      // std of the smooth background texture
  double bias = 0.25;        // amplitude of the log of the multiplicative bias field
  double rim = 0.5;          // depth of the partial dark capsule around the organ, times contrast
  int distractors = 3;       // organ-bright blobs placed against the organ, not labelled
  bool vessel = true;        // a brighter tube passing by the organ, not labelled
  double organ_radius_min = 9.0;   // mm, radius range of the organ's main body
  double organ_radius_max = 15.0;
  double train_fraction = 2.0 / 3.0;  // first cases go to train.list, the rest to test.list
  double labeled_fraction = 0.2;      // recorded in synthetic.json
  int val_cases = 2;                  // last training cases carved off as the val split (val_from_train)
  // Label values 0..classes-1. Above 2 the organ is cut into nested shells,
  // outermost class 1, innermost classes-1, each brighter than the one
  // around it (a multi-class stand-in such as ACDC's RV, MYO, LV).
  int classes = 2;
};

}  // namespace flowrun
