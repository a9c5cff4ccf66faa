// The dataset description a graph's node reads: the graph's "dataset" with
// params.dataset_root applied. Nodes read it in open() and in their
// preflight (NodeSchema::preflight, run by `flowrun validate`), where a
// description that `run` generates first cannot be read yet.
#pragma once

#include <optional>

#include "core/node_context.h"
#include "lib/volume/dataset.h"

namespace flowrun {

// Throws InputError naming the node when the graph has no dataset.
DatasetDescription graph_dataset(const NodeContext& ctx);

// As graph_dataset, but nothing while the description is still to be
// generated (ctx.dataset_pending); without ctx.check_files its root folder
// need not exist (nothing either, after the description's own checks, when
// it does not).
std::optional<DatasetDescription> preflight_dataset(const NodeContext& ctx);

}  // namespace flowrun
