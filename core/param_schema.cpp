// Parameter specs, their validation and "did you mean" suggestions.
#include "core/json_limits.h"
#include "core/param_schema.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/error.h"

namespace flowrun {

using nlohmann::json;

const char* to_string(ParamType t) {
  switch (t) {
    case ParamType::Bool: return "bool";
    case ParamType::Int: return "int";
    case ParamType::Float: return "float";
    case ParamType::String: return "string";
    case ParamType::Enum: return "enum";
    case ParamType::IntList: return "int list";
    case ParamType::FloatList: return "float list";
    case ParamType::StringList: return "string list";
    case ParamType::Resource: return "resource";
    case ParamType::Json: return "json";
  }
  return "?";
}

ParamSpec ParamSpec::boolean(std::string name, bool def, std::string doc) {
  ParamSpec s; s.name = std::move(name); s.type = ParamType::Bool; s.default_value = def; s.doc = std::move(doc);
  return s;
}
ParamSpec ParamSpec::integer(std::string name, int64_t def, std::string doc, std::optional<double> min,
                             std::optional<double> max) {
  ParamSpec s; s.name = std::move(name); s.type = ParamType::Int; s.default_value = def; s.doc = std::move(doc);
  s.min = min; s.max = max;
  return s;
}
ParamSpec ParamSpec::real(std::string name, double def, std::string doc, std::optional<double> min,
                          std::optional<double> max) {
  ParamSpec s; s.name = std::move(name); s.type = ParamType::Float; s.default_value = def; s.doc = std::move(doc);
  s.min = min; s.max = max;
  return s;
}
ParamSpec ParamSpec::string(std::string name, std::string def, std::string doc) {
  ParamSpec s; s.name = std::move(name); s.type = ParamType::String; s.default_value = std::move(def);
  s.doc = std::move(doc);
  return s;
}
ParamSpec ParamSpec::choice(std::string name, std::string def, std::vector<std::string> choices, std::string doc) {
  ParamSpec s; s.name = std::move(name); s.type = ParamType::Enum; s.default_value = std::move(def);
  s.choices = std::move(choices); s.doc = std::move(doc);
  return s;
}
ParamSpec ParamSpec::int_list(std::string name, std::vector<int64_t> def, std::string doc,
                              std::optional<size_t> length, std::optional<double> min, std::optional<double> max) {
  ParamSpec s; s.name = std::move(name); s.type = ParamType::IntList; s.default_value = def; s.doc = std::move(doc);
  s.length = length; s.min = min; s.max = max;
  return s;
}
ParamSpec ParamSpec::float_list(std::string name, std::vector<double> def, std::string doc,
                                std::optional<size_t> length) {
  ParamSpec s; s.name = std::move(name); s.type = ParamType::FloatList; s.default_value = def; s.doc = std::move(doc);
  s.length = length;
  return s;
}
ParamSpec ParamSpec::string_list(std::string name, std::vector<std::string> def, std::string doc) {
  ParamSpec s; s.name = std::move(name); s.type = ParamType::StringList; s.default_value = def; s.doc = std::move(doc);
  return s;
}
ParamSpec ParamSpec::resource(std::string name, std::string resource_type, std::string doc) {
  ParamSpec s; s.name = std::move(name); s.type = ParamType::Resource; s.resource_type = std::move(resource_type);
  s.doc = std::move(doc); s.required = true;
  return s;
}
ParamSpec ParamSpec::resource_list(std::string name, std::vector<std::string> def, std::string doc,
                                   std::string resource_type) {
  ParamSpec s = string_list(std::move(name), std::move(def), std::move(doc));
  s.names_resources = true;
  s.resource_type = std::move(resource_type);
  return s;
}
ParamSpec ParamSpec::any_json(std::string name, json def, std::string doc) {
  ParamSpec s; s.name = std::move(name); s.type = ParamType::Json; s.default_value = std::move(def);
  s.doc = std::move(doc);
  return s;
}

static std::string num(double v) {
  std::ostringstream o; o << v; return o.str();
}

static std::string range_text(const ParamSpec& s) {
  if (s.min && s.max) return " in [" + num(*s.min) + ", " + num(*s.max) + "]";
  if (s.min) return " >= " + num(*s.min);
  if (s.max) return " <= " + num(*s.max);
  return "";
}

std::string ParamSpec::expectation() const {
  switch (type) {
    case ParamType::Bool: return "true or false";
    case ParamType::Int: return "an integer" + range_text(*this);
    case ParamType::Float: return "a number" + range_text(*this);
    case ParamType::String: return "a string";
    case ParamType::Enum: {
      std::string s = "one of";
      for (size_t i = 0; i < choices.size(); ++i) s += (i ? ", \"" : " \"") + choices[i] + "\"";
      return s;
    }
    case ParamType::IntList:
    case ParamType::FloatList: {
      std::string s = "a list of " + std::string(length ? std::to_string(*length) + " " : "") +
                      (type == ParamType::IntList ? "integers" : "numbers");
      return s + range_text(*this);
    }
    case ParamType::StringList:
      if (!names_resources) return "a list of strings";
      return "a list of resource names" + (resource_type.empty() ? std::string() : " of type " + resource_type);
    case ParamType::Resource: return "the name of a resource of type " + resource_type;
    case ParamType::Json: return "any JSON value";
  }
  return "?";
}

json ParamSpec::to_json() const {
  json j = {{"name", name}, {"type", to_string(type)}, {"doc", doc}, {"required", required}};
  if (!required) j["default"] = default_value;
  if (min) j["min"] = *min;
  if (max) j["max"] = *max;
  if (!choices.empty()) j["choices"] = choices;
  if (length) j["length"] = *length;
  if (!resource_type.empty()) j["resource_type"] = resource_type;
  if (names_resources) j["names_resources"] = true;
  return j;
}

static bool in_range(const ParamSpec& s, double v) {
  return (!s.min || v >= *s.min) && (!s.max || v <= *s.max);
}

// An integer, or a float with an integral value that an int64 holds (1e30
// is not one: it would wrap when a node reads it as an integer).
static bool is_integer_value(const json& v) {
  if (v.is_number_integer()) return !v.is_number_unsigned() || v.get<uint64_t>() <= uint64_t(INT64_MAX);
  if (v.is_number_float()) {
    const double d = v.get<double>();
    return std::isfinite(d) && std::floor(d) == d && d >= -9.2e18 && d <= 9.2e18;
  }
  return false;
}

std::string check_param_value(const ParamSpec& s, const json& v) {
  const std::string bad = "expected " + s.expectation() + ", got " + brief(v);
  if (v.is_null() && !s.required && s.default_value.is_null()) return "";  // "no value" allowed
  switch (s.type) {
    case ParamType::Bool: return v.is_boolean() ? "" : bad;
    case ParamType::Int: return is_integer_value(v) && in_range(s, v.get<double>()) ? "" : bad;
    case ParamType::Float:
      return v.is_number() && std::isfinite(v.get<double>()) && in_range(s, v.get<double>()) ? "" : bad;
    case ParamType::String: return v.is_string() ? "" : bad;
    case ParamType::Enum:
      return v.is_string() && std::find(s.choices.begin(), s.choices.end(), v.get<std::string>()) != s.choices.end()
                 ? "" : bad;
    case ParamType::IntList:
    case ParamType::FloatList: {
      if (!v.is_array() || (s.length && v.size() != *s.length)) return bad;
      for (auto& e : v) {
        if (s.type == ParamType::IntList ? !is_integer_value(e) : !e.is_number()) return bad;
        if (!in_range(s, e.get<double>())) return bad;
      }
      return "";
    }
    case ParamType::StringList: {
      if (!v.is_array()) return bad;
      for (auto& e : v) if (!e.is_string()) return bad;
      return "";
    }
    case ParamType::Resource: return v.is_string() ? "" : bad;
    case ParamType::Json: return "";
  }
  return bad;
}

json validate_params(const json& given, const ParamSchema& schema, const std::string& where,
                     const std::string& context) {
  if (!given.is_null() && !given.is_object())
    throw InputError(where + ": expected an object of parameters, got " + given.dump() + context);
  json out = json::object();
  if (given.is_object()) {
    std::vector<std::string> known;
    for (auto& s : schema) known.push_back(s.name);
    for (auto& item : given.items()) {
      // Named, not a structured binding: lambdas capture it (clang < 16 refuses bindings).
      const std::string& k = item.key();
      const json& v = item.value();
      auto it = std::find_if(schema.begin(), schema.end(), [&](const ParamSpec& s) { return s.name == k; });
      if (it == schema.end()) {
        std::string msg = where + "." + k + ": unknown parameter";
        auto close = close_names(k, known);
        if (!close.empty()) {
          msg += " (did you mean";
          for (size_t i = 0; i < close.size(); ++i) msg += (i ? ", '" : " '") + close[i] + "'";
          msg += "?)";
        }
        msg += "; known parameters:";
        if (known.empty()) msg += " none";
        for (auto& n : known) msg += " " + n;
        throw InputError(msg + context);
      }
      std::string problem = check_param_value(*it, v);
      if (!problem.empty()) throw InputError(where + "." + k + ": " + problem + context);
      // Integers given as 2.0 are stored as integers so nodes can read them as int.
      out[k] = (it->type == ParamType::Int && v.is_number_float()) ? json(static_cast<int64_t>(v.get<double>())) : v;
    }
  }
  for (auto& s : schema) {
    if (out.contains(s.name)) continue;
    if (s.required) throw InputError(where + ": missing required parameter '" + s.name + "' (" + s.expectation() + ")" + context);
    out[s.name] = s.default_value;
  }
  return out;
}

static size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::vector<std::string> close_names(const std::string& name, const std::vector<std::string>& candidates) {
  std::vector<std::pair<size_t, std::string>> scored;
  for (auto& c : candidates) {
    size_t d = edit_distance(name, c);
    // Also match on the part after the plugin prefix ("shift_crop" vs "cotwin.shift_crop").
    auto dot = c.find('.');
    if (dot != std::string::npos) d = std::min(d, edit_distance(name, c.substr(dot + 1)));
    if (d <= std::max<size_t>(2, name.size() / 3) || c.find(name) != std::string::npos) scored.emplace_back(d, c);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < 3; ++i) out.push_back(scored[i].second);
  return out;
}

}  // namespace flowrun
