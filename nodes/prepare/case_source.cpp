// prepare.case_source: the list of raw cases a prepare graph works through.
// Its length bounds the run (params.iterations 0), one case per batch.
#include <filesystem>
#include <fstream>
#include <set>

#include "core/registry.h"
#include "nodes/prepare/prep_case.h"
#include "nodes/prepare/prepare_nodes.h"
#include "nodes/prepare/prepare_ops.h"

namespace fs = std::filesystem;

namespace flowrun {
namespace {

using nlohmann::json;

std::vector<std::string> read_id_file(const std::string& path, const std::string& where) {
  std::ifstream in(path);
  if (!in) throw InputError(where + ": ids_file '" + path + "' not found or unreadable");
  std::vector<std::string> ids;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    ids.push_back(line);
  }
  return ids;
}

class CaseSource : public Node {
 public:
  void open(NodeContext& ctx) override {
    const std::string where = "node '" + ctx.id + "'";
    const std::string root = ctx.resolve_path(ctx.params["root"].get<std::string>());
    const json& explicit_cases = ctx.params["cases"];
    if (!explicit_cases.is_array()) throw InputError(where + ": cases must be a list of {id, image, label}");
    if (!explicit_cases.empty()) {
      std::set<std::string> seen;
      for (size_t i = 0; i < explicit_cases.size(); ++i) {
        const json& c = explicit_cases[i];
        const std::string w = where + ": cases[" + std::to_string(i) + "]";
        if (!c.is_object() || !c.contains("id") || !c["id"].is_string() || !c.contains("image"))
          throw InputError(w + ": expected {\"id\": ..., \"image\": path or [paths], \"label\": path}");
        CaseRef r;
        r.id = c["id"];
        if (!seen.insert(r.id).second) throw InputError(w + ": case id '" + r.id + "' is listed twice");
        const json images = c["image"].is_string() ? json::array({c["image"]}) : c["image"];
        if (!images.is_array() || images.empty()) throw InputError(w + ".image: expected a path or a list of paths");
        for (auto& p : images) {
          if (!p.is_string()) throw InputError(w + ".image: expected path strings");
          r.images.push_back((fs::path(root) / p.get<std::string>()).lexically_normal().string());
        }
        if (c.contains("label") && !c["label"].is_null())
          r.label = (fs::path(root) / c["label"].get<std::string>()).lexically_normal().string();
        cases_.push_back(std::move(r));
      }
    } else {
      std::vector<std::string> ids = ctx.params["ids"];
      const std::string ids_file = ctx.params["ids_file"];
      if (!ids_file.empty()) {
        if (!ids.empty()) throw InputError(where + ": give ids or ids_file, not both");
        ids = read_id_file(ctx.resolve_path(ids_file), where);
      }
      try {
        cases_ = find_cases(root, ctx.params["subdirs"], ctx.params["image"], ctx.params["label"], ids);
      } catch (const InputError& e) {
        throw InputError(where + ": " + e.what());
      }
    }
    const int64_t limit = ctx.params["limit"];
    if (limit > 0 && static_cast<int64_t>(cases_.size()) > limit) cases_.resize(static_cast<size_t>(limit));
    if (cases_.empty()) throw InputError(where + ": no case to prepare");
  }

  void process(NodeContext& ctx, BatchIO& io) override {
    const int64_t i = io.id();
    if (i < 0 || i >= static_cast<int64_t>(cases_.size()))
      throw RunError("node '" + ctx.id + "': batch " + std::to_string(i) + " is past the " +
                     std::to_string(cases_.size()) + " cases");
    const CaseRef& c = cases_[static_cast<size_t>(i)];
    Packet p;
    p.meta["case"] = c.id;
    p.meta["index"] = i;
    p.meta["images"] = c.images;
    p.meta["label"] = c.label;
    io.emit("out", std::move(p));
  }

  std::optional<int64_t> stream_length(const NodeContext&) const override {
    return static_cast<int64_t>(cases_.size());
  }

 private:
  std::vector<CaseRef> cases_;
};

}  // namespace

void register_prepare_case_source(Registry& r) {
  NodeSchema s;
  s.type = "prepare.case_source";
  s.doc = "the raw cases to prepare, one per batch; their number bounds the run";
  s.outputs = {{"out", kCaseRefPort, "meta: case (id), index, images (absolute paths), label (path or \"\")"}};
  s.params = {
      ParamSpec::string("root", ".", "folder of the raw data, relative to the graph file"),
      ParamSpec::string_list("subdirs", {""}, "folders under root holding cases (BraTS: [\"HGG\", \"LGG\"])"),
      ParamSpec::string_list("image", {}, "one path pattern per channel, relative to root/subdir; {id}, {num} = id's trailing digits; a folder is a DICOM series"),
      ParamSpec::string("label", "", "label path pattern like image; \"\" = no label"),
      ParamSpec::string_list("ids", {}, "case ids; empty = every entry of the subdirs whose image files exist"),
      ParamSpec::string("ids_file", "", "file of case ids, one per line (instead of ids), relative to the graph file"),
      ParamSpec::any_json("cases", nlohmann::json::array(),
                          "explicit cases [{id, image: path or [paths], label}] relative to root; overrides the patterns"),
      ParamSpec::integer("limit", 0, "prepare only the first N cases; 0 = all", 0),
  };
  r.add_node(s, [](const NodeContext&) { return std::make_unique<CaseSource>(); });
}

}  // namespace flowrun
