// Whole-volume evaluation shared by the eval plugin's nodes (eval.validate,
// eval.evaluate, eval.infer) and so by the `flowrun eval` / `infer` verbs:
// segment a case with one model or the mean of two (sliding window, optional
// largest connected component), score it against its label, summarise, and
// write the summary JSON / per-case CSV / predicted masks.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "lib/volume/dataset.h"
#include "lib/torch/segmentation_model.h"
#include "lib/metrics/eval_report.h"
#include "lib/metrics/metrics.h"
#include "lib/eval/eval_choices.h"
#include "lib/eval/sliding_window.h"

namespace flowrun {

struct EvalOptions {
  SlidingWindowOptions window;
  bool lcc = false;
  // true: distances in voxels (the lineage's tables); false: physical units
  // of each case's spacing.
  // nullopt: decided from the first case, mm when its spacing is known and
  // anisotropic (coarsest axis >= 3 x the finest, nnU-Net's threshold),
  // voxels otherwise (the nodes' voxel_metrics: null).
  std::optional<bool> voxel_metrics = true;
  bool dice_only = false;        // validation during training: skip the distance metrics
  // Per channel, as data.normalize does in the training graph:
  // none | zscore | zscore_nonzero | minmax | hu_window.
  std::string normalize = "none";
  std::array<float, 2> hu_window{-120.0f, 240.0f};  // hu_window: [lo, hi]
  bool rescale = true;                           // hu_window: to [0, 1]
  int label = 0;                 // foreground label value; 0 = every non-zero label
  std::string save_dir;          // "" = keep no predictions; else <save_dir>/<case>.nii.gz
};

// Switches models to eval() and back to the mode each had, also when an
// exception leaves the scope, so validation inside a training graph never
// leaves a network in the wrong mode.
class EvalModeGuard {
 public:
  explicit EvalModeGuard(const std::vector<SegmentationModel*>& models);
  ~EvalModeGuard();
  EvalModeGuard(const EvalModeGuard&) = delete;
  EvalModeGuard& operator=(const EvalModeGuard&) = delete;

 private:
  std::vector<std::pair<SegmentationModel*, bool>> saved_;
};

// InputError when the models disagree on classes / channels / device, the
// patch is not a multiple of a model's size divisor, or the channel count
// differs from the data's.
void check_models(const std::vector<SegmentationModel*>& models, const EvalOptions& options,
                  int64_t data_channels, const std::string& where);

// The label map (values 0..K-1) of one case, with the geometry of its first
// channel. Averages the softmax maps of all models (one model: its own map).
// Runs under NoGrad with the models in eval mode.
LabelVolume segment_case(const std::vector<ImageVolume>& channels, const std::vector<SegmentationModel*>& models,
                         const EvalOptions& options);

// 0/1 mask of `label`: value == options.label, or > 0 when options.label is 0.
LabelVolume foreground(const LabelVolume& label, int value);

using CaseCallback = std::function<void(const CaseResult&, size_t index, size_t total)>;

// Loads, segments and scores each case. InputError for an empty id list, a
// dataset without labels, or a case whose spacing is unknown when physical
// units are asked for.
EvalResult evaluate_cases(const DatasetDescription& dataset, const std::vector<std::string>& ids,
                          const std::vector<SegmentationModel*>& models, const EvalOptions& options,
                          const CaseCallback& on_case = {});

}  // namespace flowrun
