// Two-stream batch sampler: arithmetic over per-epoch / per-pass permutations.
#include "lib/ops/two_stream_sampler.h"

#include "core/error.h"
#include "core/rng.h"
#include "lib/ops/permutation.h"

namespace flowrun {

TwoStreamSampler::TwoStreamSampler(std::vector<int64_t> labelled, std::vector<int64_t> unlabelled,
                                   TwoStreamOptions opts)
    : labeled_(std::move(labelled)), unlabeled_(std::move(unlabelled)), opts_(std::move(opts)) {
  const std::string who = "sampler '" + opts_.node_id + "': ";
  if (opts_.labeled_batch < 0 || opts_.unlabeled_batch < 0)
    throw InputError(who + "batch sizes must be >= 0");
  if (opts_.labeled_batch == 0 && opts_.unlabeled_batch == 0)
    throw InputError(who + "labeled_batch and unlabeled_batch are both 0");
  if (static_cast<int64_t>(labeled_.size()) < opts_.labeled_batch)
    throw InputError(who + "labeled_batch " + std::to_string(opts_.labeled_batch) + " needs at least that many " +
                     "labelled cases, got " + std::to_string(labeled_.size()));
  if (opts_.unlabeled_batch > 0 && unlabeled_.empty())
    throw InputError(who + "unlabeled_batch " + std::to_string(opts_.unlabeled_batch) +
                     " needs unlabelled cases, got none");
  if (opts_.unlabeled_stream == UnlabeledStream::per_epoch && opts_.labeled_batch == 0)
    throw InputError(who + "a per-epoch unlabelled stream needs labeled_batch > 0 to define epochs");
  if (opts_.labeled_batch > 0)
    batches_per_epoch_ = static_cast<int64_t>(labeled_.size()) / opts_.labeled_batch;
}

int64_t TwoStreamSampler::epoch_of(int64_t batch_id) const {
  return batches_per_epoch_ > 0 ? batch_id / batches_per_epoch_ : 0;
}

std::vector<int64_t> TwoStreamSampler::batch(int64_t batch_id) const {
  if (batch_id < 0) throw RunError("sampler '" + opts_.node_id + "': batch id must be >= 0");
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(opts_.labeled_batch + opts_.unlabeled_batch));

  const int64_t epoch = epoch_of(batch_id);
  if (opts_.labeled_batch > 0) {
    Rng rng(opts_.seed, epoch, opts_.node_id + ":lab");
    const std::vector<int64_t> perm = permuted(labeled_, rng);
    const int64_t start = (batch_id % batches_per_epoch_) * opts_.labeled_batch;
    for (int64_t i = 0; i < opts_.labeled_batch; ++i) out.push_back(perm[static_cast<size_t>(start + i)]);
  }

  if (opts_.unlabeled_batch > 0) {
    // Position in the stream, and the stream's key: per_epoch starts a new
    // stream, under its own key, at each epoch's first batch.
    const bool per_epoch = opts_.unlabeled_stream == UnlabeledStream::per_epoch;
    const int64_t local = per_epoch ? batch_id % batches_per_epoch_ : batch_id;
    const std::string key = opts_.node_id + ":unl" + (per_epoch ? ":" + std::to_string(epoch) : "");
    const int64_t n = static_cast<int64_t>(unlabeled_.size());
    int64_t pass = -1;
    std::vector<int64_t> perm;
    for (int64_t i = 0; i < opts_.unlabeled_batch; ++i) {
      const int64_t pos = local * opts_.unlabeled_batch + i;
      if (pos / n != pass) {
        pass = pos / n;
        Rng rng(opts_.seed, pass, key);
        perm = permuted(unlabeled_, rng);
      }
      out.push_back(perm[static_cast<size_t>(pos % n)]);
    }
  }
  return out;
}

}  // namespace flowrun
