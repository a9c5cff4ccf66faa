// Limits on JSON that comes from users (graphs, --set values, dataset
// descriptions, checkpoint metadata): how deep and how large it may be, and
// how much of a value an error message quotes. nlohmann's parser copes with
// any depth, but dump() and comparisons recurse, so a 100 000-level value
// would overflow the stack later, far from where it came in.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace flowrun {

inline constexpr size_t kMaxJsonDepth = 64;
inline constexpr std::uintmax_t kMaxJsonFileBytes = 64ull << 20;  // 64 MiB: graphs are kilobytes
inline constexpr size_t kMaxSetValueBytes = 64u << 10;            // one --set value: 64 KiB
inline constexpr size_t kMaxGraphNodes = 4096;                    // nodes of one graph (edges: 16x)

// InputError "<where>: JSON nested deeper than 64 levels" (iterative: safe at any depth).
void check_json_depth(const nlohmann::json& j, const std::string& where);

// Parses user JSON text, refusing what nlohmann would accept silently:
// duplicate keys in an object (the last would win) and nesting deeper than
// kMaxJsonDepth (checked while parsing). Those are InputErrors starting with
// `where` and giving the JSON path; syntax errors stay json::parse_error (and
// 1e999 json::out_of_range) for the caller, who knows lines and columns.
nlohmann::json parse_user_json(const std::string& text, const std::string& where);

// A value as an error message quotes it: its dump, cut to `max_chars`.
std::string brief(const nlohmann::json& j, size_t max_chars = 120);

}  // namespace flowrun
