// The cotwin plugin's node types (their registration) and the batch-meta
// helpers they share. No torch headers, so the entry point compiles quickly.
#pragma once

#include <cstdint>
#include <string>

#include "core/node_context.h"
#include "core/node_schema.h"
#include "core/packet.h"
#include "core/registry.h"

namespace flowrun {

// Each adds its node type (schema and factory) to the registry.
void register_twin_forward(Registry& r);
void register_pseudo_labels(Registry& r);
void register_cotwin_loss(Registry& r);

// Their contracts (cotwin_schemas.cpp, shared with the contract library) and
// twin_forward's preflight, which its open() runs too.
NodeSchema twin_forward_schema();
NodeSchema pseudo_labels_schema();
NodeSchema cotwin_loss_schema();
void check_twin_forward_configuration(const NodeContext& ctx);

// L labelled and U unlabelled samples of a batch packet (meta labeled_count,
// unlabeled_count). The batch puts the labelled samples first.
struct BatchCounts {
  int64_t labeled = 0;
  int64_t unlabeled = 0;
};

inline BatchCounts batch_counts(const Packet& p, const std::string& node_id) {
  if (!p.meta.contains("labeled_count") || !p.meta.contains("unlabeled_count"))
    throw RunError("node '" + node_id + "': batch " + std::to_string(p.batch_id) +
                   " has no meta labeled_count / unlabeled_count (see docs/packets.md)");
  BatchCounts c{p.meta["labeled_count"].get<int64_t>(), p.meta["unlabeled_count"].get<int64_t>()};
  if (c.labeled < 0 || c.unlabeled < 0)
    throw RunError("node '" + node_id + "': negative labeled_count or unlabeled_count in batch " +
                   std::to_string(p.batch_id));
  return c;
}

}  // namespace flowrun
