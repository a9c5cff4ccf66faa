// Generating a graph's dataset from its "dataset_generator" when absent.
#include "runner/dataset_generator.h"

#include <filesystem>
#include <iostream>

#include "core/error.h"
#include "core/param_schema.h"
#include "runner/synthetic_dataset.h"

namespace fs = std::filesystem;

namespace flowrun {

using nlohmann::json;

static const ParamSchema& synthetic_schema() {
  static const ParamSchema s = {
      ParamSpec::integer("cases", 24, "number of cases", 3, 10000),
      ParamSpec::integer("seed", 1337, "seed of the phantoms", 0),
      ParamSpec::int_list("size", {64, 64, 48}, "volume size in voxels (x, y, z)", 3, 16, 1024),
      ParamSpec::float_list("spacing", {1.0, 1.0, 1.5}, "voxel spacing in mm", 3),
      ParamSpec::real("noise", 0.6, "std of the additive noise", 0),
      ParamSpec::real("contrast", 0.45, "organ minus background intensity", 0),
      ParamSpec::real("labeled_fraction", 0.2, "labelled fraction recorded in the description", 0, 1),
  };
  return s;
}

bool ensure_generated_dataset(const GraphSpec& spec) {
  if (!spec.doc.contains("dataset_generator") || spec.dataset.empty()) return false;
  const json& gen = spec.doc["dataset_generator"];
  const std::string where = spec.where("$.dataset_generator");
  if (!gen.is_object() || gen.value("type", "") != "synthetic")
    throw InputError(where + ": expected {\"type\": \"synthetic\", \"params\": {...}}");
  for (auto& [k, v] : gen.items())
    if (k != "type" && k != "params") throw InputError(where + "." + k + ": unknown key (expected type, params)");
  const json p = validate_params(gen.value("params", json::object()), synthetic_schema(), where + ".params");
  SynthOptions o;
  o.cases = p["cases"];
  o.seed = p["seed"];
  o.size = p["size"].get<std::array<int64_t, 3>>();
  o.spacing = p["spacing"].get<std::array<double, 3>>();
  o.noise = p["noise"];
  o.contrast = p["contrast"];
  o.labeled_fraction = p["labeled_fraction"];
  const fs::path dir = fs::path(spec.dataset).parent_path();
  if (fs::path(spec.dataset).filename() != "synthetic.json")
    throw InputError(spec.where("$.dataset") + ": a synthetic dataset is described by synthetic.json, got " +
                     fs::path(spec.dataset).filename().string());
  const SynthOutcome r = ensure_synthetic_dataset(dir.string(), o, false);
  if (r.written)
    std::cerr << "flowrun: generated " << o.cases << " synthetic cases in " << dir.string() << " (" << r.reason << ")\n";
  return r.written;
}

}  // namespace flowrun
