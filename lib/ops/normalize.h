// Intensity normalisation of one image channel, as the dataset recipes of
// docs/method.md section 3 need: z-score (whole volume, over a mask or over nonzero
// voxels), min-max, CT windowing and percentile clipping.
//
// Every function first rejects NaN / Inf voxels with an InputError naming the
// case: a corrupt file must stop the run at load, not poison the weights.
#pragma once

#include <string>

#include "lib/volume/volume.h"

namespace flowrun {

// InputError naming `case_id`, the count and the first bad voxel.
void check_finite(const ImageVolume& v, const std::string& case_id = {});

// (v - mean) / std with population std over all voxels. A constant volume
// (std 0) is only centred, as MONAI does, rather than divided by zero.
ImageVolume zscore(const ImageVolume& v, const std::string& case_id = {});

// Statistics over voxels with mask > 0 (mask has v's size). Voxels outside
// the mask get the same transform, or 0 when zero_outside.
ImageVolume zscore_masked(const ImageVolume& v, const LabelVolume& mask, bool zero_outside,
                          const std::string& case_id = {});

// Statistics over voxels != 0 (BraTS: brain voxels).
ImageVolume zscore_nonzero(const ImageVolume& v, bool zero_outside, const std::string& case_id = {});

// (v - min) / (max - min); a constant volume maps to 0.
ImageVolume minmax(const ImageVolume& v, const std::string& case_id = {});

// Clip to [lo, hi] (Pancreas soft-tissue window [-120, 240] HU), then
// optionally rescale to [0, 1].
ImageVolume hu_window(const ImageVolume& v, float lo = -120.0f, float hi = 240.0f, bool rescale = true,
                      const std::string& case_id = {});

// numpy.percentile with linear interpolation, over all voxels or only the
// nonzero ones. InputError when there is no voxel to take it over.
double percentile(const ImageVolume& v, double pct, bool nonzero_only, const std::string& case_id = {});

// Clip to [percentile(lower_pct), percentile(upper_pct)]; BraTS uses
// lower 0, upper 99.9. With nonzero_only the percentiles come from the nonzero
// voxels and zero voxels (background outside the brain) stay 0, so a z-score
// over the nonzero voxels can follow.
ImageVolume percentile_clip(const ImageVolume& v, double lower_pct, double upper_pct, bool nonzero_only,
                            const std::string& case_id = {});

}  // namespace flowrun
