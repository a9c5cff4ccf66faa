// The node contract: open() once, process() once per batch, close() once.
//
// process() receives the batch's input packets by port name and emits exactly
// one packet on every output port. The graph, not the node, decides how many
// batches a node processes at once (its concurrency); a node whose schema says
// `serial` sees batches one at a time and in batch order.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/node_context.h"
#include "core/packet.h"

namespace flowrun {

// One batch's inputs and outputs for one node.
class BatchIO {
 public:
  BatchIO(int64_t id, std::map<std::string, PacketPtr> inputs) : id_(id), inputs_(std::move(inputs)) {}

  int64_t id() const { return id_; }
  const Packet& input(const std::string& port) const;
  PacketPtr input_ptr(const std::string& port) const;
  // Emits `p` on `port`; the batch id is set here.
  void emit(const std::string& port, Packet p);
  // Emits the input packet unchanged (no copy) on an output port.
  void forward(const std::string& in_port, const std::string& out_port);

  const std::map<std::string, PacketPtr>& inputs() const { return inputs_; }
  std::map<std::string, PacketPtr>& outputs() { return outputs_; }

 private:
  int64_t id_;
  std::map<std::string, PacketPtr> inputs_;
  std::map<std::string, PacketPtr> outputs_;
};

class Node {
 public:
  virtual ~Node() = default;
  virtual void open(NodeContext&) {}
  virtual void process(NodeContext& ctx, BatchIO& io) = 0;
  // Called once after the last batch, also after a failure (ctx.failed set).
  virtual void close(NodeContext&) {}
  // Nodes without inputs may bound the run (e.g. a list of cases to prepare).
  // Known after open(); nullopt = endless, the graph's `iterations` bounds it.
  virtual std::optional<int64_t> stream_length(const NodeContext&) const { return std::nullopt; }
};

}  // namespace flowrun
