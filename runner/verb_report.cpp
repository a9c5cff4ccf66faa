// `flowrun report RUN [RUN...]`: one self-contained report.html from run
// folders (log.jsonl, profile.json, summary.json, graph.json, predictions/).
// No LibTorch: the front end runs it.
#include <filesystem>
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

// Panels for the first `max_cases` scored cases whose mask the run saved.
json case_panels(const fs::path& run, const json& summary, int max_cases, std::vector<std::string>& notes) {
  json panels = json::array();
  const fs::path dir = run / "predictions";
  std::error_code ec;
  if (max_cases <= 0 || !fs::is_directory(dir, ec) || !summary.is_object() || !summary.contains("dataset")) return panels;
  try {
    const DatasetDescription ds = DatasetDescription::load(summary["dataset"].get<std::string>());
    int done = 0;
    for (const json& c : summary["test"]["per_case"]) {
      if (done >= max_cases) break;
      const std::string id = c.at("case").get<std::string>();
      const fs::path mask = dir / (id + ".nii.gz");
      if (!fs::exists(mask, ec)) continue;
      const Case k = ds.load_case(id, /*with_label=*/true);
      const LabelVolume pred = read_label(mask.string());
      for (const SlicePanel& p : slice_panels(k.channels.at(0), *k.label, pred, mask.string()))
        panels.push_back({{"case", id}, {"view", p.view}, {"png", p.png_base64}});
      ++done;
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
  sub->add_option("runs", *runs, "run folders (several: curves overlaid, metrics side by side)")->required();
  sub->add_option("--output,-o", *output, "the HTML file to write (default: report.html in the first run folder)");
  sub->add_option("--title", *title, "the page's title (default: the run folders' names)");
  sub->add_option("--cases", *cases, "segmentation panels for the first N test cases with saved masks (0: none)")
      ->check(CLI::Range(0, 100));
  sub->callback([runs, output, title, cases] {
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
      entry["panels"] = case_panels(run, entry["summary"], *cases, notes);
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
