// The verb that runs a graph (validate and dot, which only read one, are in
// verb_inspect.cpp: the front end runs them without LibTorch).
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

#include "core/atomic_file.h"
#include "core/dot_export.h"
#include "core/error.h"
#include "core/graph_runner.h"
#include "core/graph_spec.h"
#include "runner/graph_args.h"
#include "runner/graph_print.h"
#include "runner/session.h"
#include "runner/resume.h"
#include "runner/run_folder.h"
#include "runner/torch_backend.h"
#include "runner/torch_threads.h"
#include "runner/verb_docs.h"
#include "runner/verbs.h"

namespace fs = std::filesystem;

namespace flowrun {

namespace {

std::atomic<bool> g_stop{false};

// SIGINT (Ctrl-C), SIGTERM (timeout, Slurm, Kubernetes, docker stop) and
// SIGHUP (the terminal or ssh session closed) end a run alike: the first finishes the batches in flight and closes the nodes,
// so the checkpoint node writes last.pt and the profile is written; a second
// one quits at once and says what that loses. Only async-signal-safe calls.
extern "C" void on_stop_signal(int sig) {
  if (!g_stop.exchange(true)) {
    static const char first[] =
        "\nflowrun: stopping after the batches in flight, then saving (signal again to quit at once)\n";
    (void)!::write(STDERR_FILENO, first, sizeof first - 1);
    return;
  }
  static const char second[] =
      "\nflowrun: quitting at once: the batches in flight, the final checkpoint and profile.json of this run are "
      "lost; the last periodic checkpoint stays\n";
  (void)!::write(STDERR_FILENO, second, sizeof second - 1);
  ::_exit(128 + sig);
}

}  // namespace

void add_run_verb(CLI::App& app) {
  auto* sub = app.add_subcommand("run", verb_doc("run"));
  auto a = std::make_shared<GraphArgs>();
  auto out = std::make_shared<std::string>();
  auto resume = std::make_shared<std::string>();
  auto threads = std::make_shared<int>(0);
  auto force = std::make_shared<bool>(false);
  add_graph_args(sub, *a);
  sub->add_option("--out,-o", *out, "output folder (default: runs/<graph name>)");
  sub->add_option("--resume", *resume, "continue the run whose output folder is DIR (its last checkpoint)");
  sub->add_option("--threads", *threads, "oneTBB worker threads, 1-1024 (default: params.threads or the core count)")
      ->check(CLI::Range(1, 1024));
  sub->add_flag("--force", *force, "run into an output folder that holds a previous run, replacing its files");
  sub->callback([a, out, resume, threads, force] {
    Session s;
    std::vector<std::string> sets = a->sets;
    int64_t first_batch = 0;
    if (!resume->empty()) {
      first_batch = resume_point(*resume, sets);
      if (out->empty()) *out = *resume;
    }
    ValidatedGraph g = s.load(a->graph, sets);
    const int64_t iterations = g.globals.value("iterations", int64_t{0});
    if (first_batch > 0 && iterations > 0 && first_batch > iterations)
      throw InputError("--resume " + *resume + ": its checkpoint is at iteration " + std::to_string(first_batch - 1) +
                       ", beyond this graph's params.iterations = " + std::to_string(iterations) +
                       " (raise it with --set params.iterations=N to train on)");
    if (out->empty()) *out = (fs::path("runs") / g.spec.name).string();
    check_run_folder(*out, !resume->empty(), *force);
    const RunFolderLock lock(*out);
    // The graph as it runs (--set applied, defaults filled in), for
    // `flowrun report` and for whoever reruns it.
    write_file_atomically((fs::path(*out) / "graph.json").string(), format_graph(expanded_document(g)) + "\n");
    // A resumed run writes the profile of its own part; earlier parts keep
    // theirs under the batch they ended at.
    if (!resume->empty() && fs::exists(fs::path(*out) / "profile.json")) {
      std::error_code ec;
      fs::rename(fs::path(*out) / "profile.json",
                 fs::path(*out) / ("profile.until_batch_" + std::to_string(first_batch) + ".json"), ec);
    }
    configure_torch_threads(g.globals);
    configure_torch_backend(g.globals);
    RunOptions opt;
    opt.out_dir = *out;
    opt.first_batch = first_batch;
    opt.max_threads = *threads;
    opt.stop_requested = &g_stop;
    opt.annotate_profile = annotate_device_profile;
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    std::signal(SIGHUP, on_stop_signal);
    std::cerr << "flowrun: running " << g.spec.name << " (" << g.spec.nodes.size() << " nodes) -> " << *out << "\n";
    RunResult r = run_graph(g, *s.registry, opt);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    std::signal(SIGHUP, SIG_DFL);
    // Graphviz's view of the run: `dot -Tsvg OUT/graph.dot > graph.svg`.
    write_file_atomically((fs::path(*out) / "graph.dot").string(), graph_to_dot(g, *s.registry, r.profile));
    std::cerr << "flowrun: " << (r.stopped ? "stopped after " : "done: ") << r.batches << " batches in "
              << r.wall_seconds << " s; profile: " << (fs::path(*out) / "profile.json").string() << "\n";
    for (auto& c : r.profile["chains"]) {
      const double n = std::max<int64_t>(1, c["batches"].get<int64_t>());
      std::cerr << "flowrun: compute chain " << c["head"].get<std::string>() << " .. " << c["tail"].get<std::string>()
                << ": busy " << c["busy_seconds"].get<double>() / n << " s/batch, waited for data "
                << c["starved_seconds"].get<double>() / n << " s/batch ("
                << c["starved_percent_of_busy"].get<double>() << " % of busy)\n";
    }
    if (r.profile.contains("cuda_memory"))
      std::cerr << "flowrun: peak GPU memory " << r.profile["cuda_memory"]["peak_allocated_bytes"].get<int64_t>() / 1048576
                << " MiB allocated, " << r.profile["cuda_memory"]["peak_reserved_bytes"].get<int64_t>() / 1048576
                << " MiB reserved by the caching allocator\n";
    if (r.stopped) throw RunError("interrupted after " + std::to_string(r.batches) + " batches (state saved in " + *out + ")");
  });
}

}  // namespace flowrun
