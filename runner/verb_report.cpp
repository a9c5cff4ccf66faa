// `flowrun report RUN [RUN...]`: one self-contained report.html from run
// folders (log.jsonl, profile.json, summary.json, graph.json, predictions/).
// No LibTorch: the front end runs it.
#include <algorithm>
#include <filesystem>
#include <functional>
#include <fstream>
#include <iostream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/graph_spec.h"
#include "lib/volume/dataset.h"
#include "lib/volume/volume_io.h"
#include "runner/cli_main.h"
#include "runner/report_page.h"
#include "runner/report_panels.h"
#include "runner/torch_process.h"
#include "runner/verb_docs.h"
#include "runner/verbs.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace flowrun {

namespace {

// A long run logs tens of thousands of lines; the curves need a few
// thousand points. Validation lines and the last line are always kept.
constexpr size_t kMaxLogPoints = 3000;

json read_log(const fs::path& file, std::vector<std::string>& notes) {
  std::ifstream in(file);
  json lines = json::array();
  if (!in) return lines;
  std::string line;
  size_t bad = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_object()) lines.push_back(std::move(j));
    else ++bad;
  }
  if (bad) notes.push_back(file.string() + ": " + std::to_string(bad) + " line(s) are not JSON objects and were skipped");
  if (lines.size() <= kMaxLogPoints) return lines;
  const size_t stride = (lines.size() + kMaxLogPoints - 1) / kMaxLogPoints;
  json kept = json::array();
  for (size_t i = 0; i < lines.size(); ++i)
    if (i % stride == 0 || i + 1 == lines.size() || lines[i].contains("val")) kept.push_back(lines[i]);
  notes.push_back("curves show every " + std::to_string(stride) + "th of " + std::to_string(lines.size()) +
                  " logged iterations (and every validation)");
  return kept;
}

// A JSON file of the run, or null (noted) when absent or unreadable: one bad
// file must not cost the rest of the report.
json read_optional(const fs::path& file, std::vector<std::string>& notes) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return nullptr;
  try {
    return read_json_file(file.string(), file.filename().string());
  } catch (const std::exception& e) {
    notes.push_back(std::string("skipped: ") + e.what());
    return nullptr;
  }
}

// The checkpoints whose segmentations the report shows with --checkpoints:
// iter_N.pt in iteration order (keep_every), then last.pt.
std::vector<std::pair<std::string, fs::path>> kept_checkpoints(const fs::path& run) {
  std::vector<std::pair<long, fs::path>> iters;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(run / "checkpoints", ec)) {
    const std::string f = e.path().filename().string();
    if (f.rfind("iter_", 0) != 0 || e.path().extension() != ".pt") continue;
    try {
      iters.emplace_back(std::stol(f.substr(5, f.size() - 8)), e.path());
    } catch (const std::exception&) {
    }
  }
  std::sort(iters.begin(), iters.end());
  std::vector<std::pair<std::string, fs::path>> out;
  for (auto& [n, p] : iters) out.emplace_back("iteration " + std::to_string(n), p);
  if (fs::exists(run / "checkpoints" / "last.pt", ec)) out.emplace_back("last.pt", run / "checkpoints" / "last.pt");
  return out;
}

// Panels for the first `max_cases` scored test cases: the masks the run saved
// (predictions/), or with `checkpoints` each kept checkpoint's segmentation,
// made by `flowrun-torch infer` (the training graph's window and
// normalisation) and cached in RUN/report_cache/<checkpoint>/<case>.nii.gz.
json case_panels(const fs::path& run, const json& summary, int max_cases, bool checkpoints,
                 std::vector<std::string>& notes) {
  json panels = json::array();
  std::error_code ec;
  if (max_cases <= 0 || !summary.is_object() || !summary.contains("dataset") || !summary.contains("test")) return panels;
  std::vector<std::pair<std::string, std::function<fs::path(const std::string&, const std::vector<std::string>&)>>>
      sources;
  if (checkpoints) {
    for (const auto& [label, file] : kept_checkpoints(run)) {
      const fs::path cache = run / "report_cache" / file.stem();
      sources.emplace_back(label, [cache, file](const std::string& id, const std::vector<std::string>& images) {
        const fs::path mask = cache / (id + ".nii.gz");
        std::error_code e;
        if (fs::exists(mask, e)) return mask;
        fs::create_directories(cache);
        std::vector<std::string> args = {"infer", "--checkpoint", file.string()};
        args.insert(args.end(), images.begin(), images.end());
        args.insert(args.end(), {"-o", mask.string()});
        const std::string log = (cache / (id + ".log")).string();
        std::cerr << "flowrun: report: segmenting " << id << " with " << file.string() << "\n";
        if (run_flowrun_torch(args, log) != 0) throw RunError("flowrun infer failed on " + id + " (see " + log + ")");
        return mask;
      });
    }
    if (sources.empty()) notes.push_back("--checkpoints: no iter_N.pt or last.pt in " + (run / "checkpoints").string());
  } else if (fs::is_directory(run / "predictions", ec)) {
    sources.emplace_back("", [run](const std::string& id, const std::vector<std::string>&) {
      return run / "predictions" / (id + ".nii.gz");
    });
  }
  if (sources.empty()) return panels;
  try {
    const DatasetDescription ds = DatasetDescription::load(summary["dataset"].get<std::string>());
    int done = 0;
    for (const json& c : summary["test"]["per_case"]) {
      if (done >= max_cases) break;
      const std::string id = c.at("case").get<std::string>();
      const Case k = ds.load_case(id, /*with_label=*/true);
      bool any = false;
      for (const auto& [label, mask_of] : sources) {
        const fs::path mask = mask_of(id, ds.image_paths(id));
        if (!fs::exists(mask, ec)) continue;
        const LabelVolume pred = read_label(mask.string());
        for (const SlicePanel& p : slice_panels(k.channels.at(0), *k.label, pred, mask.string()))
          panels.push_back({{"case", id}, {"view", p.view}, {"checkpoint", label}, {"png", p.png_base64}});
        any = true;
      }
      done += any;
    }
  } catch (const std::exception& e) {
    notes.push_back(std::string("no segmentation panels: ") + e.what());
  }
  return panels;
}

}  // namespace

void add_report_verb(CLI::App& app) {
  auto* sub = app.add_subcommand("report", verb_doc("report"));
  auto runs = std::make_shared<std::vector<std::string>>();
  auto output = std::make_shared<std::string>();
  auto title = std::make_shared<std::string>();
  auto cases = std::make_shared<int>(3);
  auto checkpoints = std::make_shared<bool>(false);
  sub->add_option("runs", *runs, "run folders (several: curves overlaid, metrics side by side)")->required();
  sub->add_option("--output,-o", *output, "the HTML file to write (default: report.html in the first run folder)");
  sub->add_option("--title", *title, "the page's title (default: the run folders' names)");
  sub->add_option("--cases", *cases, "segmentation panels for the first N test cases with saved masks (0: none)")
      ->check(CLI::Range(0, 100));
  sub->add_flag("--checkpoints", *checkpoints,
                "panels from every kept checkpoint (iter_N.pt of keep_every, and last.pt), segmented with "
                "flowrun-torch infer and cached in RUN/report_cache/ (Fig. 2 of the paper)");
  sub->callback([runs, output, title, cases, checkpoints] {
    json data = {{"runs", json::array()}, {"generated", now_text()}, {"version", version_text()}};
    std::string names;
    for (const std::string& r : *runs) {
      const fs::path run(r);
      std::error_code ec;
      if (!fs::is_directory(run, ec)) throw InputError(r + ": no such run folder");
      if (!fs::exists(run / "log.jsonl", ec) && !fs::exists(run / "summary.json", ec) &&
          !fs::exists(run / "profile.json", ec))
        throw InputError(r + ": not a flowrun run folder (no log.jsonl, summary.json or profile.json)");
      std::vector<std::string> notes;
      json entry = {{"folder", r}, {"name", fs::absolute(run).lexically_normal().filename().string()}};
      if (entry["name"].get<std::string>().empty()) entry["name"] = fs::absolute(run).parent_path().filename().string();
      entry["log"] = read_log(run / "log.jsonl", notes);
      entry["profile"] = read_optional(run / "profile.json", notes);
      entry["summary"] = read_optional(run / "summary.json", notes);
      entry["graph"] = read_optional(run / "graph.json", notes);
      entry["panels"] = case_panels(run, entry["summary"], *cases, *checkpoints, notes);
      entry["notes"] = notes;
      for (auto& n : notes) std::cerr << "flowrun: note: " << r << ": " << n << "\n";
      names += (names.empty() ? "" : " vs ") + entry["name"].get<std::string>();
      data["runs"].push_back(std::move(entry));
    }
    data["title"] = title->empty() ? "flowrun report: " + names : *title;
    const std::string file = output->empty() ? (fs::path(runs->front()) / "report.html").string() : *output;
    write_file_atomically(file, report_html(data));
    std::cout << file << "\n";
  });
}

}  // namespace flowrun
