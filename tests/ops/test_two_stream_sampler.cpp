// TwoStreamSampler: lineage epoch / stream semantics and purity in batch id.
#include "lib/ops/two_stream_sampler.h"

#include <algorithm>
#include <iterator>
#include <thread>

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/rng.h"
#include "lib/ops/shift_crop.h"

namespace flowrun {
namespace {

std::vector<int64_t> range(int64_t lo, int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = lo + i;
  return v;
}

std::vector<int64_t> sorted(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TwoStreamOptions opts(int64_t lb, int64_t ub, std::string node = "sampler", uint64_t seed = 1337) {
  TwoStreamOptions o;
  o.labeled_batch = lb;
  o.unlabeled_batch = ub;
  o.node_id = std::move(node);
  o.seed = seed;
  return o;
}

// The labelled (or unlabelled) part of batches [first, first + count), concatenated.
std::vector<int64_t> part_run(const TwoStreamSampler& s, int64_t first, int64_t count, bool labelled) {
  std::vector<int64_t> out;
  const int64_t lb = s.options().labeled_batch;
  for (int64_t b = first; b < first + count; ++b) {
    const std::vector<int64_t> ids = s.batch(b);
    if (labelled) out.insert(out.end(), ids.begin(), ids.begin() + lb);
    else out.insert(out.end(), ids.begin() + lb, ids.end());
  }
  return out;
}

std::vector<int64_t> labeled_run(const TwoStreamSampler& s, int64_t first, int64_t count) {
  return part_run(s, first, count, true);
}

std::vector<int64_t> unlabeled_run(const TwoStreamSampler& s, int64_t first, int64_t count) {
  return part_run(s, first, count, false);
}

TEST(TwoStreamSampler, EveryLabeledEpochIsAPermutation) {
  const TwoStreamSampler s(range(0, 6), range(100, 20), opts(2, 2));
  ASSERT_EQ(s.batches_per_epoch(), 3);
  std::vector<std::vector<int64_t>> epochs;
  for (int64_t e = 0; e < 10; ++e) {
    const std::vector<int64_t> ids = labeled_run(s, e * 3, 3);
    EXPECT_EQ(sorted(ids), range(0, 6)) << "epoch " << e;
    EXPECT_EQ(s.epoch_of(e * 3 + 2), e);
    epochs.push_back(ids);
  }
  std::sort(epochs.begin(), epochs.end());
  EXPECT_GT(std::unique(epochs.begin(), epochs.end()) - epochs.begin(), 5);  // fresh order per epoch
}

TEST(TwoStreamSampler, IncompleteLabeledChunkIsDropped) {
  const TwoStreamSampler s(range(0, 5), range(100, 4), opts(2, 1));
  ASSERT_EQ(s.batches_per_epoch(), 2);
  int missing_varies = 0;
  std::vector<int64_t> first_missing;
  for (int64_t e = 0; e < 20; ++e) {
    const std::vector<int64_t> ids = labeled_run(s, e * 2, 2);
    const std::vector<int64_t> u = sorted(ids), all = range(0, 5);
    ASSERT_EQ(u.size(), 4u);
    ASSERT_EQ(std::adjacent_find(u.begin(), u.end()), u.end()) << "repeated id in epoch " << e;
    std::vector<int64_t> missing;
    std::set_difference(all.begin(), all.end(), u.begin(), u.end(), std::back_inserter(missing));
    ASSERT_EQ(missing.size(), 1u);
    if (e == 0) first_missing = missing;
    else if (missing != first_missing) ++missing_varies;
  }
  EXPECT_GT(missing_varies, 0);
}

TEST(TwoStreamSampler, UnlabeledStreamIsConsecutivePermutationsAcrossChunks) {
  // 7 unlabelled ids in chunks of 3: chunks straddle permutation boundaries.
  const TwoStreamSampler s(range(0, 4), range(100, 7), opts(2, 3));
  const std::vector<int64_t> stream = unlabeled_run(s, 0, 35);  // 105 = 15 passes
  std::vector<std::vector<int64_t>> passes;
  for (size_t p = 0; p < 15; ++p) {
    const std::vector<int64_t> pass(stream.begin() + 7 * p, stream.begin() + 7 * (p + 1));
    EXPECT_EQ(sorted(pass), range(100, 7)) << "pass " << p;
    passes.push_back(pass);
  }
  std::sort(passes.begin(), passes.end());
  EXPECT_GT(std::unique(passes.begin(), passes.end()) - passes.begin(), 10);
  // The stream ignores labelled epochs (endless mode): it does not restart.
  EXPECT_NE(unlabeled_run(s, 0, 2), unlabeled_run(s, 2, 2));
}

TEST(TwoStreamSampler, UnlabeledBatchLargerThanPool) {
  const TwoStreamSampler s(range(0, 2), range(100, 2), opts(1, 5));
  const std::vector<int64_t> stream = unlabeled_run(s, 0, 4);  // 20 = 10 passes of 2
  for (size_t p = 0; p < 10; ++p)
    EXPECT_EQ(sorted({stream[2 * p], stream[2 * p + 1]}), range(100, 2)) << "pass " << p;
}

TEST(TwoStreamSampler, PerEpochStreamRestartsEachEpoch) {
  TwoStreamOptions o = opts(2, 3);
  o.unlabeled_stream = UnlabeledStream::per_epoch;
  const TwoStreamSampler s(range(0, 6), range(100, 7), o);  // 3 batches = 9 unlabelled per epoch
  std::vector<std::vector<int64_t>> firsts;
  for (int64_t e = 0; e < 8; ++e) {
    const std::vector<int64_t> u = unlabeled_run(s, e * 3, 3);
    const std::vector<int64_t> first(u.begin(), u.begin() + 7);
    EXPECT_EQ(sorted(first), range(100, 7)) << "epoch " << e;
    firsts.push_back(first);
  }
  std::sort(firsts.begin(), firsts.end());
  EXPECT_GT(std::unique(firsts.begin(), firsts.end()) - firsts.begin(), 4);
}

TEST(TwoStreamSampler, BatchIsLabeledThenUnlabeled) {
  const TwoStreamSampler s(range(0, 8), range(100, 30), opts(2, 3));
  for (int64_t b = 0; b < 50; ++b) {
    const std::vector<int64_t> ids = s.batch(b);
    ASSERT_EQ(ids.size(), 5u);
    for (int i = 0; i < 2; ++i) EXPECT_LT(ids[static_cast<size_t>(i)], 8);
    for (int i = 2; i < 5; ++i) EXPECT_GE(ids[static_cast<size_t>(i)], 100);
  }
}

TEST(TwoStreamSampler, PureInSeedBatchAndNode) {
  const TwoStreamSampler a(range(0, 8), range(100, 30), opts(2, 2));
  const TwoStreamSampler a2(range(0, 8), range(100, 30), opts(2, 2));
  const TwoStreamSampler other_node(range(0, 8), range(100, 30), opts(2, 2, "sampler2"));
  const TwoStreamSampler other_seed(range(0, 8), range(100, 30), opts(2, 2, "sampler", 1));
  std::vector<int64_t> sa, sn, ss;
  for (int64_t b = 40; b >= 0; --b) EXPECT_EQ(a.batch(b), a2.batch(b));  // another object, reverse order
  for (int64_t b = 0; b < 40; ++b) {
    EXPECT_EQ(a.batch(b), a.batch(b));
    for (int64_t id : a.batch(b)) sa.push_back(id);
    for (int64_t id : other_node.batch(b)) sn.push_back(id);
    for (int64_t id : other_seed.batch(b)) ss.push_back(id);
  }
  EXPECT_NE(sa, sn);
  EXPECT_NE(sa, ss);
}

TEST(TwoStreamSampler, SameAcrossThreadsAndOrders) {
  const TwoStreamSampler s(range(0, 12), range(100, 50), opts(2, 2));
  const int64_t n = 400;
  std::vector<std::vector<int64_t>> serial(n);
  std::vector<ShiftCropPlan> plans(n);
  for (int64_t b = 0; b < n; ++b) {
    serial[static_cast<size_t>(b)] = s.batch(b);
    Rng rng(1337, b, "crop");
    plans[static_cast<size_t>(b)] = draw_shift_crop(rng, {40, 40, 30}, {16, 16, 16}, 5);
  }
  std::vector<std::vector<int64_t>> par(n);
  std::vector<ShiftCropPlan> par_plans(n);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      // Thread t takes batches b with b % 4 == t, odd threads in reverse.
      for (int64_t i = 0; i < n / 4; ++i) {
        const int64_t k = (t % 2) ? n / 4 - 1 - i : i;
        const int64_t b = 4 * k + t;
        par[static_cast<size_t>(b)] = s.batch(b);
        Rng rng(1337, b, "crop");
        par_plans[static_cast<size_t>(b)] = draw_shift_crop(rng, {40, 40, 30}, {16, 16, 16}, 5);
      }
    });
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(par, serial);
  for (int64_t b = 0; b < n; ++b) {
    EXPECT_EQ(par_plans[static_cast<size_t>(b)].origin_a, plans[static_cast<size_t>(b)].origin_a);
    EXPECT_EQ(par_plans[static_cast<size_t>(b)].shift, plans[static_cast<size_t>(b)].shift);
  }
}

TEST(TwoStreamSampler, SupervisedOnlyAndUnlabeledOnly) {
  const TwoStreamSampler sup(range(0, 4), {}, opts(2, 0));
  EXPECT_EQ(sup.batch(3).size(), 2u);
  const TwoStreamSampler unl({}, range(100, 5), opts(0, 2));
  EXPECT_EQ(unl.batch(3).size(), 2u);
  EXPECT_EQ(unl.batches_per_epoch(), 0);
}

TEST(TwoStreamSampler, UnfillableBatchesAreInputErrors) {
  EXPECT_THROW(TwoStreamSampler(range(0, 1), range(100, 5), opts(2, 2)), InputError);
  EXPECT_THROW(TwoStreamSampler(range(0, 4), {}, opts(2, 2)), InputError);
  EXPECT_THROW(TwoStreamSampler(range(0, 4), range(100, 5), opts(0, 0)), InputError);
  EXPECT_THROW(TwoStreamSampler(range(0, 4), range(100, 5), opts(-1, 2)), InputError);
  TwoStreamOptions o = opts(0, 2);
  o.unlabeled_stream = UnlabeledStream::per_epoch;
  EXPECT_THROW(TwoStreamSampler({}, range(100, 5), o), InputError);
  const TwoStreamSampler s(range(0, 4), range(100, 5), opts(2, 2));
  EXPECT_THROW(s.batch(-1), RunError);
}

}  // namespace
}  // namespace flowrun
