// Ramp-up schedules for the unsupervised-loss weight.
#include "plugins/cotwin/rampup.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace flowrun {

void validate(const RampUpOptions& o) {
  if (!(o.length >= 0.0))
    throw InputError("rampup: length must be >= 0, got " + std::to_string(o.length));
  if (o.unit == RampUnit::fraction && o.length > 1.0)
    throw InputError("rampup: a fraction length must be in [0, 1], got " + std::to_string(o.length));
  if (o.iters_per_epoch < 1)
    throw InputError("rampup: iters_per_epoch must be >= 1, got " +
                     std::to_string(o.iters_per_epoch));
  if (!(o.max_weight >= 0.0))
    throw InputError("rampup: max_weight must be >= 0, got " + std::to_string(o.max_weight));
}

double rampup_weight(const RampUpOptions& o, int64_t iteration, int64_t total_iterations) {
  if (o.shape == RampShape::constant) return o.max_weight;
  double t = static_cast<double>(iteration);
  double T = o.length;
  switch (o.unit) {
    case RampUnit::epochs:
      t = static_cast<double>(iteration / o.iters_per_epoch);
      break;
    case RampUnit::iterations:
      break;
    case RampUnit::fraction:
      if (total_iterations <= 0)
        throw RunError("rampup: a fraction length needs the run's total iterations");
      T = o.length * static_cast<double>(total_iterations);
      break;
  }
  if (T <= 0.0) return o.max_weight;
  const double r = std::clamp(t, 0.0, T) / T;
  if (o.shape == RampShape::linear) return o.max_weight * r;
  const double phase = 1.0 - r;
  return o.max_weight * std::exp(-5.0 * phase * phase);
}

RampShape parse_ramp_shape(const std::string& name) {
  if (name == "sigmoid") return RampShape::sigmoid;
  if (name == "linear") return RampShape::linear;
  if (name == "constant") return RampShape::constant;
  throw InputError("rampup: shape must be one of sigmoid|linear|constant, got '" + name + "'");
}

RampUnit parse_ramp_unit(const std::string& name) {
  if (name == "epochs") return RampUnit::epochs;
  if (name == "iterations") return RampUnit::iterations;
  if (name == "fraction") return RampUnit::fraction;
  throw InputError("rampup: unit must be one of epochs|iterations|fraction, got '" + name + "'");
}

}  // namespace flowrun
