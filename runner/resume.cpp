// Resume support for `flowrun run --resume DIR`: the first batch to run comes
// from the iteration recorded in DIR/checkpoints/last.pt.
#include "runner/resume.h"

#include <filesystem>

#include "core/error.h"
#include "lib/torch/checkpoint.h"

namespace fs = std::filesystem;

namespace flowrun {

int64_t resume_point(const std::string& dir, std::vector<std::string>&) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw InputError("--resume " + dir + ": no such folder");
  const fs::path last = fs::path(dir) / "checkpoints" / "last.pt";
  if (!fs::is_regular_file(last, ec))
    throw InputError("--resume " + dir + ": no checkpoint to resume from (expected " + last.string() +
                     "; train.checkpoint writes it every `every` iterations and when a run ends or is stopped)");
  // Checked before anything in DIR is touched: a resume that would fail
  // must not have renamed the profile or cut the log first.
  const nlohmann::json meta = read_checkpoint_meta(last.string());
  const int64_t iteration = meta["iteration"].get<int64_t>();
  if (iteration < 0 || iteration >= (int64_t{1} << 40))
    throw InputError(last.string() + ": metadata records iteration " + std::to_string(iteration) +
                     ", not a batch a run can have saved after (expected 0 or more)");
  return iteration + 1;
}

}  // namespace flowrun
