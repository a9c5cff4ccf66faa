// Depth and size limits on user JSON, and short quotes of values in messages.
#include "core/json_limits.h"

#include <set>
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

nlohmann::json parse_user_json(const std::string& text, const std::string& where) {
  using nlohmann::json;
  // Per open container: '{' with the keys seen so far, or '['.
  struct Level {
    bool object;
    std::set<std::string> keys;
    std::string key;  // the current member's key
  };
  std::vector<Level> open;
  auto path = [&] {
    std::string p = "$";
    for (size_t i = 0; i + 1 < open.size(); ++i) p += open[i].object ? "." + open[i].key : "[]";
    return p;
  };
  json::parser_callback_t check = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        open.push_back({event == json::parse_event_t::object_start, {}, {}});
        if (open.size() > kMaxJsonDepth)
          throw InputError(where + ": JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!open.empty()) open.pop_back();
        break;
      case json::parse_event_t::key: {
        Level& l = open.back();
        l.key = parsed.get<std::string>();
        if (!l.keys.insert(l.key).second)
          throw InputError(where + ": " + path() + " has the key \"" + l.key.substr(0, 80) +
                           "\" twice (JSON would silently keep only the last); remove one");
        break;
      }
      default:
        break;
    }
    return true;
  };
  return json::parse(text, check);
}

std::string brief(const nlohmann::json& j, size_t max_chars) {
  std::string s = j.dump();
  if (s.size() > max_chars) s = s.substr(0, max_chars) + "... (" + std::to_string(s.size()) + " characters)";
  return s;
}

}  // namespace flowrun
