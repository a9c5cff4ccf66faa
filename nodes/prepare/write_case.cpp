// prepare.write_case: writes each prepared case in the layout a dataset
// description reads, and at the end the split lists and the description
// itself, so a prepare graph's output is directly usable by training graphs.
// Serial: the case list it collects must follow batch order to be deterministic.
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>

#include "core/registry.h"
#include "nodes/prepare/prep_case.h"
#include "nodes/prepare/prepare_nodes.h"
#include "nodes/prepare/prepare_ops.h"
#include "lib/volume/dataset.h"
#include "lib/volume/volume_io.h"

namespace fs = std::filesystem;

namespace flowrun {
namespace {

using nlohmann::json;

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
  f.close();
  if (!f) throw RunError("cannot write " + p.string());
}

class WriteCase : public Node {
 public:
  void open(NodeContext& ctx) override {
    where_ = "node '" + ctx.id + "'";
    out_ = fs::path(ctx.resolve_path(ctx.params["out"])).lexically_normal();
    image_ = ctx.params["image"].get<std::vector<std::string>>();
    label_ = ctx.params["label"];
    if (image_.empty()) throw InputError(where_ + ": image needs one path pattern per channel");
    for (auto& p : image_)
      if (p.find("{id}") == std::string::npos) throw InputError(where_ + ": image pattern '" + p + "' lacks {id}");
    if (!label_.empty() && label_.find("{id}") == std::string::npos)
      throw InputError(where_ + ": label pattern '" + label_ + "' lacks {id}");
    const auto channels = ctx.params["channels"].get<std::vector<std::string>>();
    if (!channels.empty() && channels.size() != image_.size())
      throw InputError(where_ + ": " + std::to_string(channels.size()) + " channel names for " +
                       std::to_string(image_.size()) + " image patterns");
    const json& splits = ctx.params["splits"];
    if (!splits.is_object()) throw InputError(where_ + ": splits must be {name: [ids]}");
    for (auto& [name, ids] : splits.items())
      if (!ids.is_array() || ids.empty()) throw InputError(where_ + ": splits." + name + " must be a non-empty list of ids");
    std::error_code ec;
    fs::create_directories(out_, ec);
    if (ec) throw RunError(where_ + ": cannot create " + out_.string() + ": " + ec.message());
  }

  void process(NodeContext&, BatchIO& io) override {
    const PrepCase& c = input_case(io);
    if (c.channels.size() != image_.size())
      throw InputError(case_where(c.id) + "has " + std::to_string(c.channels.size()) + " channels, but the writer has " +
                       std::to_string(image_.size()) + " image patterns");
    if (!label_.empty() && !c.label)
      throw InputError(case_where(c.id) + "has no label to write to " + label_);
    for (size_t i = 0; i < image_.size(); ++i) write(c.id, image_[i], [&](const std::string& p) { write_image(*c.channels[i], p); });
    if (!label_.empty()) write(c.id, label_, [&](const std::string& p) { write_label(*c.label, p); });
    if (steps_.is_null()) steps_ = c.log;
    ids_.push_back(c.id);
  }

  void close(NodeContext& ctx) override {
    if (ctx.failed || ids_.empty()) return;
    std::map<std::string, std::vector<std::string>> lists;
    const json& splits = ctx.params["splits"];
    if (!splits.empty()) {
      const std::set<std::string> written(ids_.begin(), ids_.end());
      for (auto& [name, ids] : splits.items())
        for (auto& id : ids) {
          if (!written.count(id.get<std::string>()))
            throw InputError(where_ + ": splits." + name + " names case '" + id.get<std::string>() + "', which was not prepared");
          lists[name].push_back(id);
        }
    } else {
      try {
        lists = split_ids(ids_, ctx.params["test_count"], ctx.params["val_count"], ctx.params["order"], ctx.seed());
      } catch (const InputError& e) {
        throw InputError(where_ + ": " + e.what());
      }
    }
    json desc;
    desc["name"] = ctx.params["name"];
    desc["root"] = ".";
    const auto channels = ctx.params["channels"].get<std::vector<std::string>>();
    if (!channels.empty()) desc["channels"] = channels;
    desc["labels"] = ctx.params["labels"];
    desc["image"] = image_;
    if (!label_.empty()) desc["label"] = label_;
    for (auto& [name, ids] : lists) {
      std::string text;
      for (auto& id : ids) text += id + "\n";
      write_text(out_ / (name + ".list"), text);
      desc["splits"][name] = name + ".list";
    }
    const double lf = ctx.params["labeled_fraction"];
    if (lf > 0) desc["labeled_fraction"] = lf;
    desc["preprocessing"] = {{"graph", ctx.graph_file}, {"cases", ids_.size()}, {"steps", steps_}};
    const fs::path file = out_ / ctx.params["description"].get<std::string>();
    // A description training graphs cannot load is worse than none: check it
    // (e.g. a labelled fraction that rounds to no case) before writing it.
    DatasetDescription::parse(desc, file.string());
    write_text(file, desc.dump(2) + "\n");
  }

 private:
  template <class F>
  void write(const std::string& id, const std::string& pattern, F&& f) {
    const fs::path p = out_ / expand_case_pattern(pattern, id);
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    if (ec) throw RunError(case_where(id) + "cannot create " + p.parent_path().string() + ": " + ec.message());
    f(p.string());
  }

  std::string where_;
  fs::path out_;
  std::vector<std::string> image_;
  std::string label_;
  std::vector<std::string> ids_;
  json steps_;
};

}  // namespace

void register_prepare_write_case(Registry& r) {
  NodeSchema s;
  s.type = "prepare.write_case";
  s.doc = "writes each case (NIfTI by default) and, at the end, the split lists and a dataset description";
  s.inputs = {{"in", kCasePort, ""}};
  s.serial = true;
  s.params = {
      ParamSpec::string("out", "", "output folder, relative to the graph file").require(),
      ParamSpec::string_list("image", {"images/{id}_0000.nii.gz"}, "one path pattern per channel, relative to out"),
      ParamSpec::string("label", "labels/{id}.nii.gz", "label path pattern; \"\" = write no label"),
      ParamSpec::string("description", "dataset.json", "file name of the description written in out"),
      ParamSpec::string("name", "prepared", "the description's name"),
      ParamSpec::string_list("channels", {}, "channel names for the description (one per image pattern)"),
      ParamSpec::any_json("labels", json{{"0", "background"}, {"1", "foreground"}}, "the description's labels"),
      ParamSpec::integer("test_count", 0, "the last N cases (in `order`) go to test.list", 0),
      ParamSpec::integer("val_count", 0, "the N cases before them go to val.list", 0),
      ParamSpec::choice("order", "sorted", {"sorted", "input", "shuffled"}, "case order before splitting (shuffled uses params.seed)"),
      ParamSpec::any_json("splits", json::object(), "explicit lists {name: [ids]}; replaces test_count / val_count"),
      ParamSpec::real("labeled_fraction", 0.2, "the description's default labelled fraction; 0 = none", 0, 1),
  };
  r.add_node(s, [](const NodeContext&) { return std::make_unique<WriteCase>(); });
}

}  // namespace flowrun
