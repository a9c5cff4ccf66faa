// Dataset descriptions: where a dataset's cases live, their channels, label
// set, splits and labelled subset, read from a JSON file (docs/datasets.md).
// Every error is an InputError naming the description file and the JSON path
// or case at fault.
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/volume/volume.h"
#include "lib/volume/volume_io.h"

namespace flowrun {

// One case in memory: a volume per channel, all of one shape and spacing.
struct Case {
  std::string id;
  std::vector<ImageVolume> channels;
  std::optional<LabelVolume> label;
};

struct DatasetDescription {
  std::string file;                 // the description file (for messages)
  std::string name;
  std::filesystem::path root;       // absolute
  std::vector<std::string> channels;
  std::map<int, std::string> labels;  // declared label values -> names
  std::optional<std::array<double, 3>> spacing;  // used when files carry none
  std::string h5_image_key = "image";
  std::string h5_label_key = "label";
  H5Options h5;
  std::vector<std::string> image_patterns;  // one per channel, "{id}" substituted
  std::string label_pattern;                // empty: the dataset has no labels
  std::map<std::string, std::vector<std::string>> splits;
  // The train list's length as listed, before val_from_train carved the val
  // split off its end: a labelled fraction counts against it, so the
  // labelled subset stays the lineage's (e.g. 20 % of Pancreas' 62 = 12).
  size_t train_listed = 0;
  std::optional<double> labeled_fraction;
  std::optional<int> labeled_count;
  // Parsed with require_root = false while the root folder is absent: split
  // list files were not read (those splits are missing), nothing was checked
  // against the training list.
  bool data_unread = false;
  nlohmann::json raw;  // the whole description, for keys other parts read (e.g. "preprocessing")

  // root_override (relative to the working directory) replaces "root".
  // require_root = false accepts a root folder that does not exist (checks
  // of the description alone, e.g. `flowrun validate --no-file-check`).
  static DatasetDescription load(const std::string& path, const std::string& root_override = "",
                                 bool require_root = true);
  // Same from an in-memory document; `file` names it in messages and its
  // folder anchors a relative root.
  static DatasetDescription parse(const nlohmann::json& doc, const std::string& file,
                                  const std::string& root_override = "", bool require_root = true);

  bool has_split(const std::string& name) const { return splits.count(name) != 0; }
  std::vector<std::string> split(const std::string& name) const;

  // First N of "train": N = count, or round(fraction * train_listed); when both are
  // absent the description's labeled_count / labeled_fraction apply.
  std::vector<std::string> labeled_ids(std::optional<double> fraction = std::nullopt,
                                       std::optional<int> count = std::nullopt) const;
  // The rest of "train", in list order.
  std::vector<std::string> unlabeled_ids(std::optional<double> fraction = std::nullopt,
                                         std::optional<int> count = std::nullopt) const;

  // Full volume specs ("/abs/file.nii.gz" or "/abs/file.h5:key").
  std::vector<std::string> image_paths(const std::string& id) const;
  std::string label_path(const std::string& id) const;
  bool has_labels() const { return !label_pattern.empty(); }

  ReadOptions image_read_options() const { return {h5_image_key, h5}; }
  ReadOptions label_read_options() const { return {h5_label_key, h5}; }

  // Every image (and label, when declared) file of every case exists.
  void check_cases(const std::vector<std::string>& ids) const;

  // Reads a case and checks shape / spacing agreement and the label set.
  Case load_case(const std::string& id, bool with_label) const;

  // A copy restricted to the named channels, in the order given.
  DatasetDescription select_channels(const std::vector<std::string>& names) const;

  // "la.json: " - the prefix of every message about this description.
  std::string where() const;
};

}  // namespace flowrun
