// bench_loader: batches per second of the CPU data pipeline that feeds CoTwin
// on LA (load + rot/flip + shift crop + collate, 2 labelled + 2 unlabelled
// patches of 112x112x80), with the case cache cold (the first pass over the
// training cases) and warm (every later batch), run as a graph of the
// built-in nodes through run_graph, as training runs it.
//
// Usage: bench_loader [dataset description] [warm batches]
// Default description: graphs/datasets/la_local.json of the source tree.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "core/graph_runner.h"
#include "core/graph_spec.h"
#include "core/graph_validation.h"
#include "core/registry.h"
#include "nodes/builtin_nodes.h"
#include "lib/volume/dataset.h"

namespace {

using namespace flowrun;
using Clock = std::chrono::steady_clock;

// Records when each batch reached the end of the pipeline.
struct Arrivals {
  std::mutex mutex;
  std::map<int64_t, Clock::time_point> at;
};

class ArrivalSink : public Node {
 public:
  explicit ArrivalSink(Arrivals* a) : a_(a) {}
  void process(NodeContext&, BatchIO& io) override {
    std::lock_guard<std::mutex> lock(a_->mutex);
    a_->at[io.id()] = Clock::now();
  }

 private:
  Arrivals* a_;
};

}  // namespace

int main(int argc, char** argv) {
  const std::string description = argc > 1 ? argv[1] : FLOWRUN_SOURCE_DIR "/graphs/datasets/la_local.json";
  const int64_t warm_batches = argc > 2 ? std::atoll(argv[2]) : 30;
  std::cout << "command: " << argv[0] << " " << description << " " << warm_batches << "\n";

  // The first pass over the cases: the labelled epoch and the first
  // permutation of the unlabelled stream are both covered once it is done.
  int64_t cold_batches = 0;
  try {
    const DatasetDescription d = DatasetDescription::load(description);
    const auto lab = d.labeled_ids(), unl = d.unlabeled_ids();
    std::vector<std::string> all = lab;
    all.insert(all.end(), unl.begin(), unl.end());
    d.check_cases(all);
    cold_batches = std::max<int64_t>((int64_t(lab.size()) + 1) / 2, (int64_t(unl.size()) + 1) / 2);
    std::cout << "dataset: " << d.name << " (" << lab.size() << " labelled + " << unl.size()
              << " unlabelled training cases)\n";
  } catch (const std::exception& e) {
    std::cout << "skipped: the LA data is not available here (" << e.what() << ")\n";
    return 0;
  }

  Arrivals arrivals;
  Registry r;
  register_builtin_nodes(r);
  NodeSchema sink;
  sink.type = "bench.sink";
  sink.doc = "records batch arrival times";
  sink.inputs = {{"in", "batch", ""}};
  r.add_node(sink, [&arrivals](const NodeContext&) { return std::make_unique<ArrivalSink>(&arrivals); });

  const int64_t total = cold_batches + warm_batches;
  const nlohmann::json g = {
      {"dataset", description},
      {"params", {{"seed", 1337}, {"iterations", total}, {"device", "cpu"}, {"prefetch", 4}}},
      {"nodes",
       {{{"id", "sampler"}, {"type", "data.two_stream_sampler"}},
        {{"id", "load"}, {"type", "data.load_case"}, {"concurrency", "unlimited"}},
        {{"id", "aug"}, {"type", "data.rot_flip"}, {"concurrency", "unlimited"}},
        {{"id", "crop"}, {"type", "data.shift_crop"}, {"params", {{"patch", {112, 112, 80}}, {"sigma", 5}}},
         {"concurrency", "unlimited"}},
        {{"id", "collate"}, {"type", "data.collate"}, {"concurrency", "unlimited"}},
        {{"id", "sink"}, {"type", "bench.sink"}}}},
      {"edges", nlohmann::json::parse(R"([["sampler.out", "load.in"], ["load.out", "aug.in"], ["aug.out", "crop.in"],
                                       ["crop.out", "collate.in"], ["collate.out", "sink.in"]])")}};
  try {
    const ValidatedGraph vg = validate_graph(parse_graph(g, ""), r);
    const auto start = Clock::now();
    const RunResult res = run_graph(vg, r, RunOptions{});
    // Batches finish out of order; the cold phase ends when its last batch is in.
    Clock::time_point cold_end = start;
    for (int64_t b = 0; b < cold_batches; ++b) cold_end = std::max(cold_end, arrivals.at.at(b));
    const auto end = std::max(cold_end, arrivals.at.rbegin()->second);
    const double cold_s = std::chrono::duration<double>(cold_end - start).count();
    const double warm_s = std::chrono::duration<double>(end - cold_end).count();
    std::printf("threads: %u hardware, prefetch 4, patch 112x112x80, batch 2 labelled + 2 unlabelled\n",
                std::thread::hardware_concurrency());
    std::printf("cold cache: %lld batches in %.3f s = %.2f batches/s\n", (long long)cold_batches, cold_s,
                double(cold_batches) / cold_s);
    std::printf("warm cache: %lld batches in %.3f s = %.2f batches/s\n", (long long)warm_batches, warm_s,
                double(warm_batches) / warm_s);
    std::printf("whole run: %lld batches in %.3f s\n", (long long)res.batches, res.wall_seconds);
  } catch (const std::exception& e) {
    std::cerr << "bench_loader: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
