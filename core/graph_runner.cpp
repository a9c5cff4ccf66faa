// Building a validated graph onto oneTBB flow graph nodes and running it.
#include "core/graph_runner.h"

#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <unordered_map>

#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include "core/atomic_file.h"
#include "core/cpu_count.h"
#include "core/error.h"

namespace flowrun {

namespace flow = oneapi::tbb::flow;
using nlohmann::json;

namespace {

struct BatchInputs {
  int64_t id = 0;
  std::map<std::string, PacketPtr> in;
  // Arrival times of the last forward-edge and the last back-edge input: a
  // node gated by a back edge waited for data by their positive difference.
  double last_forward = 0, last_back = 0;
};

struct Route {
  std::string out_port;
  size_t target;
  std::string in_port;
  bool back;
};

struct NodeRuntime {
  const NodeSpec* spec = nullptr;
  const NodeSchema* schema = nullptr;
  std::shared_ptr<Node> node;
  NodeContext ctx;
  std::vector<Route> routes;
  size_t n_inputs = 0;
  std::set<std::string> back_ports;  // inputs fed by back edges
  bool sink = true;
  bool opened = false;
  std::unique_ptr<flow::function_node<BatchInputs, flow::continue_msg>> worker;
  std::unique_ptr<flow::sequencer_node<BatchInputs>> sequencer;
  std::mutex mu;
  std::unordered_map<int64_t, BatchInputs> pending;
};

class Execution {
 public:
  Execution(const ValidatedGraph& g, const Registry& reg, const RunOptions& opt)
      : graph_(g), registry_(reg), options_(opt), profiler_(opt.record_events) {}

  RunResult run();

 private:
  void create_resources();
  void create_nodes();
  void open_nodes();
  void close_nodes(bool failed);
  int64_t decide_last_batch();
  void build(flow::graph& g);
  void deliver(size_t target, int64_t batch, const std::string& port, PacketPtr p);
  void submit(NodeRuntime& rt, BatchInputs&& b);
  void work(NodeRuntime& rt, BatchInputs& b);
  void complete(int64_t batch);
  void fail(const std::string& msg);
  nlohmann::json chain_report(const nlohmann::json& profile) const;

  const ValidatedGraph& graph_;
  const Registry& registry_;
  const RunOptions& options_;
  Profiler profiler_;
  std::map<std::string, std::shared_ptr<Resource>> resources_;
  std::vector<std::unique_ptr<NodeRuntime>> nodes_;
  std::atomic<bool> failed_{false};
  std::mutex error_mu_;
  std::string error_;
  flow::graph* g_ = nullptr;
  std::unique_ptr<flow::limiter_node<int64_t>> limiter_;
  std::mutex done_mu_;
  std::unordered_map<int64_t, size_t> sink_done_;
  size_t n_sinks_ = 0;
  int64_t completed_ = 0;
  int64_t first_ = 0, last_ = -1;
};

// For every back edge, the nodes on its loop (reachable from its target and
// reaching its source) form a chain that runs one batch at a time: its busy
// time per batch against the time its head waited for data shows whether the
// CPU stages keep up.
json Execution::chain_report(const json& profile) const {
  json chains = json::array();
  std::map<std::string, std::vector<std::string>> succ, pred;
  for (auto& e : graph_.spec.edges)
    if (!e.back) { succ[e.from.node].push_back(e.to.node); pred[e.to.node].push_back(e.from.node); }
  auto reach = [](const std::string& start, std::map<std::string, std::vector<std::string>>& next) {
    std::set<std::string> seen{start};
    std::vector<std::string> todo{start};
    while (!todo.empty()) {
      std::string n = todo.back();
      todo.pop_back();
      for (auto& m : next[n]) if (seen.insert(m).second) todo.push_back(m);
    }
    return seen;
  };
  for (auto& e : graph_.spec.edges) {
    if (!e.back) continue;
    auto from_head = reach(e.to.node, succ), to_tail = reach(e.from.node, pred);
    json nodes = json::array();
    double busy = 0;
    int64_t calls = 0;
    for (auto& id : graph_.topo_order) {
      if (!from_head.count(id) || !to_tail.count(id)) continue;
      nodes.push_back(id);
      if (profile["nodes"].contains(id)) busy += profile["nodes"][id].value("busy_seconds", 0.0);
    }
    double starved = 0;
    if (profile["nodes"].contains(e.to.node)) {
      starved = profile["nodes"][e.to.node].value("starved_seconds", 0.0);
      calls = profile["nodes"][e.to.node].value("calls", int64_t{0});
    }
    chains.push_back({{"head", e.to.node}, {"tail", e.from.node}, {"nodes", nodes}, {"busy_seconds", busy},
                      {"starved_seconds", starved}, {"batches", calls},
                      {"starved_percent_of_busy", busy > 0 ? 100.0 * starved / busy : 0.0}});
  }
  return chains;
}

void Execution::create_resources() {
  for (auto& r : graph_.spec.resources) {
    ResourceContext rc{r.name, graph_.resource_params.at(r.name), graph_.globals, graph_.spec.dir, options_.dist};
    try {
      resources_[r.name] = registry_.create_resource(r.type, rc);
    } catch (const InputError& e) {
      throw InputError(graph_.spec.where("$.resources." + r.name) + ": " + e.what());
    } catch (const std::exception& e) {
      throw RunError("resource '" + r.name + "' (" + r.type + ") could not be created: " + error_text(e));
    }
  }
}

void Execution::create_nodes() {
  std::map<std::string, size_t> index;
  for (auto& id : graph_.topo_order) {
    auto rt = std::make_unique<NodeRuntime>();
    rt->spec = graph_.spec.node(id);
    rt->schema = &registry_.node(rt->spec->type)->schema;
    rt->n_inputs = 0;  // counted from the edges: optional inputs may be unwired
    NodeContext& c = rt->ctx;
    c.id = id;
    c.type = rt->spec->type;
    c.params = graph_.node_params.at(id);
    c.globals = graph_.globals;
    c.graph_file = graph_.spec.file;
    c.graph_dir = graph_.spec.dir;
    c.dataset = graph_.spec.dataset;
    c.out_dir = options_.out_dir;
    c.run_dir = options_.run_dir.empty() ? options_.out_dir : options_.run_dir;
    c.dist = options_.dist;
    c.graph_json = graph_.spec.doc;
    c.first_batch = options_.first_batch;
    c.resources = &resources_;
    c.stop_requested = options_.stop_requested;
    index[id] = nodes_.size();
    nodes_.push_back(std::move(rt));
  }
  for (auto& e : graph_.spec.edges) {
    auto& to = *nodes_[index.at(e.to.node)];
    to.n_inputs++;
    if (e.back) to.back_ports.insert(e.to.port);
    to.ctx.connected.insert(e.to.port);
    auto& from = *nodes_[index.at(e.from.node)];
    from.routes.push_back({e.from.port, index.at(e.to.node), e.to.port, e.back});
    if (!e.back) from.sink = false;
  }
  for (auto& rt : nodes_) n_sinks_ += rt->sink ? 1 : 0;
  for (auto& rt : nodes_) {
    try {
      rt->node = registry_.create_node(rt->spec->type, rt->ctx);
    } catch (const InputError& e) {
      throw InputError(graph_.spec.where_node(*rt->spec) + ": " + e.what());
    } catch (const std::exception& e) {
      throw RunError("node '" + rt->ctx.id + "' (" + rt->ctx.type + ") could not be created: " + error_text(e));
    }
  }
}

void Execution::open_nodes() {
  for (auto& rt : nodes_) {
    try {
      rt->node->open(rt->ctx);
      rt->opened = true;
    } catch (const InputError& e) {
      throw InputError("node '" + rt->ctx.id + "' (" + rt->ctx.type + "): " + e.what());
    } catch (const std::exception& e) {
      throw RunError("node '" + rt->ctx.id + "' (" + rt->ctx.type + ") failed to open: " + e.what());
    }
  }
}

void Execution::close_nodes(bool failed) {
  std::string first_error;
  for (auto& rt : nodes_) {
    if (!rt->opened) continue;
    rt->ctx.failed = failed;
    try {
      rt->node->close(rt->ctx);
    } catch (const std::exception& e) {
      if (first_error.empty()) first_error = "node '" + rt->ctx.id + "' failed to close: " + e.what();
    }
    rt->opened = false;
  }
  if (!first_error.empty() && !failed) throw RunError(first_error);
}

int64_t Execution::decide_last_batch() {
  std::optional<int64_t> total;
  const int64_t iterations = graph_.globals.value("iterations", int64_t{0});
  if (iterations > 0) total = iterations;
  for (auto& rt : nodes_) {
    if (rt->n_inputs != 0) continue;
    if (auto n = rt->node->stream_length(rt->ctx)) total = total ? std::min(*total, *n) : *n;
  }
  if (!total)
    throw InputError(graph_.spec.where("$.params.iterations") +
                     ": no source node bounds the run; set params.iterations (or --set params.iterations=N)");
  return *total - 1;
}

void Execution::fail(const std::string& msg) {
  {
    std::lock_guard<std::mutex> lock(error_mu_);
    if (error_.empty()) error_ = msg;
  }
  failed_ = true;
  if (g_) g_->cancel();
}

void Execution::submit(NodeRuntime& rt, BatchInputs&& b) {
  if (failed_) return;
  profiler_.queued(rt.ctx.id);
  if (rt.sequencer) rt.sequencer->try_put(std::move(b));
  else rt.worker->try_put(std::move(b));
}

void Execution::deliver(size_t target, int64_t batch, const std::string& port, PacketPtr p) {
  NodeRuntime& rt = *nodes_[target];
  BatchInputs ready;
  {
    std::lock_guard<std::mutex> lock(rt.mu);
    BatchInputs& slot = rt.pending[batch];
    slot.id = batch;
    slot.in[port] = std::move(p);
    (rt.back_ports.count(port) ? slot.last_back : slot.last_forward) = profiler_.now();
    if (slot.in.size() < rt.n_inputs) return;
    ready = std::move(slot);
    rt.pending.erase(batch);
  }
  // The first batch's back-edge inputs are pre-filled, so it never waits on them.
  if (!rt.back_ports.empty() && batch > first_)
    profiler_.starved(rt.ctx.id, std::max(0.0, ready.last_forward - ready.last_back));
  submit(rt, std::move(ready));
}

void Execution::complete(int64_t batch) {
  {
    std::lock_guard<std::mutex> lock(done_mu_);
    if (++sink_done_[batch] < n_sinks_) return;
    sink_done_.erase(batch);
    ++completed_;
  }
  profiler_.batch_done(batch);
  limiter_->decrementer().try_put(flow::continue_msg());
}

void Execution::work(NodeRuntime& rt, BatchInputs& b) {
  if (failed_) return;
  profiler_.started(rt.ctx.id);
  BatchIO io(b.id, std::move(b.in));
  const double t0 = profiler_.now();
  try {
    rt.node->process(rt.ctx, io);
  } catch (const Cancelled&) {
    // The run is stopping and the node gave up its batch: the batch ends
    // here, incomplete, and the run ends as stopped, not failed.
    if (rt.ctx.stopping()) return;
    fail("node '" + rt.ctx.id + "' (" + rt.ctx.type + ") gave up batch " + std::to_string(b.id) +
         " though no stop was requested");
    return;
  } catch (const std::exception& e) {
    fail("node '" + rt.ctx.id + "' (" + rt.ctx.type + ") failed on batch " + std::to_string(b.id) + ": " +
         error_text(e));
    return;
  } catch (...) {
    fail("node '" + rt.ctx.id + "' (" + rt.ctx.type + ") failed on batch " + std::to_string(b.id) +
         ": unknown exception");
    return;
  }
  profiler_.finished(rt.ctx.id, b.id, t0, profiler_.now());
  for (auto& port : rt.schema->outputs) {
    if (!io.outputs().count(port.name)) {
      fail("node '" + rt.ctx.id + "' (" + rt.ctx.type + ") emitted nothing on output '" + port.name +
           "' for batch " + std::to_string(b.id) + " (every output must be emitted once per batch)");
      return;
    }
  }
  for (auto& r : rt.routes) {
    const int64_t to_batch = r.back ? b.id + 1 : b.id;
    if (to_batch > last_) continue;
    deliver(r.target, to_batch, r.in_port, io.outputs().at(r.out_port));
  }
  if (rt.sink) complete(b.id);
}

void Execution::build(flow::graph& g) {
  for (auto& rtp : nodes_) {
    NodeRuntime& rt = *rtp;
    const bool serial = rt.schema->serial || rt.spec->concurrency == 0 || rt.spec->concurrency == 1;
    const size_t conc = serial ? 1 : rt.spec->concurrency < 0 ? flow::unlimited : size_t(rt.spec->concurrency);
    rt.worker = std::make_unique<flow::function_node<BatchInputs, flow::continue_msg>>(
        g, conc, [this, &rt](BatchInputs b) { work(rt, b); return flow::continue_msg(); });
    if (serial) {
      // In batch order: a sequencer releases batch n only after n-1.
      const int64_t first = first_;
      rt.sequencer = std::make_unique<flow::sequencer_node<BatchInputs>>(
          g, [first](const BatchInputs& b) { return static_cast<size_t>(b.id - first); });
      flow::make_edge(*rt.sequencer, *rt.worker);
    }
  }
}

RunResult Execution::run() {
  create_resources();
  create_nodes();
  RunResult result;
  try {
    open_nodes();
    if (options_.after_open) options_.after_open(resources_);
    first_ = options_.first_batch;
    last_ = decide_last_batch();
    for (auto& rt : nodes_) rt->ctx.last_batch = last_;
  } catch (...) {
    close_nodes(true);
    throw;
  }

  int threads = options_.max_threads > 0 ? options_.max_threads : graph_.globals.value("threads", 0);
  if (threads <= 0) threads = usable_cpu_count();
  // Workers are capped at the core count unless raised explicitly.
  oneapi::tbb::global_control control(oneapi::tbb::global_control::max_allowed_parallelism, threads);
  oneapi::tbb::task_arena arena(threads);
  const double t_start = profiler_.now();
  arena.execute([&] {
    flow::graph g;
    g_ = &g;
    build(g);
    int64_t next = first_;
    const int64_t prefetch = graph_.globals.value("prefetch", int64_t{2});
    flow::input_node<int64_t> source(g, [&](oneapi::tbb::flow_control& fc) -> int64_t {
      const bool stop = options_.stop_requested && options_.stop_requested->load();
      if (next > last_ || failed_ || stop) { fc.stop(); return 0; }
      return next++;
    });
    limiter_ = std::make_unique<flow::limiter_node<int64_t>>(g, static_cast<size_t>(prefetch));
    flow::function_node<int64_t, flow::continue_msg> dispatch(g, flow::unlimited, [this](int64_t id) {
      profiler_.batch_entered(id);
      for (auto& rt : nodes_)
        if (rt->n_inputs == 0) submit(*rt, BatchInputs{id, {}});
      return flow::continue_msg();
    });
    flow::make_edge(source, *limiter_);
    flow::make_edge(*limiter_, dispatch);
    // Back edges feed batch n+1 from batch n; the first batch gets an empty packet.
    for (auto& rt : nodes_)
      for (auto& r : rt->routes)
        if (r.back && first_ <= last_) {
          Packet empty;
          empty.batch_id = first_ - 1;
          deliver(r.target, first_, r.in_port, std::make_shared<const Packet>(std::move(empty)));
        }
    source.activate();
    g.wait_for_all();
    g_ = nullptr;
    // Flow nodes must go before the graph they belong to.
    for (auto& rt : nodes_) {
      rt->sequencer.reset();
      rt->worker.reset();
    }
    limiter_.reset();
  });
  result.wall_seconds = profiler_.now() - t_start;
  result.batches = completed_;
  result.stopped = !failed_ && completed_ < last_ - first_ + 1;
  const bool failed = failed_.load();
  try {
    close_nodes(failed || result.stopped);
  } catch (const std::exception& e) {
    fail(e.what());
  }
  result.profile = profiler_.to_json(result.wall_seconds);
  result.profile["batches"] = completed_;
  for (auto& rt : nodes_)
    if (result.profile["nodes"].contains(rt->ctx.id)) result.profile["nodes"][rt->ctx.id]["type"] = rt->ctx.type;
  result.profile["chains"] = chain_report(result.profile);
  result.events = profiler_.events();
  result.max_in_flight = profiler_.max_in_flight();
  if (options_.annotate_profile) options_.annotate_profile(result.profile);
  if (!options_.out_dir.empty()) {
    // Written whole or not at all: a full disk must not leave half a profile
    // that `flowrun dot --profile` and a later resume would trip over.
    try {
      write_file_atomically((std::filesystem::path(options_.out_dir) / "profile.json").string(),
                            result.profile.dump(2) + "\n");
    } catch (const RunError& e) {
      if (!failed_) throw RunError(std::string(e.what()) + "; the run itself completed");
    }
  }
  if (failed_) throw RunError(error_);
  return result;
}

}  // namespace

RunResult run_graph(const ValidatedGraph& graph, const Registry& registry, const RunOptions& options) {
  Execution e(graph, registry, options);
  return e.run();
}

}  // namespace flowrun
