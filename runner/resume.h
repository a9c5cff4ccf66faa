// Where a resumed run starts: read from the run folder's last checkpoint.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace flowrun {

// Reads the iteration of DIR/checkpoints/last.pt and returns the first batch id to run
// (the checkpoint's iteration + 1). Throws InputError when DIR holds no
// readable checkpoint.
int64_t resume_point(const std::string& dir, std::vector<std::string>& set_args);

}  // namespace flowrun
