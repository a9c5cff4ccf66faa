// `flowrun sweep GRAPH --vary PATH=V1,V2 [--vary ...] [--seeds N]`: trains
// every grid point with every seed, one `flowrun-torch run` at a time, each
// in its own run folder under the sweep folder; a point whose summary.json
// exists is not rerun, one cut short is resumed from its last checkpoint.
// Then sweep.csv, a table of mean ± sd over seeds, and report.html. No
// LibTorch here: the front end runs it and spawns the trainings.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/graph_spec.h"
#include "runner/cli_main.h"
#include "runner/report_page.h"
#include "runner/sweep_plan.h"
#include "runner/torch_process.h"
#include "runner/verb_docs.h"
#include "runner/verbs.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace flowrun {

namespace {

constexpr const char* kMetrics[] = {"dice", "jaccard", "hd95", "asd"};

std::atomic<bool> g_interrupted{false};
extern "C" void on_sweep_signal(int) { g_interrupted = true; }

// Test means of a finished run: {"dice": ..., ...}, or null.
json run_result(const fs::path& folder) {
  std::error_code ec;
  if (!fs::exists(folder / "summary.json", ec)) return nullptr;
  try {
    const json s = read_json_file((folder / "summary.json").string(), "summary");
    if (s.contains("test") && s["test"].contains("mean")) return s["test"]["mean"];
  } catch (const std::exception&) {
  }
  return nullptr;
}

// A value as one CSV field: quoted, inner quotes doubled (values may hold commas).
std::string csv_field(const std::string& v) {
  std::string q = "\"";
  for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string mean_sd(const std::vector<double>& v, int digits) {
  if (v.empty()) return "–";
  double m = 0, q = 0;
  for (double x : v) m += x;
  m /= double(v.size());
  for (double x : v) q += (x - m) * (x - m);
  std::ostringstream o;
  o << std::fixed << std::setprecision(digits) << m;
  if (v.size() > 1) o << " ± " << std::sqrt(q / double(v.size() - 1));
  return o.str();
}

// Left-aligned in `width` terminal columns: setw counts bytes, and "±" is two.
std::string padded(const std::string& s, size_t width) {
  size_t columns = 0;
  for (unsigned char c : s) columns += (c & 0xC0) != 0x80;  // UTF-8 continuation bytes take no column
  return s + std::string(width > columns ? width - columns : 0, ' ');
}

struct SweepArgs {
  std::string graph, out;
  std::vector<std::string> vary, sets;
  int seeds = 1;
  bool dry_run = false;
};

void run_sweep(const SweepArgs& a) {
  std::vector<SweepAxis> axes;
  for (auto& v : a.vary) axes.push_back(parse_sweep_axis(v));
  const std::vector<SweepRun> plan = plan_sweep(axes, a.seeds);
  std::error_code ec;
  if (!fs::is_regular_file(a.graph, ec)) throw InputError(a.graph + ": no such graph file");
  const std::string out = a.out.empty() ? (fs::path("runs") / (fs::path(a.graph).stem().string() + "-sweep")).string()
                                        : a.out;
  std::cout << "sweep: " << plan.size() << " runs (" << plan.size() / size_t(a.seeds) << " points x " << a.seeds
            << " seeds) of " << a.graph << " in " << out << "\n";
  if (a.dry_run) {
    for (auto& r : plan) {
      std::cout << "  " << r.folder << ":";
      for (auto& s : r.sets) std::cout << " --set " << s;
      std::cout << "\n";
    }
    return;
  }
  fs::create_directories(fs::path(out) / "logs");
  std::signal(SIGINT, on_sweep_signal);
  std::signal(SIGTERM, on_sweep_signal);
  size_t failed = 0, i = 0;
  for (const SweepRun& r : plan) {
    ++i;
    if (g_interrupted) break;
    const fs::path folder = fs::path(out) / r.folder;
    const std::string tag = "sweep: [" + std::to_string(i) + "/" + std::to_string(plan.size()) + "] " + r.folder;
    if (!run_result(folder).is_null()) {
      std::cout << tag << ": done before, kept\n";
      continue;
    }
    std::vector<std::string> args = {"run", r.graph.empty() ? a.graph : r.graph, "--out", folder.string()};
    for (auto& s : a.sets) args.insert(args.end(), {"--set", s});
    for (auto& s : r.sets) args.insert(args.end(), {"--set", s});
    if (fs::exists(folder / "checkpoints" / "last.pt", ec)) args.insert(args.end(), {"--resume", folder.string()});
    else if (fs::exists(folder, ec)) args.push_back("--force");  // started, nothing to resume from
    const std::string log = (fs::path(out) / "logs" / (r.point + "_seed-" + std::to_string(r.seed) + ".log")).string();
    std::cout << tag << ": training (log " << log << ")" << std::endl;
    const auto t0 = std::chrono::steady_clock::now();
    const int rc = run_flowrun_torch(args, log);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const json res = run_result(folder);
    if (rc != 0 || res.is_null()) {
      ++failed;
      std::cout << tag << ": FAILED (exit " << rc << ", " << std::fixed << std::setprecision(0) << secs
                << " s); see " << log << std::endl;
      if (rc == 2) throw InputError("the graph with " + r.folder + "'s values is invalid: see " + log);
      continue;
    }
    std::cout << tag << ": " << std::fixed << std::setprecision(0) << secs << " s, test Dice " << std::setprecision(4)
              << res.value("dice", NAN) << std::endl;
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);

  // Results of every run that finished, now or before.
  std::ostringstream csv;
  json sweep = {{"graph", a.graph}, {"axes", json::array()}, {"seeds", a.seeds}, {"common_sets", a.sets},
                {"points", json::array()}};
  for (auto& ax : axes) sweep["axes"].push_back({{"path", ax.path}, {"values", ax.values}});
  for (auto& ax : axes) csv << ax.path << ",";
  csv << "seed,dice,jaccard,hd95,asd,folder\n";
  std::cout << "\n";
  std::vector<int> width;
  for (auto& ax : axes) {
    size_t w = ax.path.size();
    for (auto& v : ax.values) w = std::max(w, v.size());
    width.push_back(int(w) + 2);
  }
  for (size_t k = 0; k < axes.size(); ++k) std::cout << std::left << std::setw(width[k]) << axes[k].path;
  std::cout << std::setw(6) << "runs";
  for (const char* m : kMetrics) std::cout << std::setw(22) << m;
  std::cout << "\n";
  for (size_t p = 0; p < plan.size(); p += size_t(a.seeds)) {
    json point = {{"values", plan[p].values}, {"folder", plan[p].point}, {"runs", json::array()}};
    std::map<std::string, std::vector<double>> per;
    for (int s = 0; s < a.seeds; ++s) {
      const SweepRun& r = plan[p + size_t(s)];
      const json res = run_result(fs::path(out) / r.folder);
      for (auto& v : r.values) csv << csv_field(v) << ",";
      csv << r.seed;
      for (const char* m : kMetrics) {
        csv << ",";
        if (res.is_object() && res.contains(m) && res[m].is_number()) {
          csv << std::setprecision(10) << res[m].get<double>();
          per[m].push_back(res[m].get<double>());
        }
      }
      csv << "," << r.folder << "\n";
      point["runs"].push_back({{"seed", r.seed}, {"test", res}});
    }
    for (size_t k = 0; k < axes.size(); ++k) std::cout << std::left << std::setw(width[k]) << plan[p].values[k];
    std::cout << std::setw(6) << per["dice"].size();
    for (const char* m : kMetrics) {
      const bool overlap = std::string(m) == "dice" || std::string(m) == "jaccard";
      std::cout << padded(mean_sd(per[m], overlap ? 4 : 2), 22);
    }
    std::cout << "\n";
    sweep["points"].push_back(std::move(point));
  }
  write_file_atomically((fs::path(out) / "sweep.csv").string(), csv.str());
  write_file_atomically((fs::path(out) / "sweep.json").string(), sweep.dump(2) + "\n");
  const json page = {{"title", "flowrun sweep: " + fs::path(a.graph).stem().string()},
                     {"version", version_text()}, {"generated", now_text()}, {"runs", json::array()}, {"sweep", sweep}};
  write_file_atomically((fs::path(out) / "report.html").string(), report_html(page));
  std::cout << "\nsweep: " << (fs::path(out) / "sweep.csv").string() << ", " << (fs::path(out) / "report.html").string()
            << "\n";
  if (g_interrupted) throw RunError("interrupted; run the same command again to continue the sweep");
  if (failed) throw RunError(std::to_string(failed) + " of " + std::to_string(plan.size()) + " runs failed (logs in " +
                             (fs::path(out) / "logs").string() + "); rerunning the command retries only those");
}

}  // namespace

void add_sweep_verb(CLI::App& app) {
  auto* sub = app.add_subcommand("sweep", verb_doc("sweep"));
  auto a = std::make_shared<SweepArgs>();
  sub->add_option("graph", a->graph, "graph JSON file")->required();
  sub->add_option("--vary", a->vary, "PATH=V1,V2,...: values of one override to try (repeatable: the grid of all)")
      ->required();
  sub->add_option("--seeds", a->seeds, "seeds per grid point (params.seed = 1..N)")->check(CLI::Range(1, 100));
  sub->add_option("--set", a->sets, "an override every run gets (repeatable), as for `flowrun run`");
  sub->add_option("--out", a->out, "the sweep folder (default runs/<graph>-sweep)");
  sub->add_flag("--dry-run", a->dry_run, "print the runs and their overrides, run nothing");
  sub->callback([a] { run_sweep(*a); });
}

}  // namespace flowrun
