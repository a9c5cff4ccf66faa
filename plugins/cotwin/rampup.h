// The unsupervised-loss weight w(t) of CoTwin (METHOD section 4).
//
// sigmoid (lineage MC-Net / Laine & Aila): w = max_weight * exp(-5 (1 - min(t, T)/T)^2)
// linear:   w = max_weight * min(t, T) / T
// constant: w = max_weight
// With T = 0 the ramp is over from the start (w = max_weight), as in the lineage.
//
// Units of t and T:
//   epochs:     t = floor(iteration / iters_per_epoch) (the lineage's
//               iter_num // 150, so w steps once per 150 iterations), T = length.
//   iterations: t = iteration, T = length.
//   fraction:   t = iteration, T = length * total_iterations (length in [0, 1]),
//               so the ramp fits the run's budget whatever its size.
// Lineage MC-Net values: sigmoid, epochs, T = 40, iters_per_epoch = 150.
#pragma once

#include <cstdint>
#include <string>

namespace flowrun {

enum class RampShape { sigmoid, linear, constant };
enum class RampUnit { epochs, iterations, fraction };

struct RampUpOptions {
  RampShape shape = RampShape::sigmoid;
  RampUnit unit = RampUnit::epochs;
  double length = 40.0;
  int64_t iters_per_epoch = 150;
  double max_weight = 1.0;
};

// Throws InputError on a negative length or weight, iters_per_epoch < 1, or a
// fraction above 1.
void validate(const RampUpOptions& options);

// w at `iteration` (0-based). total_iterations is needed (> 0) only for the
// fraction unit; RunError if it is missing there.
double rampup_weight(const RampUpOptions& options, int64_t iteration, int64_t total_iterations = 0);

// "sigmoid" | "linear" | "constant"; InputError otherwise.
RampShape parse_ramp_shape(const std::string& name);
// "epochs" | "iterations" | "fraction"; InputError otherwise.
RampUnit parse_ramp_unit(const std::string& name);

}  // namespace flowrun
