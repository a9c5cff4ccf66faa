// Depth and size limits on user JSON, and short quotes of values in messages.
#include "core/json_limits.h"

#include <utility>
#include <vector>

#include "core/error.h"

namespace flowrun {

void check_json_depth(const nlohmann::json& j, const std::string& where) {
  std::vector<std::pair<const nlohmann::json*, size_t>> todo{{&j, 1}};
  while (!todo.empty()) {
    auto [v, depth] = todo.back();
    todo.pop_back();
    if (!v->is_structured()) continue;
    if (depth > kMaxJsonDepth)
      throw InputError(where + ": JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    for (const auto& child : *v) todo.emplace_back(&child, depth + 1);
  }
}

std::string brief(const nlohmann::json& j, size_t max_chars) {
  std::string s = j.dump();
  if (s.size() > max_chars) s = s.substr(0, max_chars) + "... (" + std::to_string(s.size()) + " characters)";
  return s;
}

}  // namespace flowrun
