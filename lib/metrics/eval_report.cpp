// Summary JSON, per-case CSV and terminal table of an evaluation.
#include "lib/metrics/eval_report.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "core/atomic_file.h"
#include "core/error.h"

namespace fs = std::filesystem;

namespace flowrun {

namespace {

// JSON has no NaN: a summary over zero cases writes null instead of failing.
nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json stats(const MetricsSummary& s, bool mean) {
  auto pick = [&](const MetricStats& m) { return number(mean ? m.mean : m.std); };
  return {{"dice", pick(s.dice)}, {"jaccard", pick(s.jaccard)}, {"hd95", pick(s.hd95)}, {"asd", pick(s.asd)}};
}

nlohmann::json metrics_json(const CaseMetrics& m) {
  return {{"dice", number(m.dice)}, {"jaccard", number(m.jaccard)}, {"hd95", number(m.hd95)}, {"asd", number(m.asd)},
          {"empty", m.empty}};
}

std::string fixed(const nlohmann::json& v, int digits, double scale = 1.0) {
  if (!v.is_number()) return "-";
  std::ostringstream o;
  o << std::fixed << std::setprecision(digits) << v.get<double>() * scale;
  return o.str();
}

}  // namespace

nlohmann::json result_json(const EvalResult& r) {
  nlohmann::json per_case = nlohmann::json::array();
  nlohmann::json empty_ids = nlohmann::json::array();
  for (const auto& c : r.cases) {
    nlohmann::json row = metrics_json(c.metrics);
    row["case"] = c.id;
    row["seconds"] = c.seconds;
    if (!c.prediction_file.empty()) row["prediction"] = c.prediction_file;
    for (size_t k = 0; k < c.per_class.size() && k < r.classes.size(); ++k)
      row["per_class"][r.classes[k].name] = metrics_json(c.per_class[k]);
    per_case.push_back(std::move(row));
    if (c.metrics.empty) empty_ids.push_back(c.id);
  }
  nlohmann::json out = {{"split", r.split},
                        {"units", r.units},
                        {"mean", stats(r.summary, true)},
                        {"std", stats(r.summary, false)},
                        {"cases", r.summary.cases},
                        {"empty_cases", r.summary.empty_cases},
                        {"empty_case_ids", empty_ids},
                        {"per_case", per_case}};
  if (!r.classes.empty()) {
    out["classes"] = nlohmann::json::array();
    for (size_t k = 0; k < r.classes.size() && k < r.class_summary.size(); ++k)
      out["classes"].push_back({{"label", r.classes[k].label},
                                {"name", r.classes[k].name},
                                {"mean", stats(r.class_summary[k], true)},
                                {"std", stats(r.class_summary[k], false)}});
  }
  return out;
}

void write_metrics_csv(const EvalResult& r, const std::string& path) {
  const fs::path p(path);
  if (p.has_parent_path()) fs::create_directories(p.parent_path());
  std::ofstream f(path);
  f << std::setprecision(10);
  f << "case,dice,jaccard,hd95,asd,empty,seconds";
  for (const ClassInfo& k : r.classes)
    f << ",dice_" << k.name << ",jaccard_" << k.name << ",hd95_" << k.name << ",asd_" << k.name;
  f << '\n';
  for (const auto& c : r.cases) {
    f << c.id << ',' << c.metrics.dice << ',' << c.metrics.jaccard << ',' << c.metrics.hd95 << ',' << c.metrics.asd
      << ',' << (c.metrics.empty ? 1 : 0) << ',' << c.seconds;
    for (const CaseMetrics& m : c.per_class) f << ',' << m.dice << ',' << m.jaccard << ',' << m.hd95 << ',' << m.asd;
    f << '\n';
  }
  if (!f.flush()) throw RunError("cannot write " + path);
}

void write_json_file(const nlohmann::json& doc, const std::string& path) {
  write_file_atomically(path, doc.dump(2) + "\n");
}

std::string result_table(const nlohmann::json& r) {
  std::ostringstream o;
  const std::string units = r.value("units", std::string("voxel"));
  size_t width = 4;
  for (const auto& row : r.at("per_case")) width = std::max(width, row.at("case").get<std::string>().size());
  auto line = [&](const std::string& name, const nlohmann::json& m, const std::string& tail) {
    o << std::left << std::setw(static_cast<int>(width)) << name << std::right << std::setw(9)
      << fixed(m.at("dice"), 2, 100.0) << std::setw(9) << fixed(m.at("jaccard"), 2, 100.0) << std::setw(9)
      << fixed(m.at("hd95"), 2) << std::setw(9) << fixed(m.at("asd"), 2) << tail << '\n';
  };
  o << std::left << std::setw(static_cast<int>(width)) << "case" << std::right << std::setw(9) << "Dice%"
    << std::setw(9) << "Jacc%" << std::setw(9) << "HD95" << std::setw(9) << "ASD" << "   (distances in " << units
    << ")\n";
  for (const auto& row : r.at("per_case"))
    line(row.at("case").get<std::string>(), row, row.value("empty", false) ? "  empty prediction" : "");
  line("mean", r.at("mean"), r.contains("classes") ? "  (mean over the classes)" : "");
  line("std", r.at("std"), "");
  if (r.contains("classes"))
    for (const auto& k : r.at("classes")) {
      line(k.at("name").get<std::string>(), k.at("mean"), "  (class " + std::to_string(k.at("label").get<int>()) + ", mean)");
      line("", k.at("std"), "  (std)");
    }
  o << r.at("cases").get<int64_t>() << " cases";
  if (r.at("empty_cases").get<int64_t>() > 0)
    o << ", " << r.at("empty_cases").get<int64_t>() << " with an empty prediction or reference (HD95/ASD reported 0)";
  o << '\n';
  return o.str();
}

}  // namespace flowrun
