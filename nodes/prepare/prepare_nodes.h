// The prepare node types: they turn a raw dataset (DICOM, NIfTI, NRRD) into
// the layout a dataset description reads (graphs/prepare/*.json, docs/prepare.md).
// One file per node type; register_prepare_nodes() registers them all.
#pragma once

namespace flowrun {

class Registry;

void register_prepare_case_source(Registry& r);
void register_prepare_read(Registry& r);
void register_prepare_resample(Registry& r);
void register_prepare_hu_window(Registry& r);
void register_prepare_crop_to_label(Registry& r);
void register_prepare_crop_to_foreground(Registry& r);
void register_prepare_percentile_clip(Registry& r);
void register_prepare_zscore(Registry& r);
void register_prepare_binarize_label(Registry& r);
void register_prepare_write_case(Registry& r);

void register_prepare_nodes(Registry& r);

}  // namespace flowrun
