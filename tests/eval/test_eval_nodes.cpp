// eval.validate alone under the node harness (core/node_runner.h): a threshold "network" whose output we
// control (Conv3d 1->2, class 1 iff image > t) on a tiny NIfTI dataset, so
// the expected metrics are compute_metrics of the thresholded images.
// Checks meta.val every N iterations and at the last batch, pass-through of
// the packet, the networks' training mode afterwards, summary.json and
// test_metrics.csv, the ensemble, and the refusals.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include <random>

#include "core/error.h"
#include "core/node_runner.h"
#include "core/plugin_loader.h"
#include "lib/volume/volume_io.h"
#include "lib/torch/segmentation_model.h"
#include "lib/metrics/metrics.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace flowrun {
namespace {

class ThresholdModel : public SegmentationModel {
 public:
  explicit ThresholdModel(double t) {
    torch::NoGradGuard g;
    conv_->weight.copy_(torch::tensor({0.0f, 1.0f}).view({2, 1, 1, 1, 1}));
    conv_->bias.copy_(torch::tensor({0.0f, static_cast<float>(-t)}));
  }
  torch::nn::Module& module() override { return *conv_; }
  at::Tensor forward(const at::Tensor& x) override {
    forwards_in_training += conv_->is_training() ? 1 : 0;
    return conv_->forward(x);
  }
  json architecture() const override { return {{"type", "threshold"}}; }
  int64_t in_channels() const override { return 1; }
  int64_t n_classes() const override { return 2; }
  at::Device device() const override { return at::kCPU; }
  int64_t size_divisor() const override { return 1; }
  int forwards_in_training = 0;

 private:
  torch::nn::Conv3d conv_{torch::nn::Conv3dOptions(1, 2, 1)};
};

// What the collecting sink saw, per batch.
struct Seen {
  int64_t batch;
  json meta;
  int payload;
  bool net_training;
};
std::vector<Seen> g_seen;

struct TinyCase {
  std::string id;
  ImageVolume image;
  LabelVolume label;
};

// Image = label + noise, so thresholding at 0.5 gets most but not all voxels right.
TinyCase make_case(const std::string& id, std::array<int64_t, 3> size, bool dark, uint32_t seed) {
  TinyCase c{id, ImageVolume(size), LabelVolume(size)};
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 0.35f);
  for (int64_t x = 0; x < size[0]; ++x)
    for (int64_t y = 0; y < size[1]; ++y)
      for (int64_t z = 0; z < size[2]; ++z) {
        const bool in = x >= 3 && x < size[0] - 4 && y >= 4 && y < size[1] - 3 && z >= 1 && z < size[2] - 1;
        c.label.at(x, y, z) = in ? 1 : 0;
        c.image.at(x, y, z) = dark ? -5.0f : (in ? 1.0f : 0.0f) + noise(rng);
      }
  c.image.geometry.spacing = {1.0, 1.0, 2.0};
  c.label.geometry = c.image.geometry;
  return c;
}

LabelVolume threshold(const ImageVolume& v, float t) {
  LabelVolume m(v.size);
  for (size_t i = 0; i < m.data.size(); ++i) m.data[i] = v.data[i] > t;
  return m;
}

class EvalValidate : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("flowrun_eval_nodes_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "images");
    fs::create_directories(dir_ / "labels");
    cases_ = {make_case("a", {20, 18, 12}, false, 1), make_case("b", {16, 16, 6}, false, 2),
              make_case("c", {12, 12, 10}, true, 3)};
    for (auto& c : cases_) {
      write_image(c.image, (dir_ / "images" / (c.id + ".nii.gz")).string());
      write_label(c.label, (dir_ / "labels" / (c.id + ".nii.gz")).string());
    }
    write_description({{"val", {"a", "b"}}, {"test", {"a", "b", "c"}}});

    ResourceSchema rs{"evaltest.threshold", "class 1 iff image > threshold", {}};
    rs.params.push_back(ParamSpec::real("threshold", 0.5, "t"));
    registry_.add_resource(rs, [this](const ResourceContext& c) {
      auto m = std::make_shared<ThresholdModel>(c.params["threshold"].get<double>());
      models_[c.name] = m;
      return m;
    });
    loader_ = std::make_unique<PluginLoader>(registry_);
    loader_->load(FLOWRUN_EVAL_PLUGIN);
    g_seen.clear();
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write_description(const json& splits) {
    json d = {{"name", "tiny"},
              {"labels", {{"0", "background"}, {"1", "fg"}}},
              {"image", "images/{id}.nii.gz"},
              {"label", "labels/{id}.nii.gz"},
              {"splits", splits}};
    std::ofstream(dir_ / "tiny.json") << d.dump(2);
  }

  // eval.validate alone under the node harness, as a training graph would
  // drive it: step packets of batches 0 .. iterations-1 (meta iteration, lr,
  // a payload it must pass through), two threshold "networks"; every output
  // is recorded with whether net1 was back in training mode.
  void run(const json& validate_params, int iterations, double t1 = 0.5, double t2 = 0.5) {
    json params = validate_params;
    params["patch"] = {8, 8, 8};
    params["stride"] = {4, 4, 4};
    params["window_batch"] = 3;
    NodeRunner validate(registry_, "eval.validate", params, "validate");
    validate.globals({{"iterations", iterations}, {"prefetch", 1}})
        .dataset((dir_ / "tiny.json").string())
        .out_dir((dir_ / "out").string())
        .last_batch(iterations - 1);
    auto net1 = std::dynamic_pointer_cast<ThresholdModel>(
        validate.resource("net1", "evaltest.threshold", {{"threshold", t1}}));
    validate.resource("net2", "evaltest.threshold", {{"threshold", t2}});
    validate.open();
    for (int64_t b = 0; b < iterations; ++b) {
      Packet step;
      step.meta["iteration"] = b;
      step.meta["lr"] = 0.01;
      step.set("payload", static_cast<int>(100 + b));
      const PacketPtr out = validate.run_one(b, NodeRunner::packet(b, std::move(step)));
      g_seen.push_back({b, out->meta, out->get<int>("payload"), net1->module().is_training()});
    }
    validate.close();
  }

  // compute_metrics of each case thresholded at t, in the order of `ids`.
  std::vector<CaseMetrics> expected(const std::vector<std::string>& ids, float t) const {
    std::vector<CaseMetrics> r;
    for (auto& id : ids)
      for (auto& c : cases_)
        if (c.id == id) r.push_back(compute_metrics(threshold(c.image, t), c.label));
    return r;
  }

  fs::path dir_;
  std::vector<TinyCase> cases_;
  Registry registry_;
  std::unique_ptr<PluginLoader> loader_;
  std::map<std::string, std::shared_ptr<ThresholdModel>> models_;
};

TEST_F(EvalValidate, ValEveryNAndAtTheEndWithSummaryAndCsv) {
  run({{"every", 2}}, 5);
  ASSERT_EQ(g_seen.size(), 5u);
  std::sort(g_seen.begin(), g_seen.end(), [](const Seen& a, const Seen& b) { return a.batch < b.batch; });
  const double val_dice = summarize(expected({"a", "b"}, 0.5f)).dice.mean;
  for (const auto& s : g_seen) {
    // Batches 1 and 3 complete 2 and 4 iterations; batch 4 is the last.
    const bool due = s.batch == 1 || s.batch == 3 || s.batch == 4;
    EXPECT_EQ(s.meta.contains("val"), due) << "batch " << s.batch;
    EXPECT_EQ(s.payload, 100 + s.batch);
    EXPECT_EQ(s.meta["iteration"].get<int64_t>(), s.batch);
    EXPECT_DOUBLE_EQ(s.meta["lr"].get<double>(), 0.01);
    EXPECT_TRUE(s.net_training) << "net1 left in eval mode after batch " << s.batch;
    if (due) {
      EXPECT_NEAR(s.meta["val"]["dice"].get<double>(), val_dice, 1e-12);
      EXPECT_EQ(s.meta["val"]["iteration"].get<int64_t>(), s.batch);
    }
  }
  EXPECT_GT(val_dice, 0.5);
  EXPECT_LT(val_dice, 0.999);  // the noise makes some voxels wrong: a real comparison
  EXPECT_EQ(models_.at("net1")->forwards_in_training, 0);

  const auto exp = expected({"a", "b", "c"}, 0.5f);
  const MetricsSummary s = summarize(exp);
  std::ifstream f(dir_ / "out" / "summary.json");
  ASSERT_TRUE(f.good());
  const json summary = json::parse(f);
  const json& t = summary.at("test");
  EXPECT_EQ(t.at("cases").get<int64_t>(), 3);
  EXPECT_EQ(t.at("empty_cases").get<int64_t>(), 1);
  EXPECT_EQ(t.at("empty_case_ids"), json({"c"}));
  EXPECT_NEAR(t["mean"]["dice"].get<double>(), s.dice.mean, 1e-12);
  EXPECT_NEAR(t["mean"]["jaccard"].get<double>(), s.jaccard.mean, 1e-12);
  EXPECT_NEAR(t["mean"]["hd95"].get<double>(), s.hd95.mean, 1e-9);
  EXPECT_NEAR(t["mean"]["asd"].get<double>(), s.asd.mean, 1e-9);
  EXPECT_NEAR(t["std"]["dice"].get<double>(), s.dice.std, 1e-12);
  EXPECT_NEAR(t["std"]["hd95"].get<double>(), s.hd95.std, 1e-9);
  ASSERT_EQ(t["per_case"].size(), 3u);
  EXPECT_EQ(t["per_case"][2]["case"], "c");
  EXPECT_TRUE(t["per_case"][2]["empty"].get<bool>());
  EXPECT_EQ(t["per_case"][2]["hd95"].get<double>(), 0.0);
  EXPECT_EQ(t["per_case"][2]["dice"].get<double>(), 0.0);
  EXPECT_GT(t["per_case"][0]["hd95"].get<double>(), 0.0);
  EXPECT_EQ(t.at("units"), "voxel");
  EXPECT_NEAR(summary.at("val").at("dice").get<double>(), val_dice, 1e-12);

  std::ifstream csv(dir_ / "out" / "test_metrics.csv");
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "case,dice,jaccard,hd95,asd,empty,seconds");
  std::vector<std::string> rows;
  while (std::getline(csv, line)) rows.push_back(line);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].substr(0, 2), "a,");
  EXPECT_NE(rows[2].find(",0,0,0,0,1,"), std::string::npos) << rows[2];
  const double dice_a = std::stod(rows[0].substr(2, rows[0].find(',', 2) - 2));
  EXPECT_NEAR(dice_a, exp[0].dice, 1e-9);
}

// Mean of softmax(x - 0.3) and softmax(x - 0.7) crosses 1/2 exactly at 0.5:
// the ensemble must segment as a single threshold at 0.5, unlike either net.
TEST_F(EvalValidate, EnsembleAveragesProbabilitiesAndNet2IsSelectable) {
  run({{"network", "ensemble"}, {"every", 100}}, 1, 0.3, 0.7);
  json summary = json::parse(std::ifstream(dir_ / "out" / "summary.json"));
  const auto ens = summarize(expected({"a", "b", "c"}, 0.5f));
  EXPECT_NEAR(summary["test"]["mean"]["dice"].get<double>(), ens.dice.mean, 1e-12);
  EXPECT_GT(std::abs(summarize(expected({"a", "b", "c"}, 0.7f)).dice.mean - ens.dice.mean), 1e-4);

  run({{"network", "net2"}, {"every", 100}, {"voxel_metrics", false}}, 1, 0.3, 0.7);
  summary = json::parse(std::ifstream(dir_ / "out" / "summary.json"));
  std::vector<CaseMetrics> exp;
  for (auto& c : cases_) exp.push_back(compute_metrics(threshold(c.image, 0.7f), c.label, {1.0, 1.0, 2.0}));
  EXPECT_NEAR(summary["test"]["mean"]["dice"].get<double>(), summarize(exp).dice.mean, 1e-12);
  EXPECT_NEAR(summary["test"]["mean"]["hd95"].get<double>(), summarize(exp).hd95.mean, 1e-5);
  EXPECT_EQ(summary["test"]["units"], "mm");
}

TEST_F(EvalValidate, WithoutValSplitRefusesToSelectOnTestUnlessAskedTo) {
  write_description({{"test", {"b", "a"}}});
  for (const json& params : {json{{"every", 1}}, json{{"every", 1}, {"split", "test"}}}) {
    try {
      run(params, 1);
      ADD_FAILURE() << "validation on the test split accepted without select_on_test: " << params.dump();
    } catch (const InputError& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("node 'validate'"), std::string::npos) << m;
      EXPECT_NE(m.find("select_on_test"), std::string::npos) << m;
    }
  }
}

TEST_F(EvalValidate, SelectOnTestFallsBackToTestAndCapsCases) {
  write_description({{"test", {"b", "a"}}});
  run({{"every", 1}, {"max_cases", 1}, {"test_at_end", false}, {"select_on_test", true}}, 1);
  ASSERT_EQ(g_seen.size(), 1u);
  EXPECT_EQ(g_seen[0].meta["val"]["split"], "test");
  EXPECT_EQ(g_seen[0].meta["val"]["cases"], 1);
  EXPECT_NEAR(g_seen[0].meta["val"]["dice"].get<double>(), expected({"b"}, 0.5f)[0].dice, 1e-12);
  EXPECT_FALSE(fs::exists(dir_ / "out" / "summary.json"));
}

TEST_F(EvalValidate, RefusesBadConfigurationBeforeRunning) {
  auto message = [&](const json& params) -> std::string {
    try {
      run(params, 1);
    } catch (const InputError& e) {
      return e.what();
    }
    return "(accepted)";
  };
  write_description({{"val", {"a"}}});  // no test split, test_at_end on
  EXPECT_NE(message({{"every", 1}}).find("no split 'test'"), std::string::npos) << message({{"every", 1}});
  write_description({{"val", {"a"}}, {"test", {"b"}}});
  const std::string missing = message({{"every", 1}, {"nets", {"net1", "nope"}}, {"network", "net2"}});
  EXPECT_NE(missing.find("'nope'"), std::string::npos) << missing;
  try {
    run({{"every", 1}, {"nets", {"net1"}}, {"network", "ensemble"}}, 1);
    FAIL() << "ensemble with one net accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("ensemble"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace flowrun
