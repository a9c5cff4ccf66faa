// Synthetic dataset writer: NIfTI volumes, split lists and the description.
#include "lib/synth/write_dataset.h"

#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "lib/synth/phantom.h"
#include "lib/volume/volume_io.h"

namespace flowrun {

namespace fs = std::filesystem;

int synth_train_count(const SynthOptions& opts) {
  return static_cast<int>(std::lround(opts.cases * opts.train_fraction));
}

int synth_val_count(const SynthOptions& opts) {
  return std::max(0, std::min(opts.val_cases, synth_train_count(opts) - 2));
}

namespace {

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  f.close();
  if (!f) throw RunError("synth: cannot write " + path.string());
}

}  // namespace

void write_synthetic_dataset(const std::string& out_dir, const SynthOptions& opts) {
  const int n_train = synth_train_count(opts);
  if (opts.cases < 2 || n_train < 1 || n_train >= opts.cases)
    throw InputError("synth: " + std::to_string(opts.cases) + " cases with train_fraction " +
                     std::to_string(opts.train_fraction) + " leave the train or the test list empty");
  if (!(opts.labeled_fraction > 0.0 && opts.labeled_fraction <= 1.0))
    throw InputError("synth: labeled_fraction must be in (0, 1]");

  const fs::path root(out_dir);
  std::error_code ec;
  fs::create_directories(root / "images", ec);
  if (!ec) fs::create_directories(root / "labels", ec);
  if (ec) throw RunError("synth: cannot create " + (root / "images").string() + ": " + ec.message());

  std::string train, test;
  for (int c = 0; c < opts.cases; ++c) {
    const std::string id = synth_case_id(c);
    const auto [image, label] = make_phantom(opts, c);
    write_image(image, (root / "images" / (id + "_0000.nii.gz")).string());
    write_label(label, (root / "labels" / (id + ".nii.gz")).string());
    (c < n_train ? train : test) += id + "\n";
  }
  write_text(root / "train.list", train);
  write_text(root / "test.list", test);

  nlohmann::json desc = {
      {"name", "synthetic"},
      {"root", "."},
      {"channels", nlohmann::json::array({"MR"})},
      {"labels", {{"0", "background"}, {"1", "organ"}}},
      {"image", nlohmann::json::array({"images/{id}_0000.nii.gz"})},
      {"label", "labels/{id}.nii.gz"},
      {"splits", {{"train", "train.list"}, {"test", "test.list"}}},
      {"labeled_fraction", opts.labeled_fraction},
  };
  if (opts.classes > 2) {
    desc["labels"] = {{"0", "background"}};
    for (int k = 1; k < opts.classes; ++k) desc["labels"][std::to_string(k)] = "shell_" + std::to_string(k);
  }
  // Model selection needs cases that are neither trained nor tested on; a
  // tiny set (fewer than 4 training cases) keeps all of them for training.
  const int val = synth_val_count(opts);
  if (val > 0) desc["val_from_train"] = val;
  write_text(root / "synthetic.json", desc.dump(2) + "\n");
}

}  // namespace flowrun
