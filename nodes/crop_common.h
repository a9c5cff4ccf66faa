// What data.random_crop and data.shift_crop share: their patch / pad params,
// the lineage zero padding of a sample's volumes for a patch (without copying
// volumes that need none), and cutting crop A of channels and label at one origin.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/param_schema.h"
#include "lib/ops/crop.h"
#include "lib/ops/pad_for_patch.h"
#include "nodes/sample.h"

namespace flowrun {

inline ParamSpec patch_param_spec() {
  return ParamSpec::int_list("patch", {112, 112, 80}, "patch size (x, y, z)", 3, 1, 1024);
}
inline ParamSpec pad_param_spec() {
  return ParamSpec::boolean("pad", true, "lineage padding; false = every volume must hold the patch");
}

// The sample's volumes as the crop sees them: padded copies when padding is
// needed, else the sample's own volumes.
struct PaddedView {
  std::vector<ImageVolume> padded_channels;
  std::optional<LabelVolume> padded_label;
  const std::vector<ImageVolume>* channels = nullptr;
  const LabelVolume* label = nullptr;
  Index3 size{0, 0, 0};

  PaddedView(const Sample& s, const Index3& patch, bool pad) {
    if (s.channels.empty()) throw RunError("case '" + s.id + "': the sample has no image channel to crop");
    if (s.labeled && !s.label) throw RunError("case '" + s.id + "': labelled sample without a label");
    const Padding p = pad ? padding_for_patch(s.channels[0].size, patch) : Padding{};
    if (p.any()) {
      for (const auto& ch : s.channels) padded_channels.push_back(apply_padding(ch, p));
      if (s.label) padded_label = apply_padding(*s.label, p);
      channels = &padded_channels;
      label = padded_label ? &*padded_label : nullptr;
    } else {
      channels = &s.channels;
      label = s.label ? &*s.label : nullptr;
    }
    size = (*channels)[0].size;
  }
};

inline std::vector<ImageVolume> crop_channels(const std::vector<ImageVolume>& chs, const Box& box,
                                              const std::string& case_id) {
  std::vector<ImageVolume> out;
  out.reserve(chs.size());
  for (const auto& ch : chs) out.push_back(crop(ch, box, case_id));
  return out;
}

// Crop A of every channel and of the label at `origin`.
inline void crop_a(const PaddedView& v, const Index3& origin, const Index3& patch, Sample* t) {
  const Box box = box_at(origin, patch);
  t->channels = crop_channels(*v.channels, box, t->id);
  if (v.label) t->label = crop(*v.label, box, t->id);
  t->origin_a = origin;
}

}  // namespace flowrun
