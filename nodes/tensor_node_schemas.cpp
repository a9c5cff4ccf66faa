// The contracts of the two built-in nodes that hold tensors (data.collate,
// data.to_device), without torch headers, so the front end can validate
// graphs with them (register_builtin_contracts) without loading LibTorch.
#include "core/node_schema.h"
#include "lib/packets/batch_packet.h"
#include "nodes/builtin_nodes.h"

namespace flowrun {

NodeSchema collate_schema() {
  NodeSchema s;
  s.type = "data.collate";
  s.doc = "stacks samples into image [B,C,X,Y,Z] (labelled first), label [L,X,Y,Z] and image_b [U,C,X,Y,Z]";
  s.inputs = {{"in", "samples", "samples of one patch size"}};
  s.outputs = {{"out", batch_packet::kType, "CPU tensors and meta cases, labeled_count, unlabeled_count, shifts, patch",
                false, batch_packet::keys()}};
  return s;
}

NodeSchema to_device_schema() {
  NodeSchema s;
  s.type = "data.to_device";
  s.doc = "moves the batch's tensors to the graph's device (pinned, non-blocking on CUDA; pass-through on CPU)";
  s.inputs = {{"in", batch_packet::kType, ""}};
  s.outputs = {{"out", batch_packet::kType, "the same batch on the device", false, batch_packet::keys()}};
  return s;
}

}  // namespace flowrun
