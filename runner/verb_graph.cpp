// The verb that runs a graph (validate and dot, which only read one, are in
// verb_inspect.cpp: the front end runs them without LibTorch).
#include <unistd.h>

#include <csignal>
#include <optional>
#include <filesystem>
#include <iostream>
#include <thread>

#include "core/atomic_file.h"
#include "core/cpu_count.h"
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
#include "runner/worker_launcher.h"
#include "runner/data_parallel.h"

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

// The command line each worker of `--nproc N` gets: this one without
// --nproc, with the CPU split between the workers where the graph leaves
// the thread counts to flowrun (N workers each taking every core would
// oversubscribe them).
WorkerLaunch worker_launch(const GraphArgs& a, const nlohmann::json& globals, const std::string& out,
                           const std::string& resume, int threads, bool force, int nproc) {
  WorkerLaunch w;
  w.nproc = nproc;
  w.out_dir = out;
  w.run_args = {"run", a.graph, "--out", out};
  if (!resume.empty()) w.run_args.insert(w.run_args.end(), {"--resume", resume});
  if (force) w.run_args.push_back("--force");
  const int share = std::max(1, usable_cpu_count() / nproc);
  if (threads > 0) w.run_args.insert(w.run_args.end(), {"--threads", std::to_string(threads)});
  else if (globals.value("threads", 0) == 0) w.run_args.insert(w.run_args.end(), {"--threads", std::to_string(share)});
  for (auto& s : a.sets) w.run_args.insert(w.run_args.end(), {"--set", s});
  if (globals.value("torch_threads", 0) == 0)
    w.run_args.insert(w.run_args.end(), {"--set", "params.torch_threads=" + std::to_string(share)});
  return w;
}

}  // namespace

void add_run_verb(CLI::App& app) {
  auto* sub = app.add_subcommand("run", verb_doc("run"));
  auto a = std::make_shared<GraphArgs>();
  auto out = std::make_shared<std::string>();
  auto resume = std::make_shared<std::string>();
  auto threads = std::make_shared<int>(0);
  auto force = std::make_shared<bool>(false);
  auto nproc = std::make_shared<int>(1);
  add_graph_args(sub, *a);
  sub->add_option("--out,-o", *out, "output folder (default: runs/<graph name>)");
  sub->add_option("--resume", *resume, "continue the run whose output folder is DIR (its last checkpoint)");
  sub->add_option("--threads", *threads, "oneTBB worker threads, 1-1024 (default: params.threads or the core count)")
      ->check(CLI::Range(1, 1024));
  sub->add_flag("--force", *force, "run into an output folder that holds a previous run, replacing its files");
  sub->add_option("--nproc", *nproc, "data-parallel workers on this machine (Gloo on CPU, NCCL on CUDA; "
                  "see docs/distributed.md)")->check(CLI::Range(1, 1024));
  sub->callback([a, out, resume, threads, force, nproc] {
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
    const LaunchEnv env = read_launch_env();
    if (*nproc > 1) {
      if (env.worker())
        throw InputError("--nproc " + std::to_string(*nproc) + " in a process that is already a worker (WORLD_SIZE is "
                         "set): start workers either with --nproc or with torchrun, not both");
      // On several machines only the first one's launcher checks the folder:
      // the others would find rank 0 already writing it.
      if (env.node_rank == 0) check_run_folder(*out, !resume->empty(), *force);
      launch_workers(worker_launch(*a, g.globals, *out, *resume, *threads, *force, *nproc), env);
      return;
    }
    // Rank 0 checks the folder first: a refused folder ends the run before
    // the others are waited for.
    if (env.rank == 0) check_run_folder(*out, !resume->empty(), *force);
    const DistributedRank dist = join_data_parallel(g, env);
    const bool writes = dist.rank == 0;
    std::optional<RunFolderLock> lock;
    if (writes) {
      lock.emplace(*out);
      // The graph as it runs (--set applied, defaults filled in), for
      // `flowrun report` and for whoever reruns it.
      write_file_atomically((fs::path(*out) / "graph.json").string(), format_graph(expanded_document(g)) + "\n");
    }
    // A resumed run writes the profile of its own part; earlier parts keep
    // theirs under the batch they ended at.
    if (writes && !resume->empty() && fs::exists(fs::path(*out) / "profile.json")) {
      std::error_code ec;
      fs::rename(fs::path(*out) / "profile.json",
                 fs::path(*out) / ("profile.until_batch_" + std::to_string(first_batch) + ".json"), ec);
    }
    configure_torch_threads(g.globals);
    configure_torch_backend(g.globals);
    RunOptions opt;
    opt.out_dir = writes ? *out : std::string();
    opt.run_dir = *out;
    opt.dist = dist;
    opt.first_batch = first_batch;
    opt.max_threads = *threads;
    opt.stop_requested = &g_stop;
    opt.annotate_profile = [dist](nlohmann::json& profile) {
      annotate_device_profile(profile);
      annotate_distributed_profile(dist, profile);
    };
    opt.after_open = [dist](const std::map<std::string, std::shared_ptr<Resource>>& resources) {
      make_weights_rank0s(dist, resources);
    };
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    std::signal(SIGHUP, on_stop_signal);
    const std::string who = dist.distributed() ? "flowrun: rank " + std::to_string(dist.rank) + ": " : "flowrun: ";
    std::cerr << who << "running " << g.spec.name << " (" << g.spec.nodes.size() << " nodes) -> " << *out << "\n";
    RunResult r = run_graph(g, *s.registry, opt);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    std::signal(SIGHUP, SIG_DFL);
    // Graphviz's view of the run: `dot -Tsvg OUT/graph.dot > graph.svg`.
    fs::path profile_file = fs::path(*out) / "profile.json";
    if (writes) {
      write_file_atomically((fs::path(*out) / "graph.dot").string(), graph_to_dot(g, *s.registry, r.profile));
    } else {
      // Each worker's own figures (its busy times, its waits in collectives).
      profile_file = fs::path(*out) / "ranks" / ("rank-" + std::to_string(dist.rank) + ".profile.json");
      std::error_code ec;
      fs::create_directories(profile_file.parent_path(), ec);
      try {
        write_file_atomically(profile_file.string(), r.profile.dump(2) + "\n");
      } catch (const RunError& e) {
        std::cerr << who << "warning: " << e.what() << "\n";
      }
    }
    std::cerr << who << (r.stopped ? "stopped after " : "done: ") << r.batches << " batches in "
              << r.wall_seconds << " s; profile: " << profile_file.string() << "\n";
    if (r.profile.contains("distributed")) {
      const nlohmann::json& st = r.profile["distributed"]["collectives"];
      if (st.contains("gradients"))
        std::cerr << who << "gradient all-reduce: " << st["gradients"]["bytes_per_step"].get<int64_t>() / 1048576.0
                  << " MiB/step in " << st["gradients"]["buckets"].get<int64_t>() << " buckets, "
                  << st["gradients"]["exposed_wait_seconds_per_step"].get<double>()
                  << " s/step not hidden by the backward pass\n";
    }
    for (auto& c : r.profile["chains"]) {
      const double n = std::max<int64_t>(1, c["batches"].get<int64_t>());
      std::cerr << who << "compute chain " << c["head"].get<std::string>() << " .. " << c["tail"].get<std::string>()
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
