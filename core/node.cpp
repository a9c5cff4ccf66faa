// BatchIO and NodeContext helpers.
#include "core/node.h"

#include <filesystem>

namespace flowrun {

PacketPtr BatchIO::input_ptr(const std::string& port) const {
  auto it = inputs_.find(port);
  if (it == inputs_.end() || !it->second)
    throw RunError("batch " + std::to_string(id_) + " has no input on port '" + port + "'");
  return it->second;
}

const Packet& BatchIO::input(const std::string& port) const { return *input_ptr(port); }

void BatchIO::emit(const std::string& port, Packet p) {
  p.batch_id = id_;
  outputs_[port] = std::make_shared<const Packet>(std::move(p));
}

void BatchIO::forward(const std::string& in_port, const std::string& out_port) {
  outputs_[out_port] = input_ptr(in_port);
}

std::string NodeContext::resolve_path(const std::string& p) const {
  if (p.empty()) return p;
  std::filesystem::path path(p);
  if (path.is_absolute() || graph_dir.empty()) return path.lexically_normal().string();
  return (std::filesystem::path(graph_dir) / path).lexically_normal().string();
}

}  // namespace flowrun
