// Error types of flowrun and the exit codes they map to.
//
// InputError: something the user gave us is wrong (graph, dataset, flag, file).
//   The CLI exits with 2. Messages name the file, the JSON path or node id, and
//   what was expected.
// RunError: something failed while the graph was running. The CLI exits with 1.
#pragma once

#include <stdexcept>
#include <string>

namespace flowrun {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Work abandoned because the run is stopping (Ctrl-C, SIGTERM): long loops
// (sliding windows, evaluation passes) throw it when asked to stop, so a stop
// does not wait for them. Not a failure: the runner ends the batch quietly.
class Cancelled : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A library exception's text for a user: without the C++ backtrace that
// LibTorch's c10::Error appends ("Exception raised from ...", "frame #N"),
// and at most 2000 characters.
inline std::string error_text(const std::exception& e) {
  std::string s = e.what();
  for (const char* cut : {"\nException raised from ", "\nframe #"}) {
    const auto at = s.find(cut);
    if (at != std::string::npos) s.erase(at);
  }
  if (s.size() > 2000) s = s.substr(0, 2000) + "... (cut)";
  return s;
}

inline constexpr int kExitOk = 0;
inline constexpr int kExitRunFailure = 1;
inline constexpr int kExitInvalidInput = 2;

}  // namespace flowrun
