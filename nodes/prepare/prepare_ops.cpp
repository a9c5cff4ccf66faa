// Case discovery, the lineage LA crop, brain box, background-keeping
// percentile clip, binarisation and splits (see prepare_ops.h).
#include "nodes/prepare/prepare_ops.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "core/error.h"
#include "core/rng.h"
#include "lib/ops/case_text.h"
#include "lib/ops/normalize.h"
#include "lib/volume/volume_io.h"

namespace fs = std::filesystem;

namespace flowrun {

std::string expand_case_pattern(const std::string& pattern, const std::string& id) {
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    if (pattern.compare(i, 4, "{id}") == 0) {
      out += id;
      i += 4;
    } else if (pattern.compare(i, 5, "{num}") == 0) {
      size_t start = id.size();
      while (start > 0 && std::isdigit(static_cast<unsigned char>(id[start - 1]))) --start;
      if (start == id.size())
        throw InputError("pattern '" + pattern + "' uses {num}, but case id '" + id + "' does not end in digits");
      out += id.substr(start);
      i += 5;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

namespace {

// A volume path may carry an HDF5 key ("case.h5:image"): the file must exist.
bool path_exists(const fs::path& p) {
  std::error_code ec;
  return fs::exists(parse_volume_path(p.string()).file, ec);
}

CaseRef make_ref(const fs::path& base, const std::string& id, const std::vector<std::string>& images,
                 const std::string& label) {
  CaseRef r;
  r.id = id;
  for (auto& p : images) r.images.push_back(fs::absolute(base / expand_case_pattern(p, id)).lexically_normal().string());
  if (!label.empty()) r.label = fs::absolute(base / expand_case_pattern(label, id)).lexically_normal().string();
  return r;
}

}  // namespace

std::vector<CaseRef> find_cases(const std::string& root, const std::vector<std::string>& subdirs,
                                const std::vector<std::string>& image_patterns, const std::string& label_pattern,
                                const std::vector<std::string>& ids) {
  if (image_patterns.empty()) throw InputError("no image pattern given (one per channel, with {id})");
  std::vector<fs::path> bases;
  for (auto& s : subdirs.empty() ? std::vector<std::string>{""} : subdirs) bases.push_back(fs::path(root) / s);
  std::vector<CaseRef> out;
  if (ids.empty()) {
    std::set<std::string> seen;
    for (auto& base : bases) {
      std::error_code ec;
      if (!fs::is_directory(base, ec))
        throw InputError("case folder '" + base.string() + "' not found (set the source's root / subdirs)");
      std::vector<std::string> names;
      for (auto& e : fs::directory_iterator(base, ec)) names.push_back(e.path().filename().string());
      std::sort(names.begin(), names.end());
      for (auto& name : names) {
        if (name.empty() || name[0] == '.') continue;
        bool all = true;
        for (auto& p : image_patterns) {
          // A name without the digits {num} needs is simply not a case.
          try {
            all = all && path_exists(base / expand_case_pattern(p, name));
          } catch (const InputError&) {
            all = false;
          }
        }
        if (!all) continue;
        if (!seen.insert(name).second)
          throw InputError("case id '" + name + "' found in more than one of the source's subdirs");
        out.push_back(make_ref(base, name, image_patterns, label_pattern));
      }
    }
    std::sort(out.begin(), out.end(), [](const CaseRef& a, const CaseRef& b) { return a.id < b.id; });
    if (out.empty()) {
      std::string where;
      for (auto& b : bases) where += (where.empty() ? "" : ", ") + b.string();
      throw InputError("no case found under " + where + " matching image pattern '" + image_patterns[0] + "'");
    }
    return out;
  }
  std::set<std::string> seen;
  for (auto& id : ids) {
    if (!seen.insert(id).second) throw InputError("case id '" + id + "' is listed twice");
    const fs::path* found = nullptr;
    std::string tried;
    for (auto& base : bases) {
      const fs::path p = base / expand_case_pattern(image_patterns[0], id);
      if (path_exists(p)) { found = &base; break; }
      tried += (tried.empty() ? "" : ", ") + p.string();
    }
    if (!found) throw InputError(case_prefix(id) + "image not found (tried " + tried + ")");
    out.push_back(make_ref(*found, id, image_patterns, label_pattern));
  }
  return out;
}

std::string descend_to_series(const std::string& path) {
  fs::path p(path);
  std::error_code ec;
  for (int depth = 0; depth < 8 && fs::is_directory(p, ec); ++depth) {
    std::vector<fs::path> dirs;
    bool has_file = false;
    for (auto& e : fs::directory_iterator(p, ec)) {
      if (e.is_directory(ec)) dirs.push_back(e.path());
      else if (e.is_regular_file(ec) && e.path().filename().string()[0] != '.') has_file = true;
    }
    if (has_file || dirs.size() != 1) break;
    p = dirs[0];
  }
  return p.string();
}

Box lineage_crop_box(const LabelVolume& label, const Index3& patch, const Index3& margin, const Index3& extra_lo,
                     const Index3& extra_hi, const std::array<bool, 3>& axes, const std::string& case_id) {
  Index3 mn = label.size, mx{-1, -1, -1};
  for (int64_t x = 0; x < label.size[0]; ++x)
    for (int64_t y = 0; y < label.size[1]; ++y)
      for (int64_t z = 0; z < label.size[2]; ++z)
        if (label.at(x, y, z)) {
          const Index3 i{x, y, z};
          for (int a = 0; a < 3; ++a) { mn[a] = std::min(mn[a], i[a]); mx[a] = std::max(mx[a], i[a]); }
        }
  if (mx[0] < 0) throw InputError(case_prefix(case_id) + "label has no foreground voxel to crop around");
  Box b{{0, 0, 0}, label.size};
  for (int a = 0; a < 3; ++a) {
    if (!axes[a]) continue;
    const int64_t p = std::max<int64_t>(patch[a] - (mx[a] - mn[a]), 0) / 2;
    b.lo[a] = std::max<int64_t>(mn[a] - margin[a] - extra_lo[a] - p, 0);
    b.hi[a] = std::min<int64_t>(mx[a] + margin[a] + extra_hi[a] + p, label.size[a]);
  }
  return b;
}

std::optional<Box> foreground_box(const std::vector<const ImageVolume*>& channels) {
  if (channels.empty()) return std::nullopt;
  const Index3 size = channels[0]->size;
  Box b{size, {0, 0, 0}};
  bool any = false;
  for (int64_t x = 0; x < size[0]; ++x)
    for (int64_t y = 0; y < size[1]; ++y)
      for (int64_t z = 0; z < size[2]; ++z) {
        const int64_t i = channels[0]->index(x, y, z);
        bool on = false;
        for (auto* c : channels) on = on || c->data[static_cast<size_t>(i)] != 0.0f;
        if (!on) continue;
        any = true;
        const Index3 v{x, y, z};
        for (int a = 0; a < 3; ++a) { b.lo[a] = std::min(b.lo[a], v[a]); b.hi[a] = std::max(b.hi[a], v[a] + 1); }
      }
  if (!any) return std::nullopt;
  return b;
}

LabelVolume binarize(const LabelVolume& label, const std::vector<int64_t>& foreground) {
  bool fg[256] = {};
  for (int i = 1; i < 256; ++i) fg[i] = foreground.empty();
  for (int64_t v : foreground)
    if (v >= 0 && v < 256) fg[v] = true;
  LabelVolume out = label;
  for (uint8_t& x : out.data) x = fg[x] ? 1 : 0;
  return out;
}

std::array<bool, 3> parse_axes(const std::string& axes, const std::string& where) {
  std::array<bool, 3> a{false, false, false};
  for (char c : axes) {
    if (c < 'x' || c > 'z') throw InputError(where + ": axes '" + axes + "' may only name x, y and z");
    a[static_cast<size_t>(c - 'x')] = true;
  }
  return a;
}

std::map<std::string, std::vector<std::string>> split_ids(std::vector<std::string> ids, int64_t test_count,
                                                          int64_t val_count, const std::string& order,
                                                          uint64_t seed) {
  if (order == "sorted") {
    std::sort(ids.begin(), ids.end());
  } else if (order == "shuffled") {
    std::sort(ids.begin(), ids.end());
    Rng rng(mix64(seed ^ 0x5EEDull));
    for (size_t i = ids.size(); i > 1; --i) std::swap(ids[i - 1], ids[static_cast<size_t>(rng.uniform_int(0, int64_t(i) - 1))]);
  } else if (order != "input") {
    throw InputError("split order '" + order + "' is not one of sorted, input, shuffled");
  }
  const int64_t n = static_cast<int64_t>(ids.size());
  if (test_count < 0 || val_count < 0 || test_count + val_count >= n)
    throw InputError(std::to_string(n) + " cases cannot give " + std::to_string(test_count) + " test and " +
                     std::to_string(val_count) + " val cases and still leave a training case");
  std::map<std::string, std::vector<std::string>> s;
  const int64_t n_train = n - test_count - val_count;
  s["train"].assign(ids.begin(), ids.begin() + n_train);
  if (val_count > 0) s["val"].assign(ids.begin() + n_train, ids.begin() + n_train + val_count);
  if (test_count > 0) s["test"].assign(ids.begin() + n_train + val_count, ids.end());
  return s;
}

}  // namespace flowrun
