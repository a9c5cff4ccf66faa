// The samples a batch carries through the CPU stages, before collation:
// one entry per case of the batch (labelled first, then unlabelled), each with
// its image channels, its label when labelled, and - after the shift crop -
// the second crop and the shift between the two.
//
// Packets carry them as value "samples" of type SampleListPtr (shared, never
// deep-copied between nodes; a node that changes samples makes a new list).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/ops/box.h"
#include "lib/volume/volume.h"

namespace flowrun {

struct Sample {
  std::string id;
  bool labeled = false;
  std::vector<ImageVolume> channels;   // crop A (or the whole volume before cropping)
  std::optional<LabelVolume> label;    // present for labelled samples
  // Set by the shift crop for unlabelled samples (DPLG): crop B at A's origin + shift.
  std::vector<ImageVolume> channels_b;
  Index3 origin_a{0, 0, 0};
  Index3 shift{0, 0, 0};
  Box overlap_a, overlap_b;            // the same voxels, in A's and in B's coordinates
};

using SampleList = std::vector<Sample>;
using SampleListPtr = std::shared_ptr<const SampleList>;

inline constexpr const char* kSamplesKey = "samples";

}  // namespace flowrun
