// Registers every prepare node type (called from register_builtin_nodes).
#include "nodes/prepare/prepare_nodes.h"

namespace flowrun {

void register_prepare_nodes(Registry& r) {
  register_prepare_case_source(r);
  register_prepare_read(r);
  register_prepare_resample(r);
  register_prepare_hu_window(r);
  register_prepare_crop_to_label(r);
  register_prepare_crop_to_foreground(r);
  register_prepare_percentile_clip(r);
  register_prepare_zscore(r);
  register_prepare_binarize_label(r);
  register_prepare_write_case(r);
}

}  // namespace flowrun
