// data.load_case: turns a batch's case ids into samples holding every image
// channel (and the label of labelled cases), read through a CaseCache shared
// by the node's concurrent calls. The class is visible so tests can read the
// cache's counters of a node they drive.
#pragma once

#include <memory>
#include <optional>

#include "core/node.h"
#include "nodes/case_cache.h"
#include "lib/volume/dataset.h"

namespace flowrun {

class LoadCaseNode : public Node {
 public:
  void open(NodeContext& ctx) override;
  void process(NodeContext& ctx, BatchIO& io) override;
  const CaseCache& cache() const { return *cache_; }

 private:
  std::optional<DatasetDescription> desc_;
  std::unique_ptr<CaseCache> cache_;
};

}  // namespace flowrun
