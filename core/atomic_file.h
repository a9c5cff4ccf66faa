// Writing a small file whole or not at all: to a temporary beside it, then
// renamed over it, so a full disk or a kill never leaves half a file (a
// profile, a summary) for a later resume or reader to trip over.
#pragma once

#include <string>

namespace flowrun {

// Creates the parent folders. RunError "cannot write PATH (disk full?)" or
// "cannot rename ..." on failure, with no temporary file left behind.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace flowrun
