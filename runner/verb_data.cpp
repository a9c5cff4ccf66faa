// Verbs that make datasets: `flowrun synth` writes the synthetic phantom
// dataset. It is idempotent so scripts and demos can call it unconditionally:
// the options are recorded in synthetic.json's "preprocessing" and a second
// call with the same options finds the data complete and writes nothing.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "lib/synth/write_dataset.h"
#include "lib/volume/dataset.h"
#include "runner/synthetic_dataset.h"
#include "runner/verb_docs.h"
#include "runner/verbs.h"

namespace fs = std::filesystem;

namespace flowrun {
namespace {

struct SynthArgs {
  std::string out;
  int cases = SynthOptions{}.cases;
  uint64_t seed = SynthOptions{}.seed;
  std::vector<int64_t> size{SynthOptions{}.size[0], SynthOptions{}.size[1], SynthOptions{}.size[2]};
  double noise = SynthOptions{}.noise;
  double contrast = SynthOptions{}.contrast;
  double labeled_fraction = SynthOptions{}.labeled_fraction;
  int val_cases = SynthOptions{}.val_cases;
  int classes = SynthOptions{}.classes;
  std::vector<double> spacing{SynthOptions{}.spacing[0], SynthOptions{}.spacing[1], SynthOptions{}.spacing[2]};
  bool force = false;
};

SynthOptions to_options(const SynthArgs& a) {
  SynthOptions o;
  if (a.cases < 3) throw InputError("synth: --cases must be at least 3 (train and test both need cases), got " + std::to_string(a.cases));
  if (a.size.size() != 3) throw InputError("synth: --size takes three numbers X Y Z");
  for (int64_t s : a.size)
    if (s < 16 || s > 1024) throw InputError("synth: --size values must be in [16, 1024], got " + std::to_string(s));
  if (!(a.noise >= 0.0) || a.noise > 100.0) throw InputError("synth: --noise must be in [0, 100], got " + std::to_string(a.noise));
  if (!(a.labeled_fraction > 0.0 && a.labeled_fraction <= 1.0))
    throw InputError("synth: --labeled-fraction must be in (0, 1], got " + std::to_string(a.labeled_fraction));
  o.cases = a.cases;
  o.seed = a.seed;
  o.size = {a.size[0], a.size[1], a.size[2]};
  o.noise = a.noise;
  if (!(a.contrast >= 0.0) || a.contrast > 100.0)
    throw InputError("synth: --contrast must be in [0, 100], got " + std::to_string(a.contrast));
  o.contrast = a.contrast;
  o.labeled_fraction = a.labeled_fraction;
  if (a.val_cases < 0) throw InputError("synth: --val-cases must be >= 0, got " + std::to_string(a.val_cases));
  o.val_cases = a.val_cases;
  if (a.classes < 2 || a.classes > 8) throw InputError("synth: --classes must be in [2, 8], got " + std::to_string(a.classes));
  o.classes = a.classes;
  if (a.spacing.size() != 3) throw InputError("synth: --spacing takes three numbers X Y Z (mm)");
  for (double s : a.spacing)
    if (!(s > 0.0 && s <= 100.0)) throw InputError("synth: --spacing values must be in (0, 100] mm, got " + std::to_string(s));
  o.spacing = {a.spacing[0], a.spacing[1], a.spacing[2]};
  // The description must load: its labelled subset may not round to no case.
  const int n_train = synth_train_count(o);
  if (std::lround(o.labeled_fraction * n_train) < 1)
    throw InputError("synth: --labeled-fraction " + std::to_string(o.labeled_fraction) + " of the " +
                     std::to_string(n_train) + " training cases rounds to 0 labelled cases; raise it or --cases");
  return o;
}

}  // namespace

void add_data_verbs(CLI::App& app) {
  auto* sub = app.add_subcommand("synth", verb_doc("synth"));
  auto a = std::make_shared<SynthArgs>();
  sub->add_option("--out,-o", a->out, "output folder")->required();
  sub->add_option("--cases", a->cases, "number of cases (at least 3)");
  sub->add_option("--seed", a->seed, "seed of the phantoms");
  sub->add_option("--size", a->size, "volume size in voxels: X Y Z")->expected(3);
  sub->add_option("--spacing", a->spacing, "voxel spacing in mm written to the NIfTI headers: X Y Z (default 1 1 1.5)")
      ->expected(3);
  sub->add_option("--noise", a->noise, "std of the additive noise");
  sub->add_option("--contrast", a->contrast, "organ minus background intensity (default 0.45: below the noise)");
  sub->add_option("--labeled-fraction", a->labeled_fraction, "default labelled fraction recorded in synthetic.json");
  sub->add_option("--classes", a->classes,
                  "label values 0..N-1; above 2 the organ is cut into nested shells (a multi-class dataset)");
  sub->add_option("--val-cases", a->val_cases,
                  "training cases carved off as the val split for model selection (at most train - 2)");
  sub->add_flag("--force", a->force, "regenerate even when the folder already holds this dataset");
  sub->callback([a] {
    const SynthOptions o = to_options(*a);
    const fs::path dir(a->out);
    const fs::path desc = dir / "synthetic.json";
    const SynthOutcome r = ensure_synthetic_dataset(dir.string(), o, a->force);
    if (!r.written) {
      std::cout << "flowrun synth: " << r.reason << "; nothing written (--force regenerates)\n";
      return;
    }
    if (!r.reason.empty() && r.reason.rfind("no ", 0) != 0) std::cout << "flowrun synth: regenerated (" << r.reason << ")\n";
    const int n_train = synth_train_count(o);
    std::cout << "flowrun synth: wrote " << o.cases << " cases of " << o.size[0] << "x" << o.size[1] << "x" << o.size[2]
              << " voxels (" << n_train << " in train.list, " << o.cases - n_train << " in test.list, labelled fraction "
              << o.labeled_fraction << ") to " << dir.string() << "; description " << desc.string() << "\n";
  });
}

}  // namespace flowrun
