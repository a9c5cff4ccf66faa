// The eval plugin's node types, declared for its registration file:
// eval.validate (in a training graph), eval.evaluate and eval.infer (the
// one-batch graphs behind `flowrun eval` and `flowrun infer`).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/node.h"
#include "core/node_schema.h"
#include "core/registry.h"
#include "lib/eval/evaluate_cases.h"
#include "lib/volume/graph_dataset.h"
#include "plugins/eval/eval_contracts.h"

namespace flowrun {

// Each adds its node type (schema and factory) to the registry.
void register_validate(Registry& r);
void register_evaluate(Registry& r);
void register_infer(Registry& r);

// EvalOptions from those parameters (plus voxel_metrics when present).
EvalOptions eval_options(const nlohmann::json& params);
// The models `network` selects from `nets` (selected_names); their resource
// names in `names` when given. InputError for a missing or non-model resource.
std::vector<std::shared_ptr<SegmentationModel>> selected_models(const NodeContext& ctx,
                                                                 std::vector<std::string>* names = nullptr);
std::vector<SegmentationModel*> raw(const std::vector<std::shared_ptr<SegmentationModel>>& models);

}  // namespace flowrun
