// Dataset description accessors: splits, the labelled subset, case paths, and
// loading a case with its consistency checks.
#include "lib/volume/dataset.h"

#include <cmath>
#include <sstream>

#include "core/error.h"
#include "lib/volume/volume_checks.h"

namespace flowrun {
namespace fs = std::filesystem;

namespace {

std::string substitute(const std::string& pattern, const std::string& id) {
  std::string s = pattern;
  for (size_t pos = s.find("{id}"); pos != std::string::npos; pos = s.find("{id}", pos + id.size())) s.replace(pos, 4, id);
  return s;
}

std::string spacing_string(const std::array<double, 3>& s) {
  std::ostringstream o;
  o << s[0] << " x " << s[1] << " x " << s[2];
  return o.str();
}

bool same_spacing(const std::array<double, 3>& a, const std::array<double, 3>& b) {
  for (int i = 0; i < 3; ++i) {
    if (std::abs(a[i] - b[i]) > 1e-4 * std::max(std::abs(a[i]), std::abs(b[i]))) return false;
  }
  return true;
}

}  // namespace

std::string DatasetDescription::where() const { return file + ": "; }

std::vector<std::string> DatasetDescription::split(const std::string& name) const {
  const auto it = splits.find(name);
  if (it != splits.end()) return it->second;
  std::string names;
  for (const auto& [k, v] : splits) names += (names.empty() ? "" : ", ") + k;
  throw InputError(where() + "$.splits: no split '" + name + "' (splits: " + (names.empty() ? "none" : names) + ")");
}

std::vector<std::string> DatasetDescription::labeled_ids(std::optional<double> fraction, std::optional<int> count) const {
  if (fraction && count) throw InputError(where() + "give a labelled fraction or a labelled count, not both");
  if (!fraction && !count) {
    fraction = labeled_fraction;
    count = labeled_count;
  }
  if (!fraction && !count) {
    throw InputError(where() + "no labelled subset given: set labeled_fraction or labeled_count (in the description or the graph)");
  }
  const std::vector<std::string> train = split("train");
  const int64_t n_train = static_cast<int64_t>(train.size());
  int64_t n = 0;
  std::string asked;
  if (fraction) {
    if (!(*fraction > 0.0 && *fraction <= 1.0)) {
      throw InputError(where() + "labelled fraction " + std::to_string(*fraction) + " is outside (0, 1]");
    }
    const int64_t listed = std::max<int64_t>(n_train, static_cast<int64_t>(train_listed));
    n = std::llround(*fraction * double(listed));
    std::ostringstream o;
    o << "labelled fraction " << *fraction << " of " << listed << " training cases";
    asked = o.str();
    if (n < 1) throw InputError(where() + asked + " rounds to 0 cases; expected at least 1");
  } else {
    n = *count;
    asked = "labelled count " + std::to_string(n);
    if (n < 1) throw InputError(where() + asked + " is not positive");
  }
  if (n > n_train) {
    throw InputError(where() + asked + " asks for " + std::to_string(n) + " labelled cases but split 'train' holds " +
                     std::to_string(n_train));
  }
  return {train.begin(), train.begin() + n};
}

std::vector<std::string> DatasetDescription::unlabeled_ids(std::optional<double> fraction, std::optional<int> count) const {
  const size_t n = labeled_ids(fraction, count).size();
  const std::vector<std::string> train = split("train");
  return {train.begin() + static_cast<std::ptrdiff_t>(n), train.end()};
}

std::vector<std::string> DatasetDescription::image_paths(const std::string& id) const {
  std::vector<std::string> out;
  for (const auto& p : image_patterns) {
    const VolumePath vp = parse_volume_path(substitute(p, id));
    const fs::path f = fs::path(vp.file).is_absolute() ? fs::path(vp.file) : root / vp.file;
    out.push_back(f.lexically_normal().string() + (vp.key.empty() ? "" : ":" + vp.key));
  }
  return out;
}

std::string DatasetDescription::label_path(const std::string& id) const {
  if (label_pattern.empty()) throw InputError(where() + "$.label: the dataset declares no label files (case '" + id + "')");
  const VolumePath vp = parse_volume_path(substitute(label_pattern, id));
  const fs::path f = fs::path(vp.file).is_absolute() ? fs::path(vp.file) : root / vp.file;
  return f.lexically_normal().string() + (vp.key.empty() ? "" : ":" + vp.key);
}

void DatasetDescription::check_cases(const std::vector<std::string>& ids) const {
  std::error_code ec;
  for (const auto& id : ids) {
    const auto images = image_paths(id);
    for (size_t c = 0; c < images.size(); ++c) {
      const std::string f = parse_volume_path(images[c]).file;
      if (!fs::exists(f, ec)) {
        throw InputError(where() + "case '" + id + "': image file '" + f + "' (channel '" + channels[c] + "') not found");
      }
    }
    if (has_labels()) {
      const std::string f = parse_volume_path(label_path(id)).file;
      if (!fs::exists(f, ec)) throw InputError(where() + "case '" + id + "': label file '" + f + "' not found");
    }
  }
}

Case DatasetDescription::load_case(const std::string& id, bool with_label) const {
  const std::string at = where() + "case '" + id + "': ";
  Case c;
  c.id = id;
  const auto images = image_paths(id);
  const ReadOptions image_opts = image_read_options();
  try {
    for (const auto& spec : images) c.channels.push_back(read_image(spec, image_opts));
    if (with_label) c.label = read_label(label_path(id), label_read_options());
  } catch (const InputError& e) {
    throw InputError(at + e.what());
  }

  // Agreement: every channel and the label share the first channel's grid.
  const ImageVolume& first = c.channels.front();
  auto check_grid = [&](const std::array<int64_t, 3>& size, const Geometry& g, const std::string& what) {
    if (size != first.size) {
      throw InputError(at + what + " has shape " + shape_string(size) + " but image '" + images[0] + "' has " +
                       shape_string(first.size));
    }
    if (g.spacing_known && first.geometry.spacing_known && !same_spacing(g.spacing, first.geometry.spacing)) {
      throw InputError(at + what + " has spacing " + spacing_string(g.spacing) + " but image '" + images[0] + "' has " +
                       spacing_string(first.geometry.spacing));
    }
  };
  for (size_t i = 1; i < c.channels.size(); ++i) check_grid(c.channels[i].size, c.channels[i].geometry, "image '" + images[i] + "'");
  if (c.label) {
    const std::string lp = label_path(id);
    check_grid(c.label->size, c.label->geometry, "label '" + lp + "'");
    for (size_t i = 0; i < c.label->data.size(); ++i) {
      const int v = c.label->data[i];
      if (!labels.count(v)) {
        std::string declared;
        for (const auto& [k, name] : labels) declared += (declared.empty() ? "" : ", ") + std::to_string(k);
        throw InputError(at + "label '" + lp + "' has value " + std::to_string(v) + " at voxel " +
                         detail::voxel_string(c.label->size, int64_t(i)) + "; declared labels are {" + declared + "}");
      }
    }
  }

  // Files without geometry (HDF5) take the description's spacing.
  if (spacing) {
    auto apply = [&](Geometry& g) {
      if (!g.spacing_known) {
        g.spacing = *spacing;
        g.spacing_known = true;
      }
    };
    for (auto& ch : c.channels) apply(ch.geometry);
    if (c.label) apply(c.label->geometry);
  }
  return c;
}

DatasetDescription DatasetDescription::select_channels(const std::vector<std::string>& names) const {
  if (names.empty()) throw InputError(where() + "channel selection is empty");
  DatasetDescription d = *this;
  d.channels.clear();
  d.image_patterns.clear();
  for (const auto& n : names) {
    size_t i = 0;
    while (i < channels.size() && channels[i] != n) ++i;
    if (i == channels.size()) {
      std::string have;
      for (const auto& ch : channels) have += (have.empty() ? "" : ", ") + ch;
      throw InputError(where() + "$.channels: no channel '" + n + "' (channels: " + have + ")");
    }
    d.channels.push_back(channels[i]);
    d.image_patterns.push_back(image_patterns[i]);
  }
  return d;
}

}  // namespace flowrun
