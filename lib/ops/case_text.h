// Error-message prefix naming the case an op was working on, so a failure in
// a batch of many cases points at the file to look at.
#pragma once

#include <string>

namespace flowrun {

inline std::string case_prefix(const std::string& case_id) {
  return case_id.empty() ? std::string() : "case '" + case_id + "': ";
}

}  // namespace flowrun
