// Resume support for `flowrun run --resume DIR`.
#include "runner/resume.h"

#include <filesystem>

#include "core/error.h"
#include "core/graph_spec.h"

namespace fs = std::filesystem;

namespace flowrun {

int64_t resume_point(const std::string& dir, std::vector<std::string>&) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw InputError("--resume " + dir + ": no such folder");
  const fs::path meta = fs::path(dir) / "checkpoints" / "last" / "meta.json";
  if (!fs::is_regular_file(meta, ec))
    throw InputError("--resume " + dir + ": no checkpoint to resume from (expected " + meta.string() +
                     "; a run writes it every `checkpoint_every` iterations)");
  nlohmann::json m = read_json_file(meta.string(), "checkpoint metadata");
  if (!m.is_object() || !m.contains("iteration") || !m["iteration"].is_number_integer())
    throw InputError(meta.string() + ": corrupt checkpoint metadata (expected an integer \"iteration\")");
  return m["iteration"].get<int64_t>() + 1;
}

}  // namespace flowrun
