// Which checkpoint and which split an evaluation uses, decided without
// LibTorch: the eval nodes' preflights (run by `flowrun validate` from the
// plugin's contract library) and the nodes themselves share these.
#pragma once

#include <string>

#include "lib/volume/dataset.h"

namespace flowrun {

// The split to validate (and select best.pt) on: `wanted` when the dataset has
// it. The test split — named, or instead of a missing `wanted` — only with
// select_on_test (then with a warning on stderr); otherwise an InputError
// naming the node and the two ways out.
std::string validation_split(const DatasetDescription& dataset, const std::string& wanted, const std::string& test,
                             bool select_on_test, const std::string& node_id);

// A run folder or a .pt file -> the file. For a folder: DIR/checkpoints/<which>.pt,
// falling back to last.pt when <which> is "best" and no best exists.
// InputError when there is none.
std::string resolve_checkpoint(const std::string& dir_or_file, const std::string& which = "best");

}  // namespace flowrun
