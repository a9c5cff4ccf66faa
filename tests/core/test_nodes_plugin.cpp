// A plugin of small node types for testing the framework: sources, delays,
// joins, failing nodes, a back-edge accumulator and a resource. Built twice:
// as libflowrun_testnodes.so and, claiming another ABI version, as
// libflowrun_badabi.so to test the loader's refusal.
#include <chrono>
#include <thread>

#include <stdexcept>

#include "core/plugin_api.h"

namespace {

using flowrun::BatchIO;
using flowrun::NodeContext;
using flowrun::NodeSchema;
using flowrun::Packet;
using flowrun::ParamSpec;

class Source : public flowrun::Node {
 public:
  void process(NodeContext&, BatchIO& io) override {
    Packet p;
    p.meta["value"] = io.id();
    io.emit("out", std::move(p));
  }
  std::optional<int64_t> stream_length(const NodeContext& ctx) const override {
    int64_t n = ctx.params["count"];
    return n > 0 ? std::optional<int64_t>(n) : std::nullopt;
  }
};

class Delay : public flowrun::Node {
 public:
  void process(NodeContext& ctx, BatchIO& io) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(ctx.params["sleep_ms"].get<int>()));
    Packet p;
    p.meta["value"] = io.input("in").meta["value"].get<int64_t>() + ctx.params["add"].get<int64_t>();
    io.emit("out", std::move(p));
  }
};

class Join : public flowrun::Node {
 public:
  void process(NodeContext&, BatchIO& io) override {
    Packet p;
    p.meta["value"] = io.input("a").meta["value"].get<int64_t>() + io.input("b").meta["value"].get<int64_t>();
    io.emit("out", std::move(p));
  }
};

class Fail : public flowrun::Node {
 public:
  void process(NodeContext& ctx, BatchIO& io) override {
    if (io.id() == ctx.params["fail_at"].get<int64_t>()) throw std::runtime_error("boom");
    io.forward("in", "out");
  }
};

// Sums its input over batches: `prev` comes over a back edge from its own output.
class Accumulate : public flowrun::Node {
 public:
  void process(NodeContext&, BatchIO& io) override {
    const Packet& prev = io.input("prev");
    const int64_t before = prev.meta.contains("value") ? prev.meta["value"].get<int64_t>() : 0;
    Packet p;
    p.meta["value"] = before + io.input("in").meta["value"].get<int64_t>();
    io.emit("out", std::move(p));
  }
};

class Text : public flowrun::Node {
 public:
  void process(NodeContext&, BatchIO& io) override { io.emit("out", Packet{}); }
};

class Sink : public flowrun::Node {
 public:
  void process(NodeContext&, BatchIO&) override {}
};

class Counter : public flowrun::Resource {
 public:
  explicit Counter(int64_t start) : value(start) {}
  int64_t value;
};

class UseCounter : public flowrun::Node {
 public:
  void open(NodeContext& ctx) override { counter_ = ctx.resource<Counter>(ctx.params["counter"]); }
  void process(NodeContext&, BatchIO& io) override {
    Packet p;
    p.meta["value"] = counter_->value + io.input("in").meta["value"].get<int64_t>();
    io.emit("out", std::move(p));
  }

 private:
  std::shared_ptr<Counter> counter_;
};

template <class T>
flowrun::NodeFactory make() {
  return [](const NodeContext&) { return std::make_unique<T>(); };
}

void register_types(flowrun::Registry& r) {
  NodeSchema s;
  s = {"test.source", "emits the batch id as meta.value", {}, {{"out", "number", ""}}, {}};
  s.params.push_back(ParamSpec::integer("count", 0, "batches to emit; 0 = endless", 0));
  r.add_node(s, make<Source>());
  s = {"test.delay", "sleeps, then adds `add` to the value", {{"in", "number", ""}}, {{"out", "number", ""}}, {}};
  s.params.push_back(ParamSpec::integer("sleep_ms", 0, "milliseconds to sleep", 0, 10000));
  s.params.push_back(ParamSpec::integer("add", 0, "added to the value"));
  s.params.push_back(ParamSpec::real("ratio", 0.5, "unused; a float in [0, 1] for validation tests", 0, 1));
  s.params.push_back(ParamSpec::choice("mode", "a", {"a", "b"}, "unused; an enum for validation tests"));
  s.params.push_back(ParamSpec::int_list("patch", {8, 8, 8}, "unused; a list for validation tests", 3, 1));
  r.add_node(s, make<Delay>());
  s = {"test.serial_delay", "like test.delay, serial", {{"in", "number", ""}}, {{"out", "number", ""}}, {}};
  s.params.push_back(ParamSpec::integer("sleep_ms", 0, "milliseconds to sleep", 0, 10000));
  s.params.push_back(ParamSpec::integer("add", 0, "added to the value"));
  s.serial = true;
  r.add_node(s, make<Delay>());
  s = {"test.gated_delay", "like test.delay; `after` is an optional ordering input",
       {{"in", "number", ""}, {"after", "any", "", true}}, {{"out", "number", ""}}, {}};
  s.params.push_back(ParamSpec::integer("sleep_ms", 0, "milliseconds to sleep", 0, 10000));
  s.params.push_back(ParamSpec::integer("add", 0, "added to the value"));
  r.add_node(s, make<Delay>());
  s = {"test.join", "adds two values", {{"a", "number", ""}, {"b", "number", ""}}, {{"out", "number", ""}}, {}};
  r.add_node(s, make<Join>());
  s = {"test.fail", "throws on one batch", {{"in", "any", ""}}, {{"out", "any", ""}}, {}};
  s.params.push_back(ParamSpec::integer("fail_at", 0, "batch id that throws"));
  r.add_node(s, make<Fail>());
  s = {"test.accumulate", "running sum over batches via a back edge",
       {{"in", "number", ""}, {"prev", "number", ""}}, {{"out", "number", ""}}, {}};
  s.serial = true;
  r.add_node(s, make<Accumulate>());
  s = {"test.text", "emits a text packet", {}, {{"out", "text", ""}}, {}};
  r.add_node(s, make<Text>());
  s = {"test.sink", "consumes anything", {{"in", "any", ""}}, {}, {}};
  r.add_node(s, make<Sink>());
  s = {"test.use_counter", "adds a counter resource's value", {{"in", "number", ""}}, {{"out", "number", ""}}, {}};
  s.params.push_back(ParamSpec::resource("counter", "test.counter", "the counter resource"));
  r.add_node(s, make<UseCounter>());
  flowrun::ResourceSchema rs{"test.counter", "a number shared by nodes", {}};
  rs.params.push_back(ParamSpec::integer("start", 0, "the value"));
  r.add_resource(rs, [](const flowrun::ResourceContext& c) {
    return std::make_shared<Counter>(c.params["start"].get<int64_t>());
  });
}

}  // namespace

#if defined(FLOWRUN_TEST_NULL_REGISTER)
// A broken plugin: its descriptor has no register function.
namespace {
const flowrun::PluginDescriptor* null_entry() {
  static const flowrun::PluginDescriptor d{FLOWRUN_ABI_VERSION, "nullreg", "1.0", nullptr};
  return &d;
}
}  // namespace
BOOST_DLL_ALIAS(null_entry, flowrun_plugin)
#elif defined(FLOWRUN_TEST_THROWING_REGISTER)
// A broken plugin: registering its types throws.
namespace {
void throw_on_register(flowrun::Registry&) { throw std::runtime_error("boom while registering"); }
}  // namespace
FLOWRUN_PLUGIN("throwing", "1.0", throw_on_register)
#elif defined(FLOWRUN_TEST_CONTRACT)
// libflowrun_testnodes.contract.so: the same schemas with no factories.
namespace {
void register_contract(flowrun::Registry& r) {
  flowrun::Registry whole;
  register_types(whole);
  for (const flowrun::NodeType* t : whole.nodes()) r.add_node(t->schema, nullptr);
  for (const flowrun::ResourceType* t : whole.resources()) r.add_resource(t->schema, nullptr);
}
}  // namespace
FLOWRUN_PLUGIN_CONTRACT("testnodes", "1.0", register_contract)
#else
FLOWRUN_PLUGIN("testnodes", "1.0", register_types)
#endif
