// The packet value the prepare graphs pass from node to node: one case being
// prepared (its channels, its label, where they came from), and the helpers
// every prepare node shares to take it from a batch and emit the next one.
//
// Volumes are held through shared pointers so a node that changes only the
// label (or only intensities) passes the other volumes on without copying
// them; a node replaces, never mutates, what it received.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/node.h"
#include "lib/volume/volume.h"

namespace flowrun {

struct PrepCase {
  std::string id;
  std::vector<std::shared_ptr<const ImageVolume>> channels;
  std::shared_ptr<const LabelVolume> label;  // null when the case has none
  std::vector<std::string> image_files;      // the files read, for messages
  std::string label_file;
  nlohmann::json log = nlohmann::json::array();  // one entry per step, written to the description's notes
};

using PrepCasePtr = std::shared_ptr<const PrepCase>;

// Port type of prepared cases ("case") and of case references before reading ("case_ref").
inline constexpr const char* kCasePort = "case";
inline constexpr const char* kCaseRefPort = "case_ref";

inline const PrepCase& input_case(const BatchIO& io, const std::string& port = "in") {
  return *io.input(port).get<PrepCasePtr>("case");
}

inline void emit_case(BatchIO& io, PrepCase c, const std::string& port = "out") {
  Packet p;
  p.meta["case"] = c.id;
  p.set("case", PrepCasePtr(std::make_shared<PrepCase>(std::move(c))));
  io.emit(port, std::move(p));
}

// "case 'PANCREAS_0001': " - the prefix of every message about one case.
inline std::string case_where(const std::string& id) { return "case '" + id + "': "; }

// The case needs a label for this step.
inline const LabelVolume& require_label(const PrepCase& c, const std::string& step) {
  if (!c.label) throw InputError(case_where(c.id) + step + " needs a label, and the case has none");
  return *c.label;
}

}  // namespace flowrun
