// Running graphs: results, the prefetch bound, pipelining, serial order, back
// edges, resources, failures. Timing claims are checked from recorded events,
// not wall-clock thresholds.
#include <algorithm>
#include <map>

#include "core/graph_runner.h"
#include "test_support.h"

namespace flowrun {
using nlohmann::json;
using testing::expect_error;
using testing::validated;

class Execution : public ::testing::Test {
 protected:
  testing::TestRegistry t;
  RunResult run(const std::string& text, int threads = 4) {
    ValidatedGraph g = validated(t.registry, text);
    RunOptions o;
    o.record_events = true;
    o.max_threads = threads;
    return run_graph(g, t.registry, o);
  }
  static std::vector<NodeEvent> of(const RunResult& r, const std::string& node) {
    std::vector<NodeEvent> v;
    for (auto& e : r.events) if (e.node == node) v.push_back(e);
    return v;
  }
};

TEST_F(Execution, RunsEveryBatchThroughEveryNode) {
  RunResult r = run(R"({"nodes": [{"id": "s", "type": "test.source"}, {"id": "d", "type": "test.delay"},
      {"id": "k", "type": "test.sink"}], "edges": [["s.out", "d.in"], ["d.out", "k.in"]], "params": {"iterations": 7}})");
  EXPECT_EQ(r.batches, 7);
  EXPECT_EQ(of(r, "k").size(), 7u);
  EXPECT_EQ(r.profile["nodes"]["d"]["calls"], 7);
  EXPECT_EQ(r.profile["nodes"]["d"]["type"], "test.delay");
}

TEST_F(Execution, SourceStreamLengthBoundsTheRun) {
  RunResult r = run(R"({"nodes": [{"id": "s", "type": "test.source", "params": {"count": 4}},
      {"id": "k", "type": "test.sink"}], "edges": [["s.out", "k.in"]]})");
  EXPECT_EQ(r.batches, 4);
}

TEST_F(Execution, UnboundedRunIsAnInputError) {
  expect_error<InputError>([&] {
    run(R"({"nodes": [{"id": "s", "type": "test.source"}, {"id": "k", "type": "test.sink"}], "edges": [["s.out", "k.in"]]})");
  }, {"params.iterations"});
}

TEST_F(Execution, NeverMoreThanPrefetchBatchesInFlight) {
  for (int prefetch : {1, 2, 3}) {
    RunResult r = run(R"({"nodes": [{"id": "s", "type": "test.source"},
        {"id": "a", "type": "test.delay", "params": {"sleep_ms": 2}, "concurrency": "unlimited"},
        {"id": "b", "type": "test.serial_delay", "params": {"sleep_ms": 3}}],
        "edges": [["s.out", "a.in"], ["a.out", "b.in"]], "params": {"iterations": 12, "prefetch": )" +
                      std::to_string(prefetch) + "}}", 8);
    int in_flight = 0, peak = 0;
    auto events = r.events;
    std::stable_sort(events.begin(), events.end(), [](auto& x, auto& y) { return x.start < y.start; });
    for (auto& e : events) {
      if (e.node == "<enter>") peak = std::max(peak, ++in_flight);
      if (e.node == "<done>") --in_flight;
    }
    EXPECT_LE(peak, prefetch);
    EXPECT_EQ(r.max_in_flight, peak);
    EXPECT_EQ(r.batches, 12);
    if (prefetch > 1) EXPECT_GT(peak, 1) << "prefetch " << prefetch << " never used";
  }
}

TEST_F(Execution, StagesOverlapAcrossBatches) {
  RunResult r = run(R"({"nodes": [{"id": "s", "type": "test.source"},
      {"id": "a", "type": "test.delay", "params": {"sleep_ms": 20}},
      {"id": "b", "type": "test.serial_delay", "params": {"sleep_ms": 20}}],
      "edges": [["s.out", "a.in"], ["a.out", "b.in"]], "params": {"iterations": 6, "prefetch": 2}})");
  auto a = of(r, "a"), b = of(r, "b");
  bool overlapped = false;
  for (auto& eb : b)
    for (auto& ea : a)
      if (ea.batch == eb.batch + 1 && ea.start < eb.end && eb.start < ea.end) overlapped = true;
  EXPECT_TRUE(overlapped) << "stage a of batch n+1 never ran while stage b of batch n ran";
}

TEST_F(Execution, SerialNodesSeeBatchesInOrder) {
  RunResult r = run(R"({"nodes": [{"id": "s", "type": "test.source"},
      {"id": "a", "type": "test.delay", "concurrency": "unlimited"},
      {"id": "b", "type": "test.serial_delay", "params": {"sleep_ms": 1}}],
      "edges": [["s.out", "a.in"], ["a.out", "b.in"]], "params": {"iterations": 30, "prefetch": 8}})", 8);
  auto b = of(r, "b");
  ASSERT_EQ(b.size(), 30u);
  for (size_t i = 0; i < b.size(); ++i) {
    EXPECT_EQ(b[i].batch, static_cast<int64_t>(i));
    if (i) EXPECT_GE(b[i].start, b[i - 1].end);
  }
}

TEST_F(Execution, JoinWaitsForAllInputsOfTheSameBatch) {
  RunResult r = run(R"({"nodes": [{"id": "s", "type": "test.source"},
      {"id": "x", "type": "test.delay", "params": {"add": 100, "sleep_ms": 1}},
      {"id": "y", "type": "test.delay", "params": {"add": 1000}},
      {"id": "j", "type": "test.join"}, {"id": "acc", "type": "test.accumulate"}],
      "edges": [["s.out", "x.in"], ["s.out", "y.in"], ["x.out", "j.a"], ["y.out", "j.b"], ["j.out", "acc.in"],
                {"from": "acc.out", "to": "acc.prev", "back": true}],
      "params": {"iterations": 5, "prefetch": 3}})");
  EXPECT_EQ(r.batches, 5);
}

class Capture : public Node {
 public:
  static inline std::vector<int64_t> seen;
  void process(NodeContext&, BatchIO& io) override { seen.push_back(io.input("in").meta["value"].get<int64_t>()); }
};

TEST_F(Execution, BackEdgeCarriesStateToTheNextBatch) {
  t.registry.add_node({"test.capture", "records values", {{"in", "number", ""}}, {}, {}, true},
                      [](const NodeContext&) { return std::make_unique<Capture>(); });
  Capture::seen.clear();
  RunResult r = run(R"({"nodes": [{"id": "s", "type": "test.source"}, {"id": "acc", "type": "test.accumulate"},
      {"id": "c", "type": "test.capture"}],
      "edges": [["s.out", "acc.in"], {"from": "acc.out", "to": "acc.prev", "back": true}, ["acc.out", "c.in"]],
      "params": {"iterations": 5}})");
  EXPECT_EQ(Capture::seen, (std::vector<int64_t>{0, 1, 3, 6, 10}));
}

TEST_F(Execution, OptionalInputMayStayUnconnected) {
  RunResult r = run(R"({"nodes": [{"id": "s", "type": "test.source"}, {"id": "g", "type": "test.gated_delay"}],
      "edges": [["s.out", "g.in"]], "params": {"iterations": 4}})");
  EXPECT_EQ(r.batches, 4);
}

// The training pattern: CPU stages prefetch, but the compute chain of batch
// n+1 starts only after the last compute node of batch n (a back edge).
TEST_F(Execution, BackEdgeSerialisesAComputeChainWhileSourcesPrefetch) {
  RunResult r = run(R"({"nodes": [{"id": "s", "type": "test.source"},
      {"id": "cpu", "type": "test.delay", "params": {"sleep_ms": 1}, "concurrency": 2},
      {"id": "fwd", "type": "test.gated_delay", "params": {"sleep_ms": 10}},
      {"id": "step", "type": "test.serial_delay", "params": {"sleep_ms": 10}}],
      "edges": [["s.out", "cpu.in"], ["cpu.out", "fwd.in"], ["fwd.out", "step.in"],
                {"from": "step.out", "to": "fwd.after", "back": true}],
      "params": {"iterations": 8, "prefetch": 3}})");
  auto fwd = of(r, "fwd"), step = of(r, "step"), cpu = of(r, "cpu");
  ASSERT_EQ(fwd.size(), 8u);
  std::map<int64_t, NodeEvent> step_of;
  for (auto& e : step) step_of[e.batch] = e;
  for (auto& e : fwd)
    if (e.batch > 0) EXPECT_GE(e.start, step_of[e.batch - 1].end) << "forward " << e.batch << " overlapped step";
  // Ran ahead: the CPU stage started a later batch before the chain finished
  // an earlier one (whether or not the two happened to run at the same time).
  bool prefetched = false;
  for (auto& c : cpu)
    for (auto& s : step)
      if (c.batch > s.batch && c.start < s.end) prefetched = true;
  EXPECT_TRUE(prefetched) << "CPU stage never ran ahead of the compute chain";
  ASSERT_EQ(r.profile["chains"].size(), 1u);
  EXPECT_EQ(r.profile["chains"][0]["nodes"], json({"fwd", "step"}));
  EXPECT_EQ(r.profile["chains"][0]["head"], "fwd");
}

// A chain fed by a slow CPU stage waits for data; the profile says how long.
TEST_F(Execution, ProfileReportsHowLongAGatedChainWaitedForData) {
  RunResult r = run(R"({"nodes": [{"id": "s", "type": "test.source"},
      {"id": "cpu", "type": "test.delay", "params": {"sleep_ms": 30}},
      {"id": "fwd", "type": "test.gated_delay", "params": {"sleep_ms": 1}},
      {"id": "step", "type": "test.serial_delay", "params": {"sleep_ms": 1}}],
      "edges": [["s.out", "cpu.in"], ["cpu.out", "fwd.in"], ["fwd.out", "step.in"],
                {"from": "step.out", "to": "fwd.after", "back": true}],
      "params": {"iterations": 6, "prefetch": 2}})");
  const json& c = r.profile["chains"][0];
  // Each of batches 1..5 waits for about 30 ms of CPU work minus the ~2 ms
  // chain; a loaded machine stretches the chain's own sleeps (measured 0.074 s
  // with two builds beside it), so the bound is a sixth of the ideal.
  EXPECT_GT(c["starved_seconds"].get<double>(), 5 * 0.005);
  EXPECT_GT(c["starved_percent_of_busy"].get<double>(), 100.0);
}

TEST_F(Execution, ResourcesAreSharedByName) {
  Capture::seen.clear();
  t.registry.add_node({"test.capture", "records values", {{"in", "number", ""}}, {}, {}, true},
                      [](const NodeContext&) { return std::make_unique<Capture>(); });
  run(R"({"resources": {"c": {"type": "test.counter", "params": {"start": 100}}},
      "nodes": [{"id": "s", "type": "test.source"}, {"id": "u", "type": "test.use_counter", "params": {"counter": "c"}},
      {"id": "k", "type": "test.capture"}], "edges": [["s.out", "u.in"], ["u.out", "k.in"]], "params": {"iterations": 3}})");
  EXPECT_EQ(Capture::seen, (std::vector<int64_t>{100, 101, 102}));
}

TEST_F(Execution, FailureNamesNodeAndBatchAndEndsWithoutDeadlock) {
  expect_error<RunError>([&] {
    run(R"({"nodes": [{"id": "s", "type": "test.source"},
        {"id": "a", "type": "test.delay", "params": {"sleep_ms": 1}, "concurrency": 4},
        {"id": "boom", "type": "test.fail", "params": {"fail_at": 5}},
        {"id": "b", "type": "test.serial_delay", "params": {"sleep_ms": 1}}],
        "edges": [["s.out", "a.in"], ["a.out", "boom.in"], ["boom.out", "b.in"]],
        "params": {"iterations": 1000, "prefetch": 4}})");
  }, {"node 'boom'", "test.fail", "batch 5", "boom"});
}

TEST_F(Execution, StopRequestEndsEarlyAndCleanly) {
  ValidatedGraph g = validated(t.registry, R"({"nodes": [{"id": "s", "type": "test.source"},
      {"id": "a", "type": "test.serial_delay", "params": {"sleep_ms": 1}}], "edges": [["s.out", "a.in"]],
      "params": {"iterations": 1000000}})");
  std::atomic<bool> stop{true};
  RunOptions o;
  o.stop_requested = &stop;
  RunResult r = run_graph(g, t.registry, o);
  EXPECT_TRUE(r.stopped);
  EXPECT_LT(r.batches, 1000000);
}

TEST_F(Execution, ProfileIsWrittenToTheOutputFolder) {
  ValidatedGraph g = validated(t.registry, R"({"nodes": [{"id": "s", "type": "test.source"},
      {"id": "a", "type": "test.serial_delay"}], "edges": [["s.out", "a.in"]], "params": {"iterations": 3}})");
  RunOptions o;
  o.out_dir = testing::temp_dir("profile");
  run_graph(g, t.registry, o);
  json p = read_json_file(o.out_dir + "/profile.json", "profile");
  EXPECT_EQ(p["nodes"]["a"]["calls"], 3);
  EXPECT_EQ(p["batches"], 3);
}

}  // namespace flowrun
