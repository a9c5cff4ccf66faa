// Lineage TwoStreamBatchSampler as a pure function of the batch id.
//
// Labelled stream: an epoch is one pass over a fresh permutation of the
// labelled ids in chunks of labeled_batch; a last chunk shorter than
// labeled_batch is dropped, as the lineage's grouper does. Unlabelled stream:
// the concatenation of fresh permutations, cut into chunks of
// unlabeled_batch, so a chunk may straddle two permutations and nothing is
// dropped. The lineage restarts the unlabelled stream at every epoch (a new
// iterator per DataLoader epoch); that reading is UnlabeledStream::per_epoch.
//
// Each permutation comes from Rng(seed, index, node_id + ":lab" / ":unl"), and
// which permutation and offset a batch needs is computed arithmetically, so
// batch(b) depends on (seed, b, node id) only: any thread, any order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace flowrun {

enum class UnlabeledStream {
  endless,    // one stream for the whole run (default)
  per_epoch,  // restarted with new permutations at every labelled epoch (lineage)
};

struct TwoStreamOptions {
  int64_t labeled_batch = 2;
  int64_t unlabeled_batch = 2;
  uint64_t seed = 1337;
  std::string node_id = "sampler";
  UnlabeledStream unlabeled_stream = UnlabeledStream::endless;
};

class TwoStreamSampler {
 public:
  // InputError when a batch cannot be filled: fewer labelled ids than
  // labeled_batch, no unlabelled id while unlabeled_batch > 0, negative
  // batch sizes, or both batch sizes 0. per_epoch needs labeled_batch > 0.
  TwoStreamSampler(std::vector<int64_t> labelled, std::vector<int64_t> unlabelled, TwoStreamOptions opts);

  // labeled_batch labelled ids, then unlabeled_batch unlabelled ids.
  std::vector<int64_t> batch(int64_t batch_id) const;

  // Batches per labelled epoch (0 when labeled_batch is 0: no epochs).
  int64_t batches_per_epoch() const { return batches_per_epoch_; }
  int64_t epoch_of(int64_t batch_id) const;
  const TwoStreamOptions& options() const { return opts_; }

 private:
  std::vector<int64_t> labeled_;
  std::vector<int64_t> unlabeled_;
  TwoStreamOptions opts_;
  int64_t batches_per_epoch_ = 0;
};

}  // namespace flowrun
