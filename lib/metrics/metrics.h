// Per-case segmentation metrics with medpy's semantics (Dice, Jaccard, HD95,
// ASD), as the lineage reports them, and their summary over cases.
//
// Masks are binary (0/1) uint8 volumes in flowrun's layout (size x, y, z; z
// fastest). Distances are in physical units of `spacing`; the lineage uses
// voxel units, i.e. spacing (1, 1, 1).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "lib/volume/volume.h"

namespace flowrun {

struct CaseMetrics {
  double dice = 0.0;     // 2|A∩B| / (|A| + |B|); 1 when both are empty
  double jaccard = 0.0;  // |A∩B| / |A∪B|; 1 when both are empty
  double hd95 = 0.0;     // 95th percentile (linear) of both directed surface distance sets together
  double asd = 0.0;      // mean distance from pred's surface to ref's surface (medpy asd(pred, ref))
  // True when pred or ref is empty: HD95 and ASD are undefined then and
  // reported 0 (the lineage's convention). The lineage also reports Dice and
  // Jaccard 0 for an empty prediction, which equals the definition above
  // unless ref is empty too.
  bool empty = false;
};

// InputError when a mask holds a value other than 0 and 1, or a spacing is
// not positive and finite.
CaseMetrics compute_metrics(const uint8_t* pred, const uint8_t* ref, const std::array<int64_t, 3>& size,
                            const std::array<double, 3>& spacing = {1.0, 1.0, 1.0});

// As above; InputError when the shapes differ (the message gives both).
CaseMetrics compute_metrics(const LabelVolume& pred, const LabelVolume& ref,
                            const std::array<double, 3>& spacing = {1.0, 1.0, 1.0});

struct MetricStats {
  double mean = 0.0;
  double std = 0.0;  // population standard deviation (numpy's default ddof = 0)
};

struct MetricsSummary {
  MetricStats dice, jaccard, hd95, asd;
  int64_t cases = 0;
  int64_t empty_cases = 0;
};

// Mean and std over cases, empty cases included with their reported values
// (as the lineage averages them). NaN statistics when there are no cases.
MetricsSummary summarize(const std::vector<CaseMetrics>& cases);

// numpy.percentile(values, q) with the default linear interpolation; q in
// [0, 100]. Reorders `values`. InputError when values is empty.
double percentile_linear(std::vector<double>& values, double q);

}  // namespace flowrun
