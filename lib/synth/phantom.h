// One synthetic case: an irregular organ in textured tissue, with look-alike
// distractors, noise and a bias field; the label marks the organ only.
#pragma once

#include <string>
#include <utility>

#include "lib/synth/synth_options.h"
#include "lib/volume/volume.h"

namespace flowrun {

// Deterministic for (opts, case_index): every random part draws from
// Rng(opts.seed, case_index, "synth:<part>"). The image is z-scored over the
// whole volume; the label is 1 on the organ, 0 elsewhere (distractors
// included). InputError on options that cannot make a phantom.
std::pair<ImageVolume, LabelVolume> make_phantom(const SynthOptions& opts, int case_index);

// "case_000", "case_001", ...
std::string synth_case_id(int case_index);

}  // namespace flowrun
