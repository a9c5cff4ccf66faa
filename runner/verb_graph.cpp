// Verbs that read a graph: run, validate, dot.
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "core/dot_export.h"
#include "core/error.h"
#include "core/graph_runner.h"
#include "core/graph_spec.h"
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

struct GraphArgs {
  std::string graph;
  std::vector<std::string> sets;
};

void add_graph_args(CLI::App* sub, GraphArgs& a) {
  sub->add_option("graph", a.graph, "graph JSON file")->required();
  sub->add_option("--set", a.sets,
                  "override a value: PATH=VALUE, e.g. nodes.crop.sigma=2, params.iterations=100, "
                  "resources.net1.init=xavier (repeatable; see docs/graphs.md)");
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

void add_validate_verb(CLI::App& app) {
  auto* sub = app.add_subcommand("validate", verb_doc("validate"));
  auto a = std::make_shared<GraphArgs>();
  auto print = std::make_shared<bool>(false);
  auto no_files = std::make_shared<bool>(false);
  add_graph_args(sub, *a);
  sub->add_flag("--no-file-check", *no_files,
                "skip checking that every image and label file the graph reads exists (faster on large datasets)");
  sub->add_flag("--print", *print,
                "print the graph as it runs: version 2 expanded (extends, chain), --set applied, every parameter "
                "with its default filled in");
  sub->callback([a, print, no_files] {
    Session s;
    ValidatedGraph g = s.load(a->graph, a->sets, /*generate_dataset=*/false, /*check_files=*/!*no_files);
    if (*print) {
      std::cout << format_graph(expanded_document(g)) << "\n";
      return;
    }
    std::cout << g.spec.file << ": ok (" << g.spec.nodes.size() << " nodes, " << g.spec.edges.size() << " edges, "
              << g.spec.resources.size() << " resources";
    if (!g.spec.plugins.empty()) {
      std::cout << "; plugins:";
      for (auto& p : g.spec.plugins) std::cout << " " << p;
    }
    std::cout << ")\n";
    if (!s.pending_dataset.empty())
      std::cout << "note: dataset " << s.pending_dataset << " does not exist yet; `flowrun run` generates it\n";
  });
}

void add_dot_verb(CLI::App& app) {
  auto* sub = app.add_subcommand("dot", verb_doc("dot"));
  auto a = std::make_shared<GraphArgs>();
  auto profile = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  add_graph_args(sub, *a);
  sub->add_option("--profile", *profile, "profile.json of a run: annotate nodes with calls and busy time");
  sub->add_option("--output,-o", *output, "write to FILE instead of standard output");
  sub->callback([a, profile, output] {
    Session s;
    ValidatedGraph g = s.load(a->graph, a->sets, /*generate_dataset=*/false);
    nlohmann::json prof;
    if (!profile->empty()) {
      prof = read_json_file(*profile, "profile");
      if (!prof.is_object() || !prof.contains("nodes") || !prof["nodes"].is_object())
        throw InputError(*profile + ": not a flowrun profile (expected an object with \"nodes\")");
    }
    std::string dot;
    try {
      dot = graph_to_dot(g, *s.registry, prof);
    } catch (const nlohmann::json::exception& e) {
      // A profile.json edited by hand or from another version.
      throw InputError(*profile + ": not a flowrun profile: a value has the wrong type or is missing (" +
                       std::string(e.what()).substr(0, 160) + ")");
    }
    if (output->empty()) {
      std::cout << dot;
    } else {
      std::ofstream f(*output);
      if (!(f << dot)) throw RunError("cannot write " + *output);
    }
  });
}

}  // namespace flowrun
