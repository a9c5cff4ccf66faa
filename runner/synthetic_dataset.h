// Writing the synthetic dataset once per set of options: the options are
// recorded in synthetic.json's "preprocessing", so `flowrun synth` and graphs
// with a "dataset_generator" skip the work when the folder already holds this
// exact dataset, and regenerate when it was made with other options.
#pragma once

#include <string>

#include "lib/synth/synth_options.h"

namespace flowrun {

struct SynthOutcome {
  bool written = false;
  std::string reason;  // why it was (re)written, or why nothing was written
};

SynthOutcome ensure_synthetic_dataset(const std::string& dir, const SynthOptions& options, bool force);

}  // namespace flowrun
