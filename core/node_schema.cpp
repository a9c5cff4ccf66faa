// Node and resource schemas: lookups and JSON form (for describe and docs).
#include "core/node_schema.h"

namespace flowrun {

using nlohmann::json;

const PortSpec* NodeSchema::input(const std::string& name) const {
  for (auto& p : inputs) if (p.name == name) return &p;
  return nullptr;
}
const PortSpec* NodeSchema::output(const std::string& name) const {
  for (auto& p : outputs) if (p.name == name) return &p;
  return nullptr;
}
const ParamSpec* NodeSchema::param(const std::string& name) const {
  for (auto& p : params) if (p.name == name) return &p;
  return nullptr;
}

static json ports_json(const std::vector<PortSpec>& ports) {
  json a = json::array();
  for (auto& p : ports) {
    json j = {{"name", p.name}, {"type", p.type}, {"doc", p.doc}, {"optional", p.optional}};
    if (!p.keys.empty()) j["keys"] = p.keys;
    a.push_back(std::move(j));
  }
  return a;
}
static json params_json(const ParamSchema& params) {
  json a = json::array();
  for (auto& p : params) a.push_back(p.to_json());
  return a;
}

json NodeSchema::to_json() const {
  json j = {{"type", type}, {"kind", "node"}, {"doc", doc}, {"serial", serial}, {"inputs", ports_json(inputs)},
            {"outputs", ports_json(outputs)}, {"params", params_json(params)}};
  if (!agreements.empty()) {
    json a = json::array();
    for (auto& g : agreements)
      a.push_back({{"param", g.param}, {"other_type", g.other_type}, {"other_param", g.other_param}, {"why", g.why}});
    j["agreements"] = std::move(a);
  }
  return j;
}

json ResourceSchema::to_json() const {
  return {{"type", type}, {"kind", "resource"}, {"doc", doc}, {"params", params_json(params)}};
}

bool port_types_compatible(const std::string& from, const std::string& to) {
  return from == to || from == "any" || to == "any";
}

}  // namespace flowrun
