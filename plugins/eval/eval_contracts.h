// The eval plugin's contracts and the torch-free helpers its nodes share with
// them (eval_schemas.cpp): compiled into the plugin and its contract library.
#pragma once

#include <string>
#include <vector>

#include "core/node_context.h"
#include "core/node_schema.h"
#include "lib/volume/dataset.h"

namespace flowrun {

NodeSchema validate_node_schema();
NodeSchema evaluate_node_schema();
NodeSchema infer_node_schema();

// Parameters every evaluating node shares: nets, network, patch, stride,
// window_batch, lcc, normalize, window, rescale, label.
void add_inference_params(ParamSchema& params);
// checkpoint (a run folder or a .pt file) and which (best or last).
void add_checkpoint_params(ParamSchema& params);
// The resource names `network` selects from `nets`: [net1], [net2] or both.
std::vector<std::string> selected_names(const NodeContext& ctx);
// The .pt file params.checkpoint and params.which name; InputError when
// there is none.
std::string checkpoint_file(const NodeContext& ctx);
// The cases eval.evaluate scores; InputError when the split is missing,
// empty or unlabelled.
std::vector<std::string> cases_to_score(const NodeContext& ctx, const DatasetDescription& dataset);

// Which cases validation and the final test score; InputError for a
// missing, empty or unlabelled split.
struct ValidationCases {
  std::string split, test_split;
  std::vector<std::string> val_ids, test_ids;
};

ValidationCases validation_cases(const NodeContext& ctx, const DatasetDescription& dataset);

}  // namespace flowrun
