// The parts of the prepare nodes that are more than a call into a volume op:
// case discovery and path patterns, the lineage's LA crop rule, the brain
// box over several channels, percentile clipping that leaves background
// alone, label binarisation and the train/val/test split. Kept as plain
// functions so they are tested on tiny arrays without running a graph.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/ops/box.h"
#include "lib/volume/volume.h"

namespace flowrun {

// Replaces "{id}" by the id and "{num}" by the id's trailing digits (NIH
// Pancreas labels are label0001.nii.gz for case PANCREAS_0001). InputError
// when the pattern asks for {num} and the id ends in no digit.
std::string expand_case_pattern(const std::string& pattern, const std::string& id);

struct CaseRef {
  std::string id;
  std::vector<std::string> images;  // absolute paths, one per channel
  std::string label;                // absolute path, "" when none
};

// Cases under root/<subdir> for each subdir (BraTS keeps HGG and LGG apart):
// with `ids` empty, every entry of those folders for which all image patterns
// name an existing path, sorted by id; otherwise the given ids, each looked up
// in the first subdir where its first image exists (InputError naming the id
// and the paths tried when none has it). Patterns are relative to the subdir.
std::vector<CaseRef> find_cases(const std::string& root, const std::vector<std::string>& subdirs,
                                const std::vector<std::string>& image_patterns, const std::string& label_pattern,
                                const std::vector<std::string>& ids);

// NIH Pancreas-CT nests each series two folders deep (study/series/*.dcm);
// GDCM does not recurse, so a folder holding no file but exactly one folder
// is followed down to the first folder that holds files.
std::string descend_to_series(const std::string& path);

// The crop of UA-MT's la_heart_processing.py: on each cropped axis, with the
// label's inclusive extent [mn, mx], p = max(patch - (mx - mn), 0) / 2 and
// the box [max(mn - margin - extra_lo - p, 0), min(mx + margin + extra_hi + p, size)).
// `extra_lo/hi` are the random parts of the lineage's margin (drawn by the
// node). Axes not cropped stay whole, as the lineage keeps LA's z whole.
Box lineage_crop_box(const LabelVolume& label, const Index3& patch, const Index3& margin, const Index3& extra_lo,
                     const Index3& extra_hi, const std::array<bool, 3>& axes, const std::string& case_id);

// Box of the voxels nonzero in any of the channels (BraTS brain: the
// background is exactly 0 in every modality); nullopt when all are zero.
std::optional<Box> foreground_box(const std::vector<const ImageVolume*>& channels);

// 1 where the label holds one of `foreground` (any nonzero value when empty), else 0.
LabelVolume binarize(const LabelVolume& label, const std::vector<int64_t>& foreground);

// "xy" -> {true, true, false}; InputError for letters other than x, y, z.
std::array<bool, 3> parse_axes(const std::string& axes, const std::string& where);

// Deterministic split of `ids`: "sorted" orders them by id, "input" keeps
// their order, "shuffled" shuffles with `seed`. Then the last test_count go
// to "test", the val_count before them to "val", the rest to "train", each
// list in that order. InputError when train would be empty.
std::map<std::string, std::vector<std::string>> split_ids(std::vector<std::string> ids, int64_t test_count,
                                                          int64_t val_count, const std::string& order,
                                                          uint64_t seed);

}  // namespace flowrun
