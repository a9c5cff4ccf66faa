// data.two_stream_sampler and data.load_case: the sampler's sequence through
// the node, its checks at open(), case loading, and the case cache (one load
// per file while cached, LRU by bytes, concurrent requests share one load).
#include <atomic>
#include <chrono>
#include <cmath>
#include <set>
#include <thread>

#include "nodes/case_cache.h"
#include "nodes/load_case_node.h"
#include "lib/ops/two_stream_sampler.h"
#include "node_test_support.h"

namespace flowrun {
namespace {

using namespace nodetest;

std::vector<std::string> cases_of(const PacketPtr& p) { return p->meta["cases"].get<std::vector<std::string>>(); }

TEST(SamplerNode, EmitsTheTwoStreamSequenceLabeledFirst) {
  Dataset ds;
  Driver d("data.two_stream_sampler", json::object(), ds.description(), {{"seed", 11}}, "sampler");
  TwoStreamOptions o;
  o.seed = 11;
  o.node_id = "sampler";
  const TwoStreamSampler ref({0, 1, 2, 3}, {0, 1, 2, 3}, o);
  for (int64_t b = 0; b < 8; ++b) {
    const PacketPtr p = d.run(b);
    const std::vector<int64_t> idx = ref.batch(b);
    EXPECT_EQ(cases_of(p), (std::vector<std::string>{Dataset::id(int(idx[0])), Dataset::id(int(idx[1])),
                                                     Dataset::id(4 + int(idx[2])), Dataset::id(4 + int(idx[3]))}));
    EXPECT_EQ(p->meta["labeled"], json({true, true, false, false}));
  }
  // Each labelled epoch (2 batches) and each unlabelled pass covers every case once.
  for (int64_t e = 0; e < 3; ++e) {
    std::multiset<std::string> lab, unl;
    for (int64_t b = 2 * e; b < 2 * e + 2; ++b) {
      const auto c = cases_of(d.run(b));
      lab.insert(c.begin(), c.begin() + 2);
      unl.insert(c.begin() + 2, c.end());
    }
    EXPECT_EQ(lab, (std::multiset<std::string>{"c0", "c1", "c2", "c3"}));
    EXPECT_EQ(unl, (std::multiset<std::string>{"c4", "c5", "c6", "c7"}));
  }
}

// Data-parallel: rank r of W at batch sizes (l, u) takes the r-th share of
// each part of the single-process batch at (W l, W u), so the ranks' draws
// are disjoint and together are exactly that batch.
TEST(SamplerNode, RanksShareTheSingleProcessStreamAtTheWholeBatch) {
  Dataset ds;
  Driver whole("data.two_stream_sampler", {{"labeled_batch", 2}, {"unlabeled_batch", 4}}, ds.description(),
               {{"seed", 5}}, "sampler");
  std::vector<std::unique_ptr<NodeRunner>> ranks;
  for (int r = 0; r < 2; ++r) {
    ranks.push_back(std::make_unique<NodeRunner>(builtin_registry(), "data.two_stream_sampler",
                                                 json{{"labeled_batch", 1}, {"unlabeled_batch", 2}}, "sampler"));
    ranks.back()->globals({{"seed", 5}}).dataset(ds.description());
    ranks.back()->context().dist.rank = r;
    ranks.back()->context().dist.world_size = 2;
    ranks.back()->open();
  }
  for (int64_t b = 0; b < 12; ++b) {
    const auto all = cases_of(whole.run(b));
    const auto r0 = cases_of(ranks[0]->run_one(b)), r1 = cases_of(ranks[1]->run_one(b));
    EXPECT_EQ(r0, (std::vector<std::string>{all[0], all[2], all[3]})) << "batch " << b;
    EXPECT_EQ(r1, (std::vector<std::string>{all[1], all[4], all[5]})) << "batch " << b;
  }
  // Too few labelled cases for the whole batch: the message says why.
  NodeRunner big(builtin_registry(), "data.two_stream_sampler", json{{"labeled_batch", 3}}, "sampler");
  big.globals({{"seed", 5}}).dataset(ds.description());
  big.context().dist.world_size = 2;
  try {
    big.open();
    ADD_FAILURE() << "6 labelled draws from 4 labelled cases opened";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("data-parallel run of 2 workers"), std::string::npos) << e.what();
  }
}

TEST(SamplerNode, BatchesArePureFunctionsOfSeedBatchAndNodeId) {
  Dataset ds;
  Driver a("data.two_stream_sampler", json::object(), ds.description(), {{"seed", 3}}, "s");
  Driver b("data.two_stream_sampler", json::object(), ds.description(), {{"seed", 3}}, "s");
  std::vector<std::vector<std::string>> forward;
  for (int64_t i = 0; i < 10; ++i) forward.push_back(cases_of(a.run(i)));
  for (int64_t i = 9; i >= 0; --i) EXPECT_EQ(cases_of(b.run(i)), forward[size_t(i)]);
  Driver other_seed("data.two_stream_sampler", json::object(), ds.description(), {{"seed", 4}}, "s");
  Driver other_id("data.two_stream_sampler", json::object(), ds.description(), {{"seed", 3}}, "t");
  int diff_seed = 0, diff_id = 0;
  for (int64_t i = 0; i < 10; ++i) {
    diff_seed += cases_of(other_seed.run(i)) != forward[size_t(i)];
    diff_id += cases_of(other_id.run(i)) != forward[size_t(i)];
  }
  EXPECT_GT(diff_seed, 0);
  EXPECT_GT(diff_id, 0);
}

TEST(SamplerNode, ParamsChooseSubsetSplitAndStream) {
  Dataset ds;
  {
    Driver d("data.two_stream_sampler", {{"labeled_fraction", 0.25}, {"labeled_batch", 1}, {"unlabeled_batch", 3}},
             ds.description());
    std::set<std::string> lab, unl;
    for (int64_t b = 0; b < 20; ++b) {
      const auto c = cases_of(d.run(b));
      ASSERT_EQ(c.size(), 4u);
      lab.insert(c[0]);
      unl.insert(c.begin() + 1, c.end());
    }
    EXPECT_EQ(lab, (std::set<std::string>{"c0", "c1"}));
    EXPECT_EQ(unl, (std::set<std::string>{"c2", "c3", "c4", "c5", "c6", "c7"}));
  }
  {
    Driver d("data.two_stream_sampler",
             {{"split", "val"}, {"labeled_count", 1}, {"labeled_batch", 1}, {"unlabeled_batch", 1}},
             ds.description());
    EXPECT_EQ(cases_of(d.run(0)), (std::vector<std::string>{"c8", "c9"}));
  }
  {
    Driver d("data.two_stream_sampler", {{"unlabeled_batch", 0}}, ds.description());
    EXPECT_EQ(d.run(0)->meta["labeled"], json({true, true}));
  }
  {
    Driver d("data.two_stream_sampler", {{"unlabeled_stream", "per_epoch"}, {"unlabeled_batch", 3}},
             ds.description(), {{"seed", 5}}, "p");
    TwoStreamOptions o;
    o.seed = 5;
    o.node_id = "p";
    o.unlabeled_batch = 3;
    o.unlabeled_stream = UnlabeledStream::per_epoch;
    const TwoStreamSampler ref({0, 1, 2, 3}, {0, 1, 2, 3}, o);
    for (int64_t b = 0; b < 6; ++b) {
      const auto idx = ref.batch(b);
      const auto c = cases_of(d.run(b));
      for (size_t i = 2; i < 5; ++i) EXPECT_EQ(c[i], Dataset::id(4 + int(idx[i])));
    }
  }
}

TEST(SamplerNode, RefusesMissingDatasetTooFewCasesAndAbsentFiles) {
  Dataset ds;
  expect_error<InputError>([&] { Driver("data.two_stream_sampler", json::object(), "", json::object(), "smp"); },
                           {"node 'smp' (data.two_stream_sampler) needs the graph's \"dataset\""});
  expect_error<InputError>(
      [&] { Driver("data.two_stream_sampler", {{"labeled_count", 1}}, ds.description()); },
      {"labeled_batch 2", "got 1"});
  expect_error<InputError>(
      [&] { Driver("data.two_stream_sampler", {{"labeled_count", 8}}, ds.description()); }, {"unlabelled"});
  std::filesystem::remove(ds.file("c6_1.nii.gz"));
  expect_error<InputError>([&] { Driver("data.two_stream_sampler", json::object(), ds.description()); },
                           {"case 'c6'", "c6_1.nii.gz"});
  // Unlabelled cases are not read when the batch takes none.
  Driver supervised("data.two_stream_sampler", {{"unlabeled_batch", 0}}, ds.description());
  EXPECT_EQ(cases_of(supervised.run(0)).size(), 2u);
}

TEST(SamplerNode, DatasetRootGlobalReplacesTheRoot) {
  Dataset ds;
  Dataset other(ds.dir / "elsewhere");  // the same files in another folder
  ds.doc["root"] = "/nonexistent";
  ds.save();
  expect_error<InputError>([&] { Driver("data.two_stream_sampler", json::object(), ds.description()); },
                           {"nonexistent"});
  Driver d("data.two_stream_sampler", json::object(), ds.description(), {{"dataset_root", other.dir.string()}});
  EXPECT_EQ(cases_of(d.run(0)).size(), 4u);
}

TEST(LoadCaseNode, LoadsEveryChannelAndTheLabelOfLabeledCases) {
  Dataset ds;
  Driver d("data.load_case", json::object(), ds.description());
  const PacketPtr out = d.run(0, cases_packet({"c2", "c5"}, {true, false}));
  EXPECT_EQ(out->meta["cases"], json({"c2", "c5"}));
  EXPECT_EQ(out->meta["labeled"], json({true, false}));
  const SampleList& s = samples_of(out);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].id, "c2");
  EXPECT_TRUE(s[0].labeled);
  ASSERT_EQ(s[0].channels.size(), 2u);
  EXPECT_EQ(s[0].channels[0].data, case_channel(2, 0).data);
  EXPECT_EQ(s[0].channels[1].data, case_channel(2, 1).data);
  ASSERT_TRUE(s[0].label.has_value());
  EXPECT_EQ(s[0].label->data, case_label().data);
  EXPECT_FALSE(s[1].labeled);
  EXPECT_FALSE(s[1].label.has_value());
  EXPECT_EQ(s[1].channels[1].data, case_channel(5, 1).data);
}

TEST(LoadCaseNode, CacheLoadsEachFileOnceEvenUnderConcurrency) {
  Dataset ds;
  Driver d("data.load_case", json::object(), ds.description());
  const auto& node = dynamic_cast<const LoadCaseNode&>(d.runner.node());
  const PacketPtr in = cases_packet({"c0", "c1", "c4", "c5"}, {true, true, false, false});
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) threads.emplace_back([&, t] { d.run(t, in); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(node.cache().misses(), 4);
  EXPECT_EQ(node.cache().hits(), 20);
  EXPECT_EQ(node.cache().entries(), 4u);
  EXPECT_EQ(node.cache().bytes(), size_t(4 * 2 * 540 * 4 + 2 * 540));

  Driver none("data.load_case", {{"cache_mb", 0}}, ds.description());
  none.run(0, in);
  none.run(1, in);
  const auto& uncached = dynamic_cast<const LoadCaseNode&>(none.runner.node());
  EXPECT_EQ(uncached.cache().misses(), 8);
  EXPECT_EQ(uncached.cache().hits(), 0);
}

TEST(LoadCaseNode, NonFiniteVoxelNamesCaseAndFile) {
  Dataset ds;
  ImageVolume bad = case_channel(3, 1);
  bad.at(1, 2, 3) = std::nanf("");
  write_image(bad, ds.file("c3_1.nii.gz"));
  Driver d("data.load_case", json::object(), ds.description());
  expect_error<InputError>([&] { d.run(0, cases_packet({"c0", "c3"}, {true, true})); },
                           {"case 'c3'", "c3_1.nii.gz", "NaN"});
  // A failed load is not cached: it fails again rather than serving nothing.
  expect_error<InputError>([&] { d.run(1, cases_packet({"c3"}, {true})); }, {"case 'c3'"});
  std::filesystem::remove(ds.file("c2_label.nii.gz"));
  expect_error<InputError>([&] { d.run(2, cases_packet({"c2"}, {true})); }, {"case 'c2'", "c2_label.nii.gz"});
  expect_error<InputError>([&] { Driver("data.load_case", json::object(), "", json::object(), "ld"); },
                           {"node 'ld' (data.load_case) needs the graph's \"dataset\""});
}

Case fake_case(const std::string& id, int64_t voxels) {
  Case c;
  c.id = id;
  c.channels.emplace_back(Index3{voxels, 1, 1}, 1.0f);
  return c;
}

TEST(CaseCache, EvictsLeastRecentlyUsedByBytes) {
  CaseCache cache(2 * 100 * sizeof(float));  // room for two 100-voxel cases
  std::map<std::string, int> loads;
  auto get = [&](const std::string& k) {
    return cache.get(k, [&] {
      ++loads[k];
      return fake_case(k, 100);
    });
  };
  get("a");
  get("b");
  get("a");  // a is now the most recent
  get("c");  // evicts b
  EXPECT_EQ(cache.entries(), 2u);
  EXPECT_EQ(cache.bytes(), 800u);
  get("a");
  EXPECT_EQ(loads["a"], 1);
  get("b");
  EXPECT_EQ(loads["b"], 2);
  EXPECT_EQ(cache.misses(), 4);
  EXPECT_EQ(cache.hits(), 2);
  // A case larger than the bound is returned but not kept.
  CasePtr big = cache.get("big", [] { return fake_case("big", 1000); });
  EXPECT_EQ(big->channels[0].data.size(), 1000u);
  EXPECT_EQ(cache.entries(), 0u);
}

TEST(CaseCache, ConcurrentRequestsWaitForOneLoadAndShareFailures) {
  CaseCache cache(1 << 20);
  std::atomic<int> loads{0};
  std::vector<std::thread> threads;
  std::vector<CasePtr> got(8);
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      got[size_t(t)] = cache.get("k", [&] {
        ++loads;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        return fake_case("k", 10);
      });
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(loads.load(), 1);
  for (const auto& g : got) EXPECT_EQ(g.get(), got[0].get());

  std::atomic<int> failures{0};
  threads.clear();
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      try {
        cache.get("bad", [&]() -> Case {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          throw InputError("broken file");
        });
      } catch (const InputError&) {
        ++failures;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 4);
  EXPECT_NO_THROW(cache.get("bad", [] { return fake_case("bad", 10); }));
}

}  // namespace
}  // namespace flowrun
