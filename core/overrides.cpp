// `--set PATH=VALUE` overrides applied to a graph document.
#include "core/json_limits.h"
#include "core/overrides.h"

#include <algorithm>
#include <sstream>

#include "core/error.h"
#include "core/global_params.h"
#include "core/registry.h"

namespace flowrun {

using nlohmann::json;

Override parse_override(const std::string& text) {
  Override o;
  o.text = text.size() <= 200 ? text : text.substr(0, 200) + "... (" + std::to_string(text.size()) + " characters)";
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError("--set " + o.text + ": expected PATH=VALUE, e.g. --set nodes.crop.sigma=2");
  o.path = text.substr(0, eq);
  const std::string v = text.substr(eq + 1);
  if (v.size() > kMaxSetValueBytes)
    throw InputError("--set " + o.path + "=...: a value of " + std::to_string(v.size()) + " bytes; at most " +
                     std::to_string(kMaxSetValueBytes) + " (put large values in the graph file)");
  // Keys and string values must be UTF-8, as in a graph file: dump() (error
  // messages, checkpoints) throws a raw type_error on anything else.
  try {
    (void)json(text).dump();
  } catch (const json::type_error&) {
    throw InputError("--set " + json(o.text).dump(-1, ' ', false, json::error_handler_t::replace) + ": not valid UTF-8");
  }
  try {
    o.value = parse_user_json(v, "--set " + o.path);
  } catch (const json::parse_error&) {
    o.value = v;  // bare words are strings: --set params.device=cpu
  } catch (const json::out_of_range&) {  // 1e999: out_of_range.406
    throw InputError("--set " + o.text + ": number out of range");
  }
  return o;  // parse_user_json checked the depth; a bare word has none
}

static std::vector<std::string> split_path(const std::string& p) {
  std::vector<std::string> parts;
  std::stringstream ss(p);
  std::string s;
  while (std::getline(ss, s, '.')) parts.push_back(s);
  return parts;
}

// A list index: digits only, and few enough that stoul cannot overflow.
static bool is_index(const std::string& s) {
  return !s.empty() && s.size() <= 9 && s.find_first_not_of("0123456789") == std::string::npos;
}

// Sets doc[rest...] = value, creating objects but never list elements.
static void set_in(json& target, const std::vector<std::string>& rest, size_t i, const json& value,
                   const std::string& arg) {
  if (i == rest.size()) { target = value; return; }
  const std::string& key = rest[i];
  if (target.is_array()) {
    if (!is_index(key) || std::stoul(key) >= target.size())
      throw InputError("--set " + arg + ": '" + key + "' is not an index of a list of " +
                       std::to_string(target.size()));
    set_in(target[std::stoul(key)], rest, i + 1, value, arg);
    return;
  }
  if (target.is_null()) target = json::object();
  if (!target.is_object()) throw InputError("--set " + arg + ": '" + key + "' goes into a value that is not an object");
  set_in(target[key], rest, i + 1, value, arg);
}

// obj[key] when it is a string, else "": the document is not validated yet
// (a node's "type" may be a number, set by an earlier --set or in the file).
static std::string string_at(const json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

// obj[key] as an object to set a parameter in (created when absent).
static json& params_of(json& obj, const std::string& what, const std::string& arg) {
  json& params = obj["params"];
  if (params.is_null()) params = json::object();
  if (!params.is_object()) throw InputError("--set " + arg + ": the params of " + what + " are not an object");
  return params;
}

void apply_overrides(json& doc, const std::vector<Override>& overrides, const Registry& registry) {
  if (!doc.is_object()) return;  // parse_graph reports the shape
  for (const auto& o : overrides) {
    auto parts = split_path(o.path);
    const std::string& arg = o.text;
    auto unknown = [&](const std::string& why) { return InputError("--set " + arg + ": unknown path (" + why + ")"); };
    if (parts.empty() || std::any_of(parts.begin(), parts.end(), [](auto& s) { return s.empty(); }))
      throw unknown("empty path element");
    // Each element may create an object level: a 60 000-element path would
    // build a value deep enough to overflow the stack (set_in, dump).
    if (parts.size() > kMaxJsonDepth)
      throw InputError("--set " + arg + ": path of " + std::to_string(parts.size()) + " elements; at most " +
                       std::to_string(kMaxJsonDepth));
    const std::string head = parts[0];
    if (head == "nodes") {
      if (parts.size() < 3) throw unknown("expected nodes.<id>.<param>");
      json* node = nullptr;
      if (doc.contains("nodes") && doc["nodes"].is_array())
        for (auto& n : doc["nodes"]) if (n.is_object() && string_at(n, "id") == parts[1]) node = &n;
      if (!node) throw unknown("no node with id '" + parts[1] + "'");
      std::string key = parts[2];
      size_t rest_from = 3;
      if (key == "concurrency" || key == "type") { set_in((*node)[key], parts, 3, o.value, arg); continue; }
      if (key == "params") {
        if (parts.size() < 4) throw unknown("expected nodes.<id>.params.<param>");
        key = parts[3];
        rest_from = 4;
      }
      const std::string type = string_at(*node, "type");
      json& params = params_of(*node, "node '" + parts[1] + "'", arg);
      if (const NodeType* t = registry.node(type)) {
        const ParamSpec* spec = t->schema.param(key);
        if (!spec) throw unknown("node '" + parts[1] + "' (" + type + ") has no parameter '" + key + "'");
        // Setting one element of a list starts from the default list.
        if (!params.contains(key) && parts.size() > rest_from) params[key] = spec->default_value;
      }
      std::vector<std::string> rest(parts.begin() + rest_from, parts.end());
      set_in(params[key], rest, 0, o.value, arg);
    } else if (head == "resources") {
      if (parts.size() < 3) throw unknown("expected resources.<name>.<param>");
      if (!doc.contains("resources") || !doc["resources"].contains(parts[1]))
        throw unknown("no resource named '" + parts[1] + "'");
      json& r = doc["resources"][parts[1]];
      if (!r.is_object()) throw InputError("--set " + arg + ": resource '" + parts[1] + "' is not an object");
      std::string key = parts[2];
      size_t rest_from = 3;
      if (key == "type") { set_in(r[key], parts, 3, o.value, arg); continue; }
      if (key == "params") {
        if (parts.size() < 4) throw unknown("expected resources.<name>.params.<param>");
        key = parts[3];
        rest_from = 4;
      }
      if (const ResourceType* t = registry.resource(string_at(r, "type"))) {
        bool found = false;
        for (auto& p : t->schema.params) found = found || p.name == key;
        if (!found) throw unknown("resource '" + parts[1] + "' has no parameter '" + key + "'");
      }
      std::vector<std::string> rest(parts.begin() + rest_from, parts.end());
      set_in(params_of(r, "resource '" + parts[1] + "'", arg)[key], rest, 0, o.value, arg);
    } else if (head == "params") {
      if (parts.size() < 2) throw unknown("expected params.<name>");
      bool found = false;
      for (auto& p : global_param_schema()) found = found || p.name == parts[1];
      if (!found) throw unknown("no global parameter '" + parts[1] + "'");
      std::vector<std::string> rest(parts.begin() + 1, parts.end());
      set_in(doc["params"], rest, 0, o.value, arg);
    } else if (head == "dataset" || head == "name") {
      if (parts.size() != 1) throw unknown("'" + head + "' takes no sub-path");
      doc[head] = o.value;
    } else if (head == "plugins") {
      std::vector<std::string> rest(parts.begin() + 1, parts.end());
      set_in(doc["plugins"], rest, 0, o.value, arg);
    } else {
      throw unknown("expected it to start with nodes, resources, params, dataset, plugins or name");
    }
  }
}

}  // namespace flowrun
