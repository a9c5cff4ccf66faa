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

inline constexpr int kExitOk = 0;
inline constexpr int kExitRunFailure = 1;
inline constexpr int kExitInvalidInput = 2;

}  // namespace flowrun
