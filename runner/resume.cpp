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
  const nlohmann::json meta = read_checkpoint_meta(last.string());
  return meta["iteration"].get<int64_t>() + 1;
}

}  // namespace flowrun
