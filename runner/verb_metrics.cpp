// The `metrics` verb: Dice, Jaccard, HD95 and ASD of two masks. It needs no
// LibTorch, so the `flowrun` front end runs it in its own process (see
// front_main.cpp) and it starts in milliseconds.
#include <array>
#include <cmath>
#include <future>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "lib/metrics/metrics.h"
#include "lib/volume/volume_io.h"
#include "runner/verb_docs.h"
#include "runner/verbs.h"

using nlohmann::json;

namespace flowrun {
namespace {

// A mask for the metrics verb: read, then the selected label as 0/1.
LabelVolume read_mask(const std::string& spec, int label) {
  LabelVolume v = read_label(spec, ReadOptions{"label", {}});
  for (auto& x : v.data) x = label < 0 ? (x > 0) : (x == label);
  return v;
}

}  // namespace

void add_metrics_verb(CLI::App& app) {
  auto* sub = app.add_subcommand("metrics", verb_doc("metrics"));
  auto pred = std::make_shared<std::string>();
  auto gt = std::make_shared<std::string>();
  auto voxel = std::make_shared<bool>(false);
  auto as_json = std::make_shared<bool>(false);
  auto label = std::make_shared<int>(-1);
  sub->add_option("pred", *pred, "predicted mask (NIfTI, NRRD, MHA, file.h5:key)")->required();
  sub->add_option("gt", *gt, "reference mask")->required();
  sub->add_flag("--voxel", *voxel, "distances in voxels (the lineage's tables); default: mm from GT's spacing");
  sub->add_flag("--json", *as_json, "print one JSON object: dice, jaccard, hd95, asd, units, empty");
  sub->add_option("--label", *label, "foreground label value (default: every value > 0)")->check(CLI::Range(0, 255));
  sub->callback([pred, gt, voxel, as_json, label] {
    // Both reads at once: an HDF5 read is a helper process, mostly start-up.
    // When the prediction's read throws, its error is the one reported (the
    // future's destructor waits for the reference's read first).
    auto gt_read = std::async(std::launch::async, [&] { return read_mask(*gt, *label); });
    const LabelVolume p = read_mask(*pred, *label);
    const LabelVolume g = gt_read.get();
    if (p.size != g.size)
      throw InputError("prediction " + *pred + " is " + shape_string(p.size) + " but reference " + *gt + " is " +
                       shape_string(g.size) + ": shapes differ");
    std::array<double, 3> spacing{1.0, 1.0, 1.0};
    std::string units = "voxel";
    if (!*voxel) {
      if (g.geometry.spacing_known) {
        spacing = g.geometry.spacing;
        units = "mm";
        for (int i = 0; i < 3; ++i)
          if (p.geometry.spacing_known && std::abs(p.geometry.spacing[i] - spacing[i]) > 1e-4 * spacing[i])
            std::cerr << "flowrun: warning: prediction and reference spacings differ; using the reference's\n";
      } else {
        std::cerr << "flowrun: note: " << *gt << " carries no spacing; distances are in voxels\n";
      }
    }
    const CaseMetrics m = compute_metrics(p, g, spacing);
    if (*as_json) {
      std::cout << json{{"dice", m.dice}, {"jaccard", m.jaccard}, {"hd95", m.hd95}, {"asd", m.asd},
                        {"units", units}, {"empty", m.empty}}
                       .dump()
                << "\n";
      return;
    }
    std::cout << std::fixed << std::setprecision(6) << "dice     " << m.dice << "\njaccard  " << m.jaccard
              << "\nhd95     " << m.hd95 << " " << units << "\nasd      " << m.asd << " " << units << "\n";
    if (m.empty) std::cout << "empty prediction or reference: HD95 and ASD reported 0 (the lineage's convention)\n";
  });
}

}  // namespace flowrun
