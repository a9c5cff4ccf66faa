// The grid `flowrun sweep` runs: every combination of the --vary values,
// each with every seed, and where each run lives. Pure data, no processes,
// so it is tested alone.
#pragma once

#include <string>
#include <vector>

namespace flowrun {

struct SweepAxis {
  // An override path, e.g. nodes.crop.sigma; several joined by '+' take the
  // same value together (nodes.pseudo.dynamic+nodes.loss.dynamic=true,false:
  // CoTwin against CPS, whose two switches must agree). The path "graph"
  // varies the graph file itself (CoTwin against the supervised baseline).
  std::string path;
  std::vector<std::string> values;  // as the user wrote them (JSON or bare words)
};

struct SweepRun {
  std::vector<std::string> values;  // one per axis
  int seed = 1;
  std::string point;                // folder of the grid point, e.g. "sigma-2_alpha-0.5"
  std::string folder;               // <point>/seed-<seed>
  std::vector<std::string> sets;    // the --set arguments that make this run
  std::string graph;                // the graph file when an axis varies it, else ""
};

// "nodes.crop.sigma=2,5,[1,2]" -> the axis; commas inside [] {} or quotes do
// not split. InputError for a missing '=', an empty value or a repeated value.
SweepAxis parse_sweep_axis(const std::string& arg);

// Row-major over the axes (the last varies fastest), seeds 1..n_seeds
// innermost. InputError when two axes vary one path or n_seeds < 1.
std::vector<SweepRun> plan_sweep(const std::vector<SweepAxis>& axes, int n_seeds);

}  // namespace flowrun
