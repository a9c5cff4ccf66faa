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
  nlohmann::json r = {{"generator", "flowrun synth"},
                      {"options", {{"cases", o.cases}, {"seed", o.seed}, {"size", o.size}, {"spacing", o.spacing},
                                   {"noise", o.noise}, {"contrast", o.contrast}, {"labeled_fraction", o.labeled_fraction},
                                   {"train_fraction", o.train_fraction}, {"val_cases", synth_val_count(o)}}}};
  // Only when set, so datasets written before it existed still match.
  if (o.classes != 2) r["options"]["classes"] = o.classes;
  return r;
}

enum class Found { nothing, incomplete, other_options, same };

// What desc_file holds: nothing, a dataset with these options (`same`, every
// file present), the same one with files missing (`incomplete`: a generation
// that was cut short), or another dataset (`other_options`).
Found examine(const fs::path& desc_file, const nlohmann::json& rec, std::string& why) {
  std::error_code ec;
  if (!fs::exists(desc_file, ec)) { why = "no " + desc_file.string(); return Found::nothing; }
  DatasetDescription d;
  try {
    d = DatasetDescription::load(desc_file.string());
  } catch (const InputError& e) {
    why = e.what();
    return Found::other_options;
  }
  if (!d.raw.contains("preprocessing") || d.raw["preprocessing"] != rec) {
    why = d.raw.contains("preprocessing") ? "it was made with other options: " + d.raw["preprocessing"].dump()
                                          : "it is not a dataset flowrun generated";
    return Found::other_options;
  }
  try {
    for (auto& [name, ids] : d.splits) d.check_cases(ids);
  } catch (const InputError& e) {
    why = std::string("it is incomplete: ") + e.what();
    return Found::incomplete;
  }
  return Found::same;
}

}  // namespace

SynthOutcome ensure_synthetic_dataset(const std::string& dir, const SynthOptions& o, bool force) {
  const fs::path desc = fs::path(dir) / "synthetic.json";
  const nlohmann::json rec = record(o);
  SynthOutcome out;
  const Found found = examine(desc, rec, out.reason);
  if (!force && found == Found::same) {
    out.reason = desc.string() + " already holds these " + std::to_string(o.cases) + " cases";
    return out;
  }
  // Another dataset is never replaced without being asked: runs trained on
  // it would no longer match their data.
  if (!force && found == Found::other_options)
    throw InputError(desc.string() + ": holds another dataset (" + out.reason.substr(0, 300) +
                     "); flowrun does not replace it: remove it, point the graph elsewhere (--set dataset=DIR/"
                     "synthetic.json), or regenerate it with `flowrun synth --out " + dir + " --force`");
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
