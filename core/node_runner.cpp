// Running one node alone (the public test harness).
#include "core/node_runner.h"

#include "core/error.h"
#include "core/global_params.h"

namespace flowrun {

using nlohmann::json;

NodeRunner::NodeRunner(const Registry& registry, const std::string& type, const json& params, const std::string& id)
    : registry_(registry), type_(registry.require_node(type, "NodeRunner")) {
  ctx_.id = id;
  ctx_.type = type;
  ctx_.params = validate_params(params, type_.schema.params, "node '" + id + "' (" + type + ") params");
  ctx_.globals = validate_params(json{{"device", "cpu"}}, global_param_schema(), "NodeRunner globals");
  ctx_.resources = &resources_;
}

NodeRunner::~NodeRunner() {
  if (open_ && !closed_) {
    try {
      close();
    } catch (...) {
      // A destructor must not throw; a test that cares calls close() itself.
    }
  }
}

NodeRunner& NodeRunner::globals(const json& g) {
  json merged = ctx_.globals;
  merged.merge_patch(g);
  ctx_.globals = validate_params(merged, global_param_schema(), "NodeRunner globals");
  return *this;
}

NodeRunner& NodeRunner::dataset(const std::string& file) {
  ctx_.dataset = file;
  return *this;
}

std::shared_ptr<Resource> NodeRunner::resource(const std::string& name, const std::string& type, const json& params) {
  const ResourceType& t = registry_.require_resource(type, "NodeRunner resource '" + name + "'");
  ResourceContext rc;
  rc.name = name;
  rc.params = validate_params(params, t.schema.params, "resource '" + name + "' (" + type + ") params");
  rc.globals = ctx_.globals;
  rc.dist = ctx_.dist;
  std::shared_ptr<Resource> r = registry_.create_resource(type, rc);
  resources_[name] = r;
  return r;
}

NodeRunner& NodeRunner::last_batch(int64_t id) {
  ctx_.last_batch = id;
  return *this;
}

NodeRunner& NodeRunner::out_dir(const std::string& dir) {
  ctx_.out_dir = dir;
  ctx_.run_dir = dir;
  return *this;
}

Node& NodeRunner::node() {
  if (!node_) node_ = registry_.create_node(ctx_.type, ctx_);
  return *node_;
}

void NodeRunner::open() {
  std::map<std::string, PacketPtr> required;
  for (auto& p : type_.schema.inputs)
    if (!p.optional) required[p.name] = nullptr;
  open_with(required);
}

void NodeRunner::open_with(const std::map<std::string, PacketPtr>& first_inputs) {
  for (auto& [port, p] : first_inputs) {
    if (!type_.schema.input(port))
      throw InputError("NodeRunner: node type " + ctx_.type + " has no input port '" + port + "'");
    ctx_.connected.insert(port);
  }
  if (open_) throw RunError("NodeRunner: node '" + ctx_.id + "' is already open");
  node().open(ctx_);
  open_ = true;
}

std::map<std::string, PacketPtr> NodeRunner::run(int64_t batch, const std::map<std::string, PacketPtr>& inputs) {
  if (closed_) throw RunError("NodeRunner: node '" + ctx_.id + "' is closed");
  if (!open_) open_with(inputs);
  std::map<std::string, PacketPtr> in;
  for (auto& [port, p] : inputs) {
    if (!ctx_.connected.count(port))
      throw InputError("NodeRunner: input '" + port + "' was not fed on the first batch, so it is not connected");
    in[port] = p;
  }
  BatchIO io(batch, std::move(in));
  node_->process(ctx_, io);
  return io.outputs();
}

PacketPtr NodeRunner::run_one(int64_t batch, PacketPtr in) {
  std::map<std::string, PacketPtr> inputs;
  if (in) inputs["in"] = std::move(in);
  auto out = run(batch, inputs);
  auto it = out.find("out");
  if (it == out.end()) throw RunError("NodeRunner: node '" + ctx_.id + "' emitted nothing on 'out'");
  return it->second;
}

PacketPtr NodeRunner::packet(int64_t batch, Packet p) {
  p.batch_id = batch;
  return std::make_shared<const Packet>(std::move(p));
}

void NodeRunner::close(bool failed) {
  if (!open_ || closed_) return;
  closed_ = true;
  ctx_.failed = failed;
  node_->close(ctx_);
}

}  // namespace flowrun
