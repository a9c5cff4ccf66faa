// Two-stream batch sampler: arithmetic over per-epoch / per-pass permutations.
#include "nodes/ops/two_stream_sampler.h"

#include "core/error.h"
#include "core/rng.h"
#include "nodes/ops/permutation.h"

namespace flowrun {

TwoStreamSampler::TwoStreamSampler(std::vector<int64_t> labelled, std::vector<int64_t> unlabelled,
                                   TwoStreamOptions opts)
    : labelled_(std::move(labelled)), unlabelled_(std::move(unlabelled)), opts_(std::move(opts)) {
  const std::string who = "sampler '" + opts_.node_id + "': ";
  if (opts_.labelled_batch < 0 || opts_.unlabelled_batch < 0)
    throw InputError(who + "batch sizes must be >= 0");
  if (opts_.labelled_batch == 0 && opts_.unlabelled_batch == 0)
    throw InputError(who + "labelled_batch and unlabelled_batch are both 0");
  if (static_cast<int64_t>(labelled_.size()) < opts_.labelled_batch)
    throw InputError(who + "labelled_batch " + std::to_string(opts_.labelled_batch) + " needs at least that many " +
                     "labelled cases, got " + std::to_string(labelled_.size()));
  if (opts_.unlabelled_batch > 0 && unlabelled_.empty())
    throw InputError(who + "unlabelled_batch " + std::to_string(opts_.unlabelled_batch) +
                     " needs unlabelled cases, got none");
  if (opts_.unlabelled_stream == UnlabelledStream::per_epoch && opts_.labelled_batch == 0)
    throw InputError(who + "a per-epoch unlabelled stream needs labelled_batch > 0 to define epochs");
  if (opts_.labelled_batch > 0)
    batches_per_epoch_ = static_cast<int64_t>(labelled_.size()) / opts_.labelled_batch;
}

int64_t TwoStreamSampler::epoch_of(int64_t batch_id) const {
  return batches_per_epoch_ > 0 ? batch_id / batches_per_epoch_ : 0;
}

std::vector<int64_t> TwoStreamSampler::batch(int64_t batch_id) const {
  if (batch_id < 0) throw RunError("sampler '" + opts_.node_id + "': batch id must be >= 0");
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(opts_.labelled_batch + opts_.unlabelled_batch));

  const int64_t epoch = epoch_of(batch_id);
  if (opts_.labelled_batch > 0) {
    Rng rng(opts_.seed, epoch, opts_.node_id + ":lab");
    const std::vector<int64_t> perm = permuted(labelled_, rng);
    const int64_t start = (batch_id % batches_per_epoch_) * opts_.labelled_batch;
    for (int64_t i = 0; i < opts_.labelled_batch; ++i) out.push_back(perm[static_cast<size_t>(start + i)]);
  }

  if (opts_.unlabelled_batch > 0) {
    // Position in the stream, and the stream's key: per_epoch starts a new
    // stream, under its own key, at each epoch's first batch.
    const bool per_epoch = opts_.unlabelled_stream == UnlabelledStream::per_epoch;
    const int64_t local = per_epoch ? batch_id % batches_per_epoch_ : batch_id;
    const std::string key = opts_.node_id + ":unl" + (per_epoch ? ":" + std::to_string(epoch) : "");
    const int64_t n = static_cast<int64_t>(unlabelled_.size());
    int64_t pass = -1;
    std::vector<int64_t> perm;
    for (int64_t i = 0; i < opts_.unlabelled_batch; ++i) {
      const int64_t pos = local * opts_.unlabelled_batch + i;
      if (pos / n != pass) {
        pass = pos / n;
        Rng rng(opts_.seed, pass, key);
        perm = permuted(unlabelled_, rng);
      }
      out.push_back(perm[static_cast<size_t>(pos % n)]);
    }
  }
  return out;
}

}  // namespace flowrun
