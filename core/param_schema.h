// Typed, documented parameters of node and resource types, and their
// validation: every parameter has a type, a default or a required flag, an
// optional range or enum, and a one-line doc. `flowrun describe` prints these;
// the graph validator checks a params object against them before anything runs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flowrun {

enum class ParamType { Bool, Int, Float, String, Enum, IntList, FloatList, StringList, Resource, Json };

const char* to_string(ParamType t);

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::Float;
  std::string doc;
  nlohmann::json default_value;  // null when required or when "no value" is allowed
  bool required = false;
  std::optional<double> min, max;          // for numbers and number lists (inclusive)
  std::vector<std::string> choices;        // for Enum
  std::optional<size_t> length;            // for lists: exact length
  std::string resource_type;               // for Resource (and resource lists): the type the named resource must have
  // A string list whose entries name resources of the graph (e.g. "nets"):
  // validate_graph checks each exists (and has resource_type, when set).
  bool names_resources = false;

  // Builders keep schema declarations short and readable.
  static ParamSpec boolean(std::string name, bool def, std::string doc);
  static ParamSpec integer(std::string name, int64_t def, std::string doc,
                           std::optional<double> min = {}, std::optional<double> max = {});
  static ParamSpec real(std::string name, double def, std::string doc,
                        std::optional<double> min = {}, std::optional<double> max = {});
  static ParamSpec string(std::string name, std::string def, std::string doc);
  static ParamSpec choice(std::string name, std::string def, std::vector<std::string> choices, std::string doc);
  static ParamSpec int_list(std::string name, std::vector<int64_t> def, std::string doc,
                            std::optional<size_t> length = {}, std::optional<double> min = {},
                            std::optional<double> max = {});
  static ParamSpec float_list(std::string name, std::vector<double> def, std::string doc,
                              std::optional<size_t> length = {});
  static ParamSpec string_list(std::string name, std::vector<std::string> def, std::string doc);
  static ParamSpec resource(std::string name, std::string resource_type, std::string doc);
  // A list of resource names; resource_type "" accepts any type (models are
  // an interface several resource types implement).
  static ParamSpec resource_list(std::string name, std::vector<std::string> def, std::string doc,
                                 std::string resource_type = "");
  static ParamSpec any_json(std::string name, nlohmann::json def, std::string doc);
  ParamSpec& require() { required = true; default_value = nullptr; return *this; }
  ParamSpec& optional_value() { default_value = nullptr; return *this; }

  // One-line human description of the accepted values, e.g. "float in [0, 50]".
  std::string expectation() const;
  nlohmann::json to_json() const;
};

using ParamSchema = std::vector<ParamSpec>;

// Checks `given` (a JSON object or null) against `schema` and returns the
// complete parameter object with defaults filled in. Throws InputError whose
// message starts with `where` (e.g. "graph.json: $.nodes[2].params (node 'crop')").
// `context` (e.g. " (node 'crop')") is appended to every message.
nlohmann::json validate_params(const nlohmann::json& given, const ParamSchema& schema, const std::string& where,
                               const std::string& context = "");

// Checks one value against one spec; returns an empty string or what is wrong.
std::string check_param_value(const ParamSpec& spec, const nlohmann::json& value);

// Up to three names from `candidates` closest to `name` (edit distance), for "did you mean".
std::vector<std::string> close_names(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace flowrun
