// The dataset description of a node's graph (see graph_dataset.h).
#include "lib/volume/graph_dataset.h"

#include "core/error.h"

namespace flowrun {

namespace {
void graph_dataset_required(const NodeContext& ctx) {
  if (ctx.dataset.empty())
    throw InputError("node '" + ctx.id + "' (" + ctx.type + ") needs the graph's \"dataset\" (a dataset description)");
}
}  // namespace

DatasetDescription graph_dataset(const NodeContext& ctx) {
  graph_dataset_required(ctx);
  return DatasetDescription::load(ctx.dataset, ctx.globals.value("dataset_root", std::string()));
}

std::optional<DatasetDescription> preflight_dataset(const NodeContext& ctx) {
  if (ctx.dataset_pending && !ctx.dataset.empty()) return std::nullopt;
  if (ctx.check_files) return graph_dataset(ctx);
  graph_dataset_required(ctx);
  DatasetDescription d =
      DatasetDescription::load(ctx.dataset, ctx.globals.value("dataset_root", std::string()), /*require_root=*/false);
  // Without its data folder the split lists cannot be read: the description
  // was checked as far as it goes alone.
  if (d.data_unread) return std::nullopt;
  return d;
}

}  // namespace flowrun
