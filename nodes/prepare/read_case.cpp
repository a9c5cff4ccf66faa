// prepare.read: reads a case's channels and label with their geometry, and
// checks they agree before any step could silently misalign them.
#include <algorithm>
#include <cmath>

#include "core/registry.h"
#include "nodes/prepare/prep_case.h"

#include "nodes/prepare/prepare_nodes.h"
#include "nodes/prepare/prepare_ops.h"
#include "lib/volume/volume_io.h"

namespace flowrun {
namespace {

bool same_spacing(const Geometry& a, const Geometry& b, double tol) {
  if (!a.spacing_known || !b.spacing_known) return true;
  for (int i = 0; i < 3; ++i)
    if (std::abs(a.spacing[i] - b.spacing[i]) > tol * std::max(1.0, std::abs(a.spacing[i]))) return false;
  return true;
}

std::string spacing_string(const Geometry& g) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%g x %g x %g mm", g.spacing[0], g.spacing[1], g.spacing[2]);
  return buf;
}

class ReadCase : public Node {
 public:
  void process(NodeContext& ctx, BatchIO& io) override {
    const Packet& in = io.input("in");
    PrepCase c;
    c.id = in.meta.at("case").get<std::string>();
    const std::vector<std::string> images = in.meta.at("images");
    const std::string label = in.meta.value("label", "");
    const double tol = ctx.params["spacing_tolerance"];
    // HDF5 volumes carry no geometry: the graph may state their voxel size.
    const std::vector<double> spacing = ctx.params["spacing"];
    if (!spacing.empty() && (spacing.size() != 3 || !(std::min({spacing[0], spacing[1], spacing[2]}) > 0)))
      throw InputError("node '" + ctx.id + "': params.spacing must be three positive numbers (x, y, z) in mm");
    auto with_spacing = [&](auto v) {
      if (!spacing.empty() && !v.geometry.spacing_known) {
        v.geometry.spacing = {spacing[0], spacing[1], spacing[2]};
        v.geometry.spacing_known = true;
      }
      return v;
    };
    for (auto& f : images) {
      const std::string path = descend_to_series(f);
      try {
        c.channels.push_back(std::make_shared<ImageVolume>(with_spacing(read_image(path))));
      } catch (const std::exception& e) {
        throw InputError(case_where(c.id) + "image " + f + ": " + e.what());
      }
      c.image_files.push_back(f);
      const ImageVolume& v = *c.channels.back();
      const ImageVolume& first = *c.channels.front();
      if (v.size != first.size)
        throw InputError(case_where(c.id) + "image " + f + " is " + shape_string(v.size) + ", but " + images[0] +
                         " is " + shape_string(first.size));
      if (!same_spacing(v.geometry, first.geometry, tol))
        throw InputError(case_where(c.id) + "image " + f + " has spacing " + spacing_string(v.geometry) + ", but " +
                         images[0] + " has " + spacing_string(first.geometry));
    }
    if (c.channels.empty()) throw InputError(case_where(c.id) + "no image file given");
    const bool want = ctx.params["read_label"];
    if (want && label.empty() && ctx.params["require_label"].get<bool>())
      throw InputError(case_where(c.id) + "no label file given (set the source's label pattern, or require_label false)");
    if (want && !label.empty()) {
      try {
        c.label = std::make_shared<LabelVolume>(with_spacing(read_label(descend_to_series(label))));
      } catch (const std::exception& e) {
        throw InputError(case_where(c.id) + "label " + label + ": " + e.what());
      }
      c.label_file = label;
      const ImageVolume& first = *c.channels.front();
      if (c.label->size != first.size)
        throw InputError(case_where(c.id) + "label " + label + " is " + shape_string(c.label->size) + ", but image " +
                         images[0] + " is " + shape_string(first.size));
      if (!same_spacing(c.label->geometry, first.geometry, tol))
        throw InputError(case_where(c.id) + "label " + label + " has spacing " + spacing_string(c.label->geometry) +
                         ", but image " + images[0] + " has " + spacing_string(first.geometry));
    }
    c.log.push_back({{"step", "read"}, {"size", c.channels[0]->size},
                     {"spacing", c.channels[0]->geometry.spacing}});
    emit_case(io, std::move(c));
  }
};

}  // namespace

void register_prepare_read(Registry& r) {
  NodeSchema s;
  s.type = "prepare.read";
  s.doc = "reads a case's image channels and label (NIfTI, NRRD, MHA, DICOM series folder, file.h5:key) with geometry";
  s.inputs = {{"in", kCaseRefPort, "from prepare.case_source"}};
  s.outputs = {{"out", kCasePort, "value case: PrepCase (nodes/prepare/prep_case.h)"}};
  s.params = {
      ParamSpec::boolean("read_label", true, "read the label when the case names one"),
      ParamSpec::boolean("require_label", true, "a case without a label file is an error"),
      ParamSpec::real("spacing_tolerance", 1e-3, "relative spacing difference tolerated between channels and label", 0),
      ParamSpec::float_list("spacing", {}, "voxel size (x, y, z) in mm for files that carry none (HDF5); [] = none"),
  };
  r.add_node(s, [](const NodeContext&) { return std::make_unique<ReadCase>(); });
}

}  // namespace flowrun
