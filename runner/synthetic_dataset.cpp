// Idempotent synthetic dataset writing (see synthetic_dataset.h).
#include "runner/synthetic_dataset.h"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "lib/synth/write_dataset.h"
#include "lib/volume/dataset.h"

namespace fs = std::filesystem;

namespace flowrun {

namespace {

// What "preprocessing" records; equal records mean equal data.
nlohmann::json record(const SynthOptions& o) {
  return {{"generator", "flowrun synth"},
          {"options", {{"cases", o.cases}, {"seed", o.seed}, {"size", o.size}, {"spacing", o.spacing},
                       {"noise", o.noise}, {"contrast", o.contrast}, {"labeled_fraction", o.labeled_fraction},
                       {"train_fraction", o.train_fraction}, {"val_cases", synth_val_count(o)}}}};
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

SynthOutcome ensure_synthetic_dataset(const std::string& dir, const SynthOptions& o, bool force) {
  const fs::path desc = fs::path(dir) / "synthetic.json";
  const nlohmann::json rec = record(o);
  SynthOutcome out;
  if (!force && up_to_date(desc, rec, out.reason)) {
    out.reason = desc.string() + " already holds these " + std::to_string(o.cases) + " cases";
    return out;
  }
  if (force) out.reason = "forced";
  write_synthetic_dataset(dir, o);
  nlohmann::json doc;
  {
    std::ifstream in(desc);
    doc = nlohmann::json::parse(in);
  }
  doc["preprocessing"] = rec;
  std::ofstream f(desc);
  f << doc.dump(2) << "\n";
  f.close();
  if (!f) throw RunError("cannot write " + desc.string());
  out.written = true;
  return out;
}

}  // namespace flowrun
