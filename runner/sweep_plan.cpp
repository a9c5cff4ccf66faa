// The sweep's grid and folder names.
#include "runner/sweep_plan.h"

#include <cctype>
#include <set>

#include "core/error.h"

namespace flowrun {

namespace {

// A folder-name piece: the path's last part and the value, anything but
// letters, digits, '.', '-' and '_' replaced, so no name leaves the sweep
// folder.
std::string name_part(const std::string& paths, const std::string& value) {
  const std::string path = paths.substr(0, paths.find('+'));
  const std::string key = path.substr(path.rfind('.') == std::string::npos ? 0 : path.rfind('.') + 1);
  std::string s = key + "-" + value;
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  if (s.size() > 60) s.resize(60);
  return s;
}

}  // namespace

SweepAxis parse_sweep_axis(const std::string& arg) {
  const size_t eq = arg.find('=');
  if (eq == std::string::npos || eq == 0 || arg.find("++") < eq || arg[0] == '+' || arg[eq - 1] == '+')
    throw InputError("--vary '" + arg + "': expected PATH=V1,V2,... (e.g. nodes.crop.sigma=2,5,10)");
  SweepAxis axis{arg.substr(0, eq), {}};
  const std::string list = arg.substr(eq + 1);
  std::string cur;
  int depth = 0;
  bool quoted = false;
  for (size_t i = 0; i <= list.size(); ++i) {
    const char c = i < list.size() ? list[i] : ',';
    if (c == '"' && (i == 0 || list[i - 1] != '\\')) quoted = !quoted;
    if (!quoted && (c == '[' || c == '{')) ++depth;
    if (!quoted && (c == ']' || c == '}')) --depth;
    if (c == ',' && depth == 0 && !quoted) {
      if (cur.empty()) throw InputError("--vary '" + arg + "': an empty value");
      axis.values.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (depth != 0 || quoted) throw InputError("--vary '" + arg + "': unbalanced brackets or quotes");
  if (axis.path != "graph" && (axis.path.rfind("graph+", 0) == 0 || axis.path.find("+graph") != std::string::npos))
    throw InputError("--vary '" + arg + "': graph varies alone (it is the file, not an override)");
  std::set<std::string> seen;
  for (auto& v : axis.values)
    if (!seen.insert(v).second) throw InputError("--vary '" + arg + "': value " + v + " is listed twice");
  return axis;
}

std::vector<SweepRun> plan_sweep(const std::vector<SweepAxis>& axes, int n_seeds) {
  if (n_seeds < 1) throw InputError("--seeds must be at least 1");
  std::set<std::string> paths;
  for (auto& a : axes)
    if (!paths.insert(a.path).second) throw InputError("--vary: '" + a.path + "' is varied twice");
  if (axes.empty()) throw InputError("flowrun sweep needs at least one --vary PATH=V1,V2,...");
  std::vector<SweepRun> runs;
  std::set<std::string> points;
  std::vector<size_t> at(axes.size(), 0);
  while (true) {
    SweepRun base;
    for (size_t a = 0; a < axes.size(); ++a) {
      const std::string& v = axes[a].values[at[a]];
      base.values.push_back(v);
      base.point += (a ? "_" : "") + name_part(axes[a].path, v);
      if (axes[a].path == "graph") {
        base.graph = v;
        continue;
      }
      for (size_t from = 0;;) {
        const size_t plus = axes[a].path.find('+', from);
        base.sets.push_back(axes[a].path.substr(from, plus - from) + "=" + v);
        if (plus == std::string::npos) break;
        from = plus + 1;
      }
    }
    if (!points.insert(base.point).second)
      throw InputError("--vary: two grid points would share the folder '" + base.point + "' (values that differ "
                       "only in characters a folder name cannot hold)");
    for (int s = 1; s <= n_seeds; ++s) {
      SweepRun r = base;
      r.seed = s;
      r.folder = r.point + "/seed-" + std::to_string(s);
      r.sets.push_back("params.seed=" + std::to_string(s));
      runs.push_back(std::move(r));
    }
    size_t a = axes.size();
    while (a > 0 && ++at[a - 1] == axes[a - 1].values.size()) at[--a] = 0;
    if (a == 0) break;
  }
  return runs;
}

}  // namespace flowrun
