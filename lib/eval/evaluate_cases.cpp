// Whole-volume evaluation of cases with one or two models (see evaluate_cases.h).
#include "lib/eval/evaluate_cases.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>

#include <torch/torch.h>

#include "core/error.h"
#include "lib/ops/normalize.h"
#include "lib/metrics/connected_component.h"

namespace fs = std::filesystem;

namespace flowrun {

EvalModeGuard::EvalModeGuard(const std::vector<SegmentationModel*>& models) {
  for (auto* m : models) {
    saved_.emplace_back(m, m->module().is_training());
    m->module().eval();
  }
}

EvalModeGuard::~EvalModeGuard() {
  for (auto& [m, training] : saved_) m->module().train(training);
}

void check_models(const std::vector<SegmentationModel*>& models, const EvalOptions& options, int64_t data_channels,
                  const std::string& where) {
  if (models.empty()) throw InputError(where + ": no model to evaluate");
  const auto* first = models.front();
  for (auto* m : models) {
    if (m->n_classes() != first->n_classes() || m->in_channels() != first->in_channels() ||
        m->device() != first->device())
      throw InputError(where + ": the networks differ in classes, input channels or device, so their "
                               "probability maps cannot be averaged");
    const int64_t div = m->size_divisor();
    for (int a = 0; a < 3; ++a)
      if (div > 1 && options.window.patch[a] % div != 0)
        throw InputError(where + ": patch " + shape_string(options.window.patch) + " is not a multiple of " +
                         std::to_string(div) + " on every axis, which the model needs");
  }
  if (data_channels > 0 && first->in_channels() != data_channels)
    throw InputError(where + ": the model takes " + std::to_string(first->in_channels()) +
                     " input channel(s) but the data has " + std::to_string(data_channels));
  if (options.label < 0 || options.label >= std::max<int64_t>(first->n_classes(), 2))
    throw InputError(where + ": foreground label " + std::to_string(options.label) + " is not a class of a " +
                     std::to_string(first->n_classes()) + "-class model");
}

namespace {

ImageVolume normalized(const ImageVolume& v, const EvalOptions& o) {
  const std::string& how = o.normalize;
  if (how == "none") return v;
  if (how == "hu_window") return hu_window(v, o.hu_window[0], o.hu_window[1], o.rescale);
  if (how == "zscore") return zscore(v);
  if (how == "zscore_nonzero") return zscore_nonzero(v, true);
  if (how == "minmax") return minmax(v);
  throw InputError("unknown normalisation '" + how + "' (expected none, zscore, zscore_nonzero, minmax or hu_window)");
}

}  // namespace

LabelVolume segment_case(const std::vector<ImageVolume>& channels, const std::vector<SegmentationModel*>& models,
                         const EvalOptions& options) {
  if (channels.empty()) throw InputError("segment_case: no image channel");
  const auto size = channels.front().size;
  std::vector<at::Tensor> planes;
  for (const auto& ch : channels) {
    if (ch.size != size)
      throw InputError("image channels differ in shape: " + shape_string(size) + " and " + shape_string(ch.size));
    ImageVolume v = normalized(ch, options);
    planes.push_back(torch::from_blob(v.data.data(), {size[0], size[1], size[2]}, torch::kFloat).clone());
  }
  const at::Device device = models.front()->device();
  at::Tensor image = torch::stack(planes).to(device);

  EvalModeGuard mode(models);
  torch::NoGradGuard no_grad;
  LogitsFn logits = [&](const at::Tensor& x) -> at::Tensor {
    if (models.size() == 1) return models.front()->forward(x);
    // The sliding window applies softmax to what it gets; the log of the mean
    // probability is a logit whose softmax is exactly that mean, so an
    // ensemble costs one score map and one pass over the windows.
    at::Tensor mean = torch::softmax(models.front()->forward(x), 1);
    for (size_t i = 1; i < models.size(); ++i) mean = mean + torch::softmax(models[i]->forward(x), 1);
    return torch::log(mean / static_cast<double>(models.size()));
  };
  at::Tensor labels = argmax_labels(sliding_window_probs(image, options.window, logits)).to(torch::kCPU).contiguous();

  LabelVolume out(size);
  out.geometry = channels.front().geometry;
  std::memcpy(out.data.data(), labels.data_ptr<uint8_t>(), out.data.size());
  if (options.lcc) {
    LabelVolume kept = largest_connected_component(out);
    kept.geometry = out.geometry;
    out = std::move(kept);
  }
  return out;
}

LabelVolume foreground(const LabelVolume& label, int value) {
  LabelVolume m(label.size);
  m.geometry = label.geometry;
  for (size_t i = 0; i < m.data.size(); ++i)
    m.data[i] = value == 0 ? (label.data[i] > 0) : (label.data[i] == value);
  return m;
}

namespace {

// Dice and Jaccard only: validation during training needs no surfaces.
CaseMetrics overlap_metrics(const LabelVolume& pred, const LabelVolume& ref) {
  int64_t a = 0, b = 0, both = 0;
  for (size_t i = 0; i < pred.data.size(); ++i) {
    a += pred.data[i];
    b += ref.data[i];
    both += pred.data[i] & ref.data[i];
  }
  CaseMetrics m;
  m.empty = a == 0 || b == 0;
  m.dice = a + b == 0 ? 1.0 : 2.0 * double(both) / double(a + b);
  m.jaccard = a + b - both == 0 ? 1.0 : double(both) / double(a + b - both);
  return m;
}

}  // namespace

EvalResult evaluate_cases(const DatasetDescription& dataset, const std::vector<std::string>& ids,
                          const std::vector<SegmentationModel*>& models, const EvalOptions& options,
                          const CaseCallback& on_case) {
  if (ids.empty()) throw InputError(dataset.where() + "no case to evaluate (empty case list)");
  if (!dataset.has_labels())
    throw InputError(dataset.where() + "the dataset declares no labels, so there is nothing to score against");
  if (!options.save_dir.empty()) fs::create_directories(options.save_dir);
  EvalResult r;
  bool voxel = options.voxel_metrics.value_or(true);
  r.units = voxel ? "voxel" : "mm";
  // A dataset with several foreground labels (ACDC: RV, MYO, LV) is scored
  // per class, as that field reports it; a chosen label or a binary dataset
  // as one foreground.
  if (options.label == 0) {
    for (const auto& [value, name] : dataset.labels)
      if (value > 0) r.classes.push_back({value, name});
    if (r.classes.size() < 2) r.classes.clear();
  }
  std::vector<CaseMetrics> all;
  std::vector<std::vector<CaseMetrics>> all_per_class(r.classes.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (options.window.should_stop && options.window.should_stop()) throw Cancelled("evaluation stopped");
    const auto t0 = std::chrono::steady_clock::now();
    Case c = dataset.load_case(ids[i], true);
    const LabelVolume labels = segment_case(c.channels, models, options);
    if (labels.size != c.label->size)
      throw InputError("case '" + c.id + "': prediction " + shape_string(labels.size) + " and label " +
                       shape_string(c.label->size) + " differ in shape");
    if (i == 0 && !options.voxel_metrics) {
      const Geometry& g = c.channels.front().geometry;
      const double lo = std::min({g.spacing[0], g.spacing[1], g.spacing[2]});
      const double hi = std::max({g.spacing[0], g.spacing[1], g.spacing[2]});
      // Anisotropic as nnU-Net counts it: the coarsest axis 3 times the finest or more.
      voxel = !(g.spacing_known && lo > 0 && hi >= 3 * lo);
      r.units = voxel ? "voxel" : "mm";
    }
    std::array<double, 3> spacing{1.0, 1.0, 1.0};
    if (!voxel && !options.dice_only) {
      const Geometry& g = c.channels.front().geometry;
      if (!g.spacing_known)
        throw InputError(dataset.where() + "case '" + c.id +
                         "' has no known spacing (give the description a \"spacing\" or use voxel units)");
      spacing = g.spacing;
    }
    const auto score = [&](int value) {
      const LabelVolume pred = foreground(labels, value), ref = foreground(*c.label, value);
      return options.dice_only ? overlap_metrics(pred, ref) : compute_metrics(pred, ref, spacing);
    };
    CaseResult cr;
    cr.id = c.id;
    if (r.classes.empty()) {
      cr.metrics = score(options.label);
    } else {
      cr.metrics = CaseMetrics{};
      for (size_t k = 0; k < r.classes.size(); ++k) {
        const CaseMetrics m = score(r.classes[k].label);
        cr.per_class.push_back(m);
        all_per_class[k].push_back(m);
        const double n = double(r.classes.size());
        cr.metrics.dice += m.dice / n;
        cr.metrics.jaccard += m.jaccard / n;
        cr.metrics.hd95 += m.hd95 / n;
        cr.metrics.asd += m.asd / n;
        cr.metrics.empty = cr.metrics.empty || m.empty;
      }
    }
    if (!options.save_dir.empty()) {
      // Several classes: the label map; else the scored foreground as 0/1.
      cr.prediction_file = (fs::path(options.save_dir) / (c.id + ".nii.gz")).string();
      write_label(r.classes.empty() ? foreground(labels, options.label) : labels, cr.prediction_file);
    }
    cr.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    all.push_back(cr.metrics);
    r.cases.push_back(cr);
    if (on_case) on_case(r.cases.back(), i, ids.size());
  }
  r.summary = summarize(all);
  for (auto& per : all_per_class) r.class_summary.push_back(summarize(per));
  return r;
}

}  // namespace flowrun
