// The checkpoint and validation split an evaluation uses (no LibTorch).
#include "lib/eval/eval_choices.h"

#include <filesystem>
#include <iostream>

#include "core/error.h"

namespace fs = std::filesystem;

namespace flowrun {

std::string validation_split(const DatasetDescription& dataset, const std::string& wanted, const std::string& test,
                             bool select_on_test, const std::string& node_id) {
  const std::string where = "node '" + node_id + "'";
  const std::string how = "add \"val_from_train\": N to the dataset description (docs/datasets.md) or set nodes." +
                          node_id + ".select_on_test=true";
  if (dataset.has_split(wanted)) {
    if (wanted == test && !select_on_test)
      throw InputError(where + ": validating on the test split '" + test +
                       "' would choose best.pt on the test cases; name a val split or set select_on_test=true");
    return wanted;
  }
  if (!dataset.has_split(test)) throw InputError(where + ": " + dataset.where() + "no split '" + wanted + "' and no '" + test + "' split");
  // Only the default name may fall back: a misspelt split (say "vall") would
  // otherwise choose best.pt on the test cases behind a warning.
  if (wanted != "val") {
    std::string names;
    for (const auto& [k, v] : dataset.splits) names += (names.empty() ? "" : ", ") + k;
    throw InputError(where + ": " + dataset.where() + "no split '" + wanted + "' to validate on (splits: " + names + ")");
  }
  if (!select_on_test)
    throw InputError(where + ": " + dataset.where() + "no split '" + wanted + "' to validate on; validating on '" + test +
                     "' instead would choose best.pt on the test cases: " + how);
  std::cerr << "flowrun: warning: " << where << ": " << dataset.where() << "no split '" << wanted << "': validating on '"
            << test << "' (select_on_test): best.pt is chosen on the test cases\n";
  return test;
}

std::string resolve_checkpoint(const std::string& dir_or_file, const std::string& which) {
  std::error_code ec;
  if (fs::is_regular_file(dir_or_file, ec)) return dir_or_file;
  if (!fs::is_directory(dir_or_file, ec)) throw InputError(dir_or_file + ": no such checkpoint file or run folder");
  const fs::path dir = fs::path(dir_or_file) / "checkpoints";
  const fs::path wanted = dir / (which + ".pt");
  if (fs::is_regular_file(wanted, ec)) return wanted.string();
  if (which == "best" && fs::is_regular_file(dir / "last.pt", ec)) return (dir / "last.pt").string();
  throw InputError(dir_or_file + ": no checkpoint " + wanted.string() +
                   (which == "best" ? " (nor last.pt)" : "") + " in this run folder");
}

}  // namespace flowrun
