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
#include "nodes/synth/write_dataset.h"
#include "nodes/volume/dataset.h"
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
  double labeled_fraction = SynthOptions{}.labeled_fraction;
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
  o.labeled_fraction = a.labeled_fraction;
  // The description must load: its labelled subset may not round to no case.
  const int n_train = synth_train_count(o);
  if (std::lround(o.labeled_fraction * n_train) < 1)
    throw InputError("synth: --labeled-fraction " + std::to_string(o.labeled_fraction) + " of the " +
                     std::to_string(n_train) + " training cases rounds to 0 labelled cases; raise it or --cases");
  return o;
}

// What "preprocessing" records; equal records mean equal data.
nlohmann::json record(const SynthOptions& o) {
  return {{"generator", "flowrun synth"},
          {"options", {{"cases", o.cases}, {"seed", o.seed}, {"size", o.size}, {"spacing", o.spacing},
                       {"noise", o.noise}, {"contrast", o.contrast}, {"labeled_fraction", o.labeled_fraction},
                       {"train_fraction", o.train_fraction}}}};
}

// True when desc_file exists, records these options and all its files exist.
bool up_to_date(const fs::path& desc_file, const nlohmann::json& rec, std::string& why) {
  std::error_code ec;
  if (!fs::exists(desc_file, ec)) { why = "no " + desc_file.string(); return false; }
  try {
    DatasetDescription d = DatasetDescription::load(desc_file.string());
    if (!d.raw.contains("preprocessing") || d.raw["preprocessing"] != rec) {
      why = "it was made with other options";
      return false;
    }
    for (auto& [name, ids] : d.splits) d.check_cases(ids);
  } catch (const InputError& e) {
    why = std::string("it is incomplete: ") + e.what();
    return false;
  }
  return true;
}

}  // namespace

void add_data_verbs(CLI::App& app) {
  auto* sub = app.add_subcommand("synth", "write the synthetic phantom dataset (images, labels, lists, synthetic.json)");
  auto a = std::make_shared<SynthArgs>();
  sub->add_option("--out,-o", a->out, "output folder")->required();
  sub->add_option("--cases", a->cases, "number of cases (at least 3)");
  sub->add_option("--seed", a->seed, "seed of the phantoms");
  sub->add_option("--size", a->size, "volume size in voxels: X Y Z")->expected(3);
  sub->add_option("--noise", a->noise, "std of the additive noise (organ contrast is 0.45)");
  sub->add_option("--labeled-fraction", a->labeled_fraction, "default labelled fraction recorded in synthetic.json");
  sub->add_flag("--force", a->force, "regenerate even when the folder already holds this dataset");
  sub->callback([a] {
    const SynthOptions o = to_options(*a);
    const fs::path dir(a->out);
    const fs::path desc = dir / "synthetic.json";
    const nlohmann::json rec = record(o);
    std::string why;
    if (!a->force && up_to_date(desc, rec, why)) {
      std::cout << "flowrun synth: " << desc.string() << " already holds these " << o.cases
                << " cases; nothing written (--force regenerates)\n";
      return;
    }
    if (!why.empty() && fs::exists(desc)) std::cout << "flowrun synth: regenerating " << dir.string() << " (" << why << ")\n";
    write_synthetic_dataset(dir.string(), o);
    nlohmann::json doc;
    {
      std::ifstream in(desc);
      doc = nlohmann::json::parse(in);
    }
    doc["preprocessing"] = rec;
    std::ofstream f(desc);
    f << doc.dump(2) << "\n";
    f.close();
    if (!f) throw RunError("synth: cannot write " + desc.string());
    const int n_train = synth_train_count(o);
    std::cout << "flowrun synth: wrote " << o.cases << " cases of " << o.size[0] << "x" << o.size[1] << "x" << o.size[2]
              << " voxels (" << n_train << " in train.list, " << o.cases - n_train << " in test.list, labelled fraction "
              << o.labeled_fraction << ") to " << dir.string() << "; description " << desc.string() << "\n";
  });
}

}  // namespace flowrun
