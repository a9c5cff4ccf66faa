// Parsing and validating a dataset description document. Validation is done
// here, once, so the accessors in dataset.cpp can trust the struct.
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "core/graph_spec.h"
#include "core/error.h"
#include "lib/volume/dataset.h"

namespace flowrun {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Keys a description may carry; the last group is passed through in `raw`
// for other parts of flowrun (or people) to read.
const std::set<std::string> kKnownKeys = {"name",  "root",   "channels", "labels", "spacing",
                                          "h5",    "image",  "label",    "splits", "labeled_fraction",
                                          "labeled_count", "val_from_train", "description", "reference", "license",
                                          "preprocessing", "notes"};

struct Ctx {
  std::string file;
  [[noreturn]] void fail(const std::string& path, const std::string& msg) const {
    throw InputError(file + ": " + path + ": " + msg);
  }
  std::string str(const json& j, const std::string& path) const {
    if (!j.is_string()) fail(path, "expected a string, got " + j.dump());
    return j.get<std::string>();
  }
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// A case id becomes part of file paths ({id} in the patterns): no separators,
// no leading dot (so never "." or ".."), no control characters.
bool is_case_id(const std::string& id) {
  if (id.empty() || id[0] == '.') return false;
  for (unsigned char ch : id)
    if (ch < 0x20 || ch == 0x7f || ch == '/' || ch == '\\' || ch == ' ') return false;
  return true;
}

std::vector<std::string> read_list_file(const Ctx& c, const std::string& path, const std::string& rel,
                                        const fs::path& root) {
  const fs::path p = fs::path(rel).is_absolute() ? fs::path(rel) : root / rel;
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) c.fail(path, "list file '" + rel + "' not found under root '" + root.string() + "'");
  std::ifstream in(p);
  if (!in) c.fail(path, "cannot read list file '" + p.string() + "'");
  std::vector<std::string> ids;
  std::set<std::string> seen;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    const std::string id = trim(line);
    if (id.empty() || id[0] == '#') continue;
    if (!is_case_id(id)) {
      c.fail(path, "line " + std::to_string(n) + " of '" + p.string() + "' holds '" + id +
                       "'; expected one case id per line (no '/', '\\', spaces or control characters, no leading '.')");
    }
    if (!seen.insert(id).second) c.fail(path, "case '" + id + "' listed twice in '" + p.string() + "'");
    ids.push_back(id);
  }
  if (ids.empty()) c.fail(path, "list file '" + p.string() + "' names no cases");
  return ids;
}

std::vector<std::string> parse_split(const Ctx& c, const json& v, const std::string& path, const fs::path& root) {
  if (v.is_string()) return read_list_file(c, path, v.get<std::string>(), root);
  if (!v.is_array()) c.fail(path, "expected a list file name or an array of case ids");
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string id = c.str(v[i], path + "[" + std::to_string(i) + "]");
    if (!is_case_id(id))
      c.fail(path + "[" + std::to_string(i) + "]",
             "'" + id + "' is not a case id (no '/', '\\', spaces or control characters, no leading '.')");
    if (!seen.insert(id).second) c.fail(path, "case '" + id + "' listed twice");
    ids.push_back(id);
  }
  if (ids.empty()) c.fail(path, "names no cases");
  return ids;
}

std::string parse_pattern(const Ctx& c, const json& v, const std::string& path) {
  const std::string p = c.str(v, path);
  if (p.find("{id}") == std::string::npos) c.fail(path, "pattern '" + p + "' has no {id}");
  return p;
}

}  // namespace

DatasetDescription DatasetDescription::load(const std::string& path, const std::string& root_override,
                                            bool require_root) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw InputError(path + ": dataset description not found");
  // Size, depth and syntax checked as for graphs (line and column on errors).
  return parse(read_json_file(path, "dataset description"), path, root_override, require_root);
}

DatasetDescription DatasetDescription::parse(const json& doc, const std::string& file, const std::string& root_override,
                                             bool require_root) {
  const Ctx c{file};
  if (!doc.is_object()) c.fail("$", "expected a JSON object");
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (!kKnownKeys.count(it.key())) c.fail("$." + it.key(), "unknown key (see docs/datasets.md for the format)");
  }
  DatasetDescription d;
  d.file = file;
  d.raw = doc;

  if (!doc.contains("name")) c.fail("$.name", "missing; expected the dataset's name");
  d.name = c.str(doc["name"], "$.name");

  // Root: relative to the description's folder, or the caller's override
  // relative to the working directory.
  const fs::path base = fs::absolute(fs::path(file)).parent_path();
  std::string root_json = ".";
  if (doc.contains("root")) root_json = c.str(doc["root"], "$.root");
  const fs::path root = root_override.empty() ? base / root_json : fs::absolute(root_override);
  d.root = root.lexically_normal();
  std::error_code ec;
  if (!require_root && !fs::is_directory(d.root, ec)) {
    d.data_unread = true;
  } else if (!fs::is_directory(d.root, ec)) {
    if (!root_override.empty()) throw InputError(file + ": root override '" + root_override + "': directory '" + d.root.string() + "' not found");
    c.fail("$.root", "directory '" + d.root.string() + "' not found ('" + root_json + "' relative to '" + base.string() + "')");
  }

  if (!doc.contains("image")) c.fail("$.image", "missing; expected a path pattern or one per channel");
  const json& image = doc["image"];
  if (image.is_string()) {
    d.image_patterns.push_back(parse_pattern(c, image, "$.image"));
  } else if (image.is_array() && !image.empty()) {
    for (size_t i = 0; i < image.size(); ++i) d.image_patterns.push_back(parse_pattern(c, image[i], "$.image[" + std::to_string(i) + "]"));
  } else {
    c.fail("$.image", "expected a path pattern or a non-empty array of them");
  }

  if (doc.contains("channels")) {
    const json& ch = doc["channels"];
    if (ch.is_string()) {
      d.channels.push_back(ch.get<std::string>());
    } else if (ch.is_array()) {
      for (size_t i = 0; i < ch.size(); ++i) d.channels.push_back(c.str(ch[i], "$.channels[" + std::to_string(i) + "]"));
    } else {
      c.fail("$.channels", "expected an array of channel names");
    }
    if (d.channels.size() != d.image_patterns.size()) {
      c.fail("$.channels", std::to_string(d.channels.size()) + " channels named but $.image gives " +
                               std::to_string(d.image_patterns.size()) + " patterns");
    }
    if (std::set<std::string>(d.channels.begin(), d.channels.end()).size() != d.channels.size()) c.fail("$.channels", "names repeat");
  } else {
    for (size_t i = 0; i < d.image_patterns.size(); ++i) d.channels.push_back("ch" + std::to_string(i));
  }

  if (doc.contains("label")) d.label_pattern = parse_pattern(c, doc["label"], "$.label");

  if (!doc.contains("labels")) c.fail("$.labels", "missing; expected {\"0\": \"background\", ...}");
  const json& labels = doc["labels"];
  if (!labels.is_object() || labels.empty()) c.fail("$.labels", "expected a non-empty object {\"0\": \"background\", ...}");
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    const std::string path = "$.labels." + it.key();
    size_t used = 0;
    int value = -1;
    try {
      value = std::stoi(it.key(), &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != it.key().size() || value < 0 || value > 255) c.fail(path, "label value '" + it.key() + "' is not an integer 0..255");
    d.labels[value] = c.str(it.value(), path);
  }

  if (doc.contains("spacing")) {
    const json& sp = doc["spacing"];
    if (!sp.is_array() || sp.size() != 3) c.fail("$.spacing", "expected [x, y, z] in mm");
    std::array<double, 3> s{};
    for (size_t i = 0; i < 3; ++i) {
      if (!sp[i].is_number() || !(sp[i].get<double>() > 0.0) || !std::isfinite(sp[i].get<double>())) {
        c.fail("$.spacing[" + std::to_string(i) + "]", "expected a positive number, got " + sp[i].dump());
      }
      s[i] = sp[i].get<double>();
    }
    d.spacing = s;
  }

  if (doc.contains("h5")) {
    const json& h = doc["h5"];
    if (!h.is_object()) c.fail("$.h5", "expected an object with image_key, label_key, axis_order");
    for (auto it = h.begin(); it != h.end(); ++it) {
      const std::string path = "$.h5." + it.key();
      if (it.key() == "image_key") d.h5_image_key = c.str(it.value(), path);
      else if (it.key() == "label_key") d.h5_label_key = c.str(it.value(), path);
      else if (it.key() == "axis_order") d.h5.axis_order = c.str(it.value(), path);
      else c.fail(path, "unknown key; expected image_key, label_key or axis_order");
    }
    if (d.h5.axis_order != "xyz" && d.h5.axis_order != "zyx") c.fail("$.h5.axis_order", "'" + d.h5.axis_order + "'; expected \"xyz\" or \"zyx\"");
  }

  if (doc.contains("splits")) {
    const json& s = doc["splits"];
    if (!s.is_object()) c.fail("$.splits", "expected an object of split name -> list file or array of ids");
    for (auto it = s.begin(); it != s.end(); ++it) {
      if (d.data_unread && it.value().is_string()) continue;  // a list file under the absent root
      d.splits[it.key()] = parse_split(c, it.value(), "$.splits." + it.key(), d.root);
    }
  }

  // A validation split carved off the end of the training list, so that model
  // selection never needs the test cases (LA and Pancreas ship no val list).
  d.train_listed = d.has_split("train") ? d.splits["train"].size() : 0;
  if (doc.contains("val_from_train") && !d.data_unread) {
    const json& v = doc["val_from_train"];
    if (!v.is_number_integer() || v.get<int64_t>() < 1) c.fail("$.val_from_train", "expected a positive integer, got " + v.dump());
    if (!d.has_split("train")) c.fail("$.val_from_train", "needs a 'train' split to carve the val split from");
    if (d.has_split("val")) c.fail("$.val_from_train", "the description already lists a 'val' split; give one or the other");
    auto& train = d.splits["train"];
    const auto n = static_cast<size_t>(v.get<int64_t>());
    if (n >= train.size())
      c.fail("$.val_from_train", std::to_string(n) + " val cases leave none of the " + std::to_string(train.size()) +
                                     " training cases");
    d.splits["val"].assign(train.end() - static_cast<std::ptrdiff_t>(n), train.end());
    train.resize(train.size() - n);
  }

  if (doc.contains("labeled_fraction") && doc.contains("labeled_count")) {
    c.fail("$.labeled_count", "give labeled_fraction or labeled_count, not both");
  }
  if (doc.contains("labeled_fraction")) {
    const json& f = doc["labeled_fraction"];
    if (!f.is_number() || !(f.get<double>() > 0.0 && f.get<double>() <= 1.0)) c.fail("$.labeled_fraction", "expected a number in (0, 1], got " + f.dump());
    d.labeled_fraction = f.get<double>();
  }
  if (doc.contains("labeled_count")) {
    const json& n = doc["labeled_count"];
    if (!n.is_number_integer() || n.get<int64_t>() < 1 || n.get<int64_t>() > 1000000000)
      c.fail("$.labeled_count", "expected a positive integer (at most 1e9), got " + n.dump());
    d.labeled_count = n.get<int>();
  }
  // A default subset that cannot be met is a description error: say so now.
  if ((d.labeled_fraction || d.labeled_count) && d.has_split("train") && !d.data_unread) d.labeled_ids();
  return d;
}

}  // namespace flowrun
