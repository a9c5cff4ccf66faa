// Writes the synthetic phantom dataset to disk in flowrun's dataset
// description format, so graphs can train on it like on a real dataset.
#pragma once

#include <string>

#include "lib/synth/synth_options.h"

namespace flowrun {

// Writes into out_dir (created if missing): images/{id}_0000.nii.gz,
// labels/{id}.nii.gz, train.list (the first round(cases * train_fraction)
// ids), test.list (the rest) and synthetic.json. InputError when the options
// leave train or test empty; RunError when a file cannot be written.
void write_synthetic_dataset(const std::string& out_dir, const SynthOptions& opts);

// Number of training cases write_synthetic_dataset puts in train.list.
int synth_train_count(const SynthOptions& opts);

// Training cases that become the val split (val_from_train): val_cases, at
// most the training count minus 2.
int synth_val_count(const SynthOptions& opts);

}  // namespace flowrun
