// Whole-or-nothing file writes (see atomic_file.h).
#include "core/atomic_file.h"

#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace flowrun {
namespace fs = std::filesystem;

void write_file_atomically(const std::string& path, const std::string& text) {
  const fs::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  const std::string tmp = path + ".tmp";
  bool written = false;
  {
    std::ofstream f(tmp);
    f << text;
    written = static_cast<bool>(f.flush());
  }
  if (!written) {
    fs::remove(tmp, ec);
    throw RunError("cannot write " + path + " (disk full?)");
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignore;
    fs::remove(tmp, ignore);
    throw RunError("cannot rename " + tmp + " to " + path + ": " + ec.message());
  }
}

}  // namespace flowrun
