// Verbs that read a graph without running it: validate and dot. No LibTorch:
// the front end runs them with the plugins' contracts (runner/session.h).
#include <fstream>
#include <iostream>

#include "core/dot_export.h"
#include "core/error.h"
#include "core/graph_spec.h"
#include "runner/graph_args.h"
#include "runner/graph_print.h"
#include "runner/session.h"
#include "runner/verb_docs.h"
#include "runner/verbs.h"

namespace flowrun {

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
