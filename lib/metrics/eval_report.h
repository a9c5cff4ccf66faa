// Results of evaluating a list of cases and how they are written: the summary
// JSON, the per-case CSV and a table for the terminal. No torch here, so the
// runner can print what the eval plugin wrote.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/metrics/metrics.h"

namespace flowrun {

struct CaseResult {
  std::string id;
  // With several foreground classes: the mean of per_class (one entry per
  // EvalResult::classes); else the metrics of the foreground.
  CaseMetrics metrics;
  std::vector<CaseMetrics> per_class;
  double seconds = 0.0;         // segmentation + metrics
  std::string prediction_file;  // "" when not saved
};

// One foreground class of a multi-class dataset (its label value and name).
struct ClassInfo {
  int label = 0;
  std::string name;
};

struct EvalResult {
  std::string split;
  std::string units;  // "voxel" or "mm"
  std::vector<CaseResult> cases;
  MetricsSummary summary;
  // Scored per class (a dataset declaring two or more foreground labels):
  // the classes and each one's summary over cases, in the same order.
  std::vector<ClassInfo> classes;
  std::vector<MetricsSummary> class_summary;
};

// {"split", "units", "mean": {dice, jaccard, hd95, asd}, "std": {...}, "cases",
// "empty_cases", "empty_case_ids", "per_case": [{case, dice, jaccard, hd95,
// asd, empty, seconds[, prediction][, per_class: {name: {dice, ...}}]}]
// [, "classes": [{label, name, mean, std}]]}; Dice and Jaccard as fractions.
// With classes, mean and std are over cases of each case's mean over classes.
nlohmann::json result_json(const EvalResult& result);

// case,dice,jaccard,hd95,asd,empty,seconds, then dice_<class>,jaccard_<class>,
// hd95_<class>,asd_<class> per class (RunError when it cannot be written).
void write_metrics_csv(const EvalResult& result, const std::string& path);

// Writes `doc` through a temporary file and a rename, so a reader never sees half a file.
void write_json_file(const nlohmann::json& doc, const std::string& path);

// Per-case rows, then mean and std (Dice and Jaccard in %, as the papers
// report them), from an object made by result_json().
std::string result_table(const nlohmann::json& result);

}  // namespace flowrun
