// Tests of the train plugin: resuming equals never stopping, atomic and
// validated checkpoint files, NaN refusal, best/last/iter files, log.jsonl
// and the lr schedules. A tiny model (a Conv3d behind dropout, so the RNG
// state matters) and a deterministic loss source are registered here.
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "tests/support/expect_error.h"
#include "core/node_runner.h"
#include "core/graph_runner.h"
#include "core/graph_spec.h"
#include "core/graph_validation.h"
#include "core/plugin_loader.h"
#include "core/rng.h"
#include "lib/eval/eval_choices.h"
#include "lib/torch/checkpoint.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace flowrun {
namespace {

std::atomic<bool> g_stop{false};

class TinyModel : public SegmentationModel {
 public:
  TinyModel(int64_t kernel, uint64_t seed, std::shared_ptr<torch::nn::Module> root = nullptr)
      : kernel_(kernel), root_(root ? std::move(root) : std::make_shared<torch::nn::Module>()) {
    torch::manual_seed(seed);
    conv_ = root_->register_module("conv", torch::nn::Conv3d(torch::nn::Conv3dOptions(1, 2, kernel).padding(kernel / 2)));
  }
  torch::nn::Module& module() override { return *root_; }
  at::Tensor forward(const at::Tensor& x) override { return conv_->forward(torch::dropout(x, 0.25, true)); }
  json architecture() const override { return {{"type", "tiny"}, {"kernel", kernel_}, {"classes", 2}}; }
  int64_t in_channels() const override { return 1; }
  int64_t n_classes() const override { return 2; }
  at::Device device() const override { return at::kCPU; }
  int64_t size_divisor() const override { return 1; }
  torch::nn::Conv3d& conv() { return conv_; }

 private:
  int64_t kernel_;
  std::shared_ptr<torch::nn::Module> root_;
  torch::nn::Conv3d conv_{nullptr};
};

// A module whose save fails midway, standing in for a write that dies.
struct FailingSaveModule : torch::nn::Module {
  void save(torch::serialize::OutputArchive&) const override { throw std::runtime_error("simulated crash"); }
};

class Ticks : public Node {
 public:
  void process(NodeContext&, BatchIO& io) override { io.emit("out", Packet{}); }
};

// Loss of both nets on a batch that depends only on (seed, batch id).
class TinyLoss : public Node {
 public:
  void open(NodeContext& ctx) override {
    net1_ = ctx.resource<SegmentationModel>("net1");
    net2_ = ctx.resource<SegmentationModel>("net2");
  }
  void process(NodeContext& ctx, BatchIO& io) override {
    const int64_t id = io.id();
    if (id == ctx.params["stop_at"].get<int64_t>()) g_stop = true;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(stream_key(ctx.seed(), id, "tiny"));
    const at::Tensor x = at::randn({2, 1, 4, 4, 4}, gen);
    const at::Tensor y = (x.squeeze(1) > 0.3).to(at::kLong);
    const at::Tensor l1 = torch::nn::functional::cross_entropy(net1_->forward(x), y);
    const at::Tensor l2 = torch::nn::functional::cross_entropy(net2_->forward(x), y);
    at::Tensor total = l1 + l2;
    json terms = {{"sup1", l1.item<double>()}, {"sup2", l2.item<double>()}, {"w", 0.5}};
    if (id == ctx.params["nan_at"].get<int64_t>()) {
      terms["sup2"] = std::numeric_limits<double>::quiet_NaN();
      total = total * std::numeric_limits<double>::quiet_NaN();
    }
    terms["total"] = total.item<double>();
    Packet p;
    p.set("loss", total);
    p.meta["terms"] = terms;
    io.emit("out", std::move(p));
  }

 private:
  std::shared_ptr<SegmentationModel> net1_, net2_;
};

// Adds meta val {dice} where params.dice[iteration] >= 0, like eval.validate.
class FakeVal : public Node {
 public:
  void process(NodeContext& ctx, BatchIO& io) override {
    Packet p = io.input("in");
    const auto dice = ctx.params["dice"].get<std::vector<double>>();
    if (io.id() < static_cast<int64_t>(dice.size()) && dice[io.id()] >= 0) p.meta["val"] = {{"dice", dice[io.id()]}};
    io.emit("out", std::move(p));
  }
};

void register_test_types(Registry& r) {
  ResourceSchema rs{"test.tiny_model", "Conv3d 1->2 behind dropout", {}};
  rs.params.push_back(ParamSpec::integer("kernel", 3, "kernel size", 1));
  r.add_resource(rs, [](const ResourceContext& c) {
    return std::make_shared<TinyModel>(c.params["kernel"].get<int64_t>(),
                                       c.globals.value("seed", uint64_t{1}) ^ hash_name(c.name));
  });
  NodeSchema s{"test.ticks", "source of empty packets", {}, {{"out", "any", ""}}, {}};
  r.add_node(s, [](const NodeContext&) { return std::make_unique<Ticks>(); });
  s = {"test.tiny_loss", "loss of net1 and net2", {{"in", "any", ""}, {"prev", "any", ""}}, {{"out", "loss", ""}}, {}};
  s.params.push_back(ParamSpec::integer("nan_at", -1, "batch whose loss is NaN"));
  s.params.push_back(ParamSpec::integer("stop_at", -1, "batch that requests a stop"));
  s.serial = true;
  r.add_node(s, [](const NodeContext&) { return std::make_unique<TinyLoss>(); });
  s = {"test.fake_val", "adds val metrics", {{"in", "step", ""}}, {{"out", "step", ""}}, {}};
  s.params.push_back(ParamSpec::float_list("dice", {}, "dice per iteration, < 0 = none"));
  s.serial = true;
  r.add_node(s, [](const NodeContext&) { return std::make_unique<FakeVal>(); });
}

struct Options {
  int iterations = 8;
  int every = 100;
  int keep_every = 0;
  int nan_at = -1;
  int stop_at = -1;
  int net1_kernel = 3;
  std::string schedule = "poly";
  std::string progress = "off";
  std::vector<double> dice;
};

class Train : public ::testing::Test {
 protected:
  void SetUp() override {
    loader.load(FLOWRUN_TRAIN_PLUGIN);
    register_test_types(registry);
    g_stop = false;
    root = fs::temp_directory_path() / ("flowrun_test_train_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root);
    fs::create_directories(root);
  }
  void TearDown() override { fs::remove_all(root); }

  static json graph(const Options& o) {
    json g = json::parse(R"({
      "params": {"seed": 7, "prefetch": 2, "log_every": 2},
      "resources": {"net1": {"type": "test.tiny_model"}, "net2": {"type": "test.tiny_model"},
                    "optimizer": {"type": "train.optimizer", "params": {"lr": 0.1}}},
      "nodes": [{"id": "ticks", "type": "test.ticks"}, {"id": "loss", "type": "test.tiny_loss"},
                {"id": "step", "type": "train.sgd_step"}, {"id": "val", "type": "test.fake_val"},
                {"id": "ckpt", "type": "train.checkpoint"}, {"id": "log", "type": "train.log"}],
      "edges": [["ticks.out", "loss.in"], ["loss.out", "step.in"], ["step.out", "val.in"], ["val.out", "ckpt.in"],
                ["ckpt.out", "log.in"], {"from": "ckpt.out", "to": "loss.prev", "back": true}]})");
    g.merge_patch(json{{"params", {{"iterations", o.iterations}}},
                          {"resources", {{"net1", {{"params", {{"kernel", o.net1_kernel}}}}}}},
                          {"nodes", json::array({json{{"id", "ticks"}, {"type", "test.ticks"}},
                                                 json{{"id", "loss"}, {"type", "test.tiny_loss"},
                                                      {"params", {{"nan_at", o.nan_at}, {"stop_at", o.stop_at}}}},
                                                 json{{"id", "step"}, {"type", "train.sgd_step"},
                                                      {"params", {{"schedule", o.schedule}}}},
                                                 json{{"id", "val"}, {"type", "test.fake_val"}, {"params", {{"dice", o.dice}}}},
                                                 json{{"id", "ckpt"}, {"type", "train.checkpoint"},
                                                      {"params", {{"every", o.every}, {"keep_every", o.keep_every}}}},
                                                 json{{"id", "log"}, {"type", "train.log"}, {"params", {{"progress", o.progress}}}}})}});
    return g;
  }

  RunResult run(const Options& o, const fs::path& dir, int64_t first_batch = 0) {
    ValidatedGraph g = validate_graph(parse_graph(graph(o), "train_test.json"), registry);
    RunOptions ro;
    ro.out_dir = dir.string();
    ro.first_batch = first_batch;
    ro.stop_requested = &g_stop;
    return run_graph(g, registry, ro);
  }

  // The conv weights and bias of net1 and net2 saved in a checkpoint.
  static std::vector<at::Tensor> weights(const fs::path& file) {
    TinyModel a(3, 1), b(3, 2);
    load_checkpoint(file.string(), {{"net1", &a}, {"net2", &b}}, nullptr);
    return {a.conv()->weight.clone(), a.conv()->bias.clone(), b.conv()->weight.clone(), b.conv()->bias.clone()};
  }

  static std::vector<json> log_lines(const fs::path& dir) {
    std::ifstream in(dir / "log.jsonl");
    std::vector<json> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(json::parse(l));
    return lines;
  }

  Registry registry;
  PluginLoader loader{registry};
  fs::path root;
};

using test_support::error_of;

// train.sgd_step alone under the node harness: one step moves both nets'
// weights, reports the scheduled lr, and a NaN loss is refused untouched.
TEST_F(Train, SgdStepRunsAloneUnderTheHarness) {
  NodeRunner step(registry, "train.sgd_step", {{"optimizer", "optimizer"}, {"schedule", "poly"}}, "step");
  step.last_batch(9);
  auto net1 = std::dynamic_pointer_cast<SegmentationModel>(step.resource("net1", "test.tiny_model"));
  auto net2 = std::dynamic_pointer_cast<SegmentationModel>(step.resource("net2", "test.tiny_model"));
  step.resource("optimizer", "train.optimizer", {{"lr", 0.1}});
  step.open();
  auto loss_packet = [&](double scale) {
    const at::Tensor x = at::ones({1, 1, 4, 4, 4});
    Packet p;
    const at::Tensor total = (net1->forward(x).sum() + net2->forward(x).sum()) * scale;
    p.set("loss", total);
    p.meta["terms"] = {{"total", total.item<double>()}};
    return p;
  };
  const at::Tensor before = net1->module().parameters()[0].detach().clone();
  const PacketPtr out = step.run_one(0, NodeRunner::packet(0, loss_packet(1.0)));
  EXPECT_FALSE(at::equal(before, net1->module().parameters()[0]));
  EXPECT_DOUBLE_EQ(out->meta["lr"].get<double>(), 0.1);  // poly at iteration 0
  const at::Tensor kept = net1->module().parameters()[0].detach().clone();
  EXPECT_THROW(step.run_one(1, NodeRunner::packet(1, loss_packet(std::nan("")))), RunError);
  EXPECT_TRUE(at::equal(kept, net1->module().parameters()[0]));
}

TEST_F(Train, ResumeAfterStopEqualsAnUninterruptedRun) {
  Options o;
  run(o, root / "a");
  EXPECT_EQ(read_checkpoint_meta((root / "a/checkpoints/last.pt").string())["iteration"], 7);

  Options stop = o;
  stop.stop_at = 3;
  RunResult r = run(stop, root / "b");
  EXPECT_TRUE(r.stopped);
  const int64_t saved = read_checkpoint_meta((root / "b/checkpoints/last.pt").string())["iteration"];
  EXPECT_GE(saved, 3);
  EXPECT_LT(saved, 7);
  g_stop = false;
  run(o, root / "b", saved + 1);
  EXPECT_EQ(read_checkpoint_meta((root / "b/checkpoints/last.pt").string())["iteration"], 7);

  auto wa = weights(root / "a/checkpoints/last.pt"), wb = weights(root / "b/checkpoints/last.pt");
  TinyModel init(3, 7 ^ hash_name("net1"));
  EXPECT_GT((wa[0] - init.conv()->weight).abs().max().item<double>(), 1e-3) << "training changed nothing";
  for (size_t i = 0; i < wa.size(); ++i)
    EXPECT_LT((wa[i] - wb[i]).abs().max().item<double>(), 1e-6) << "tensor " << i;

  // The resumed log has each iteration once, the redone ones replacing the old.
  auto lines = log_lines(root / "b");
  ASSERT_EQ(lines.size(), 8u);
  for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i]["iteration"], static_cast<int64_t>(i));
}

TEST_F(Train, ResumeNeedsTheSameArchitectureAndACheckpoint) {
  Options o;
  o.iterations = 4;
  EXPECT_NE(error_of<InputError>([&] { run(o, root / "none", 3); }).find("last.pt"), std::string::npos);
  run(o, root / "a");
  o.iterations = 6;
  o.net1_kernel = 1;
  const std::string msg = error_of<InputError>([&] { run(o, root / "a", 4); });
  EXPECT_NE(msg.find("'net1'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("kernel"), std::string::npos) << msg;
  o.net1_kernel = 3;
  const std::string wrong = error_of<InputError>([&] { run(o, root / "a", 2); });
  EXPECT_NE(wrong.find("holds iteration 3"), std::string::npos) << wrong;
}

TEST_F(Train, NanLossFailsAndKeepsTheLastGoodCheckpoint) {
  Options o;
  o.every = 2;
  o.nan_at = 5;
  const std::string msg = error_of<RunError>([&] { run(o, root / "a"); });
  EXPECT_NE(msg.find("iteration 5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'sup2' is NaN"), std::string::npos) << msg;
  // Iteration 4 was stepped, but only the periodic write of iteration 3 may exist.
  EXPECT_EQ(read_checkpoint_meta((root / "a/checkpoints/last.pt").string())["iteration"], 3);
  for (auto& e : fs::directory_iterator(root / "a/checkpoints"))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
}

TEST_F(Train, BestLastAndKeptCheckpointsAndTheLog) {
  Options o;
  o.every = 4;
  o.keep_every = 4;
  o.dice = {-1, 0.5, -1, 0.7, -1, 0.6, -1, 0.65};
  run(o, root / "a");
  const fs::path c = root / "a/checkpoints";
  json best = read_checkpoint_meta((c / "best.pt").string());
  EXPECT_EQ(best["iteration"], 3);
  EXPECT_DOUBLE_EQ(best["best"]["value"].get<double>(), 0.7);
  json last = read_checkpoint_meta((c / "last.pt").string());
  EXPECT_EQ(last["iteration"], 7);
  EXPECT_EQ(last["best"]["iteration"], 3);
  EXPECT_EQ(read_checkpoint_meta((c / "iter_4.pt").string())["iteration"], 3);
  EXPECT_EQ(read_checkpoint_meta((c / "iter_8.pt").string())["iteration"], 7);
  EXPECT_EQ(last["graph"]["resources"]["net1"]["type"], "test.tiny_model");

  auto lines = log_lines(root / "a");
  ASSERT_EQ(lines.size(), 8u);
  for (size_t i = 0; i < lines.size(); ++i) {
    const json& l = lines[i];
    EXPECT_EQ(l["iteration"], static_cast<int64_t>(i));
    for (const char* k : {"sup1", "sup2", "total", "w", "lr", "seconds", "it_per_s"})
      EXPECT_TRUE(l.contains(k) && l[k].is_number()) << "line " << i << " lacks " << k << ": " << l.dump();
    EXPECT_NEAR(l["total"].get<double>(), l["sup1"].get<double>() + l["sup2"].get<double>(), 1e-6);
    // poly: lr0 (1 - it / iterations)^0.9
    EXPECT_NEAR(l["lr"].get<double>(), 0.1 * std::pow(1.0 - static_cast<double>(i) / 8.0, 0.9), 1e-12);
    EXPECT_EQ(l.contains("val"), i % 2 == 1) << l.dump();
  }
  EXPECT_DOUBLE_EQ(lines[3]["val"]["dice"].get<double>(), 0.7);

  Options constant;
  constant.iterations = 3;
  constant.schedule = "constant";
  run(constant, root / "b");
  for (auto& l : log_lines(root / "b")) EXPECT_DOUBLE_EQ(l["lr"].get<double>(), 0.1);
}

TEST_F(Train, PlainProgressPrintsEveryLogEveryIterations) {
  Options o;
  o.iterations = 5;
  o.progress = "plain";
  ::testing::internal::CaptureStderr();
  run(o, root / "a");
  const std::string err = ::testing::internal::GetCapturedStderr();
  // params.log_every is 2: iterations 2 and 4, and the last one.
  for (const char* shown : {"iter 2/5", "iter 4/5", "iter 5/5"}) EXPECT_NE(err.find(shown), std::string::npos) << err;
  for (const char* hidden : {"iter 1/5", "iter 3/5"}) EXPECT_EQ(err.find(hidden), std::string::npos) << err;
  EXPECT_NE(err.find("it/s"), std::string::npos) << err;
  EXPECT_NE(err.find("ETA"), std::string::npos) << err;
}

class Checkpoints : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("flowrun_test_ckpt_" + std::to_string(::getpid()) + "_" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    good = (dir / "last.pt").string();
    std::vector<at::Tensor> params;
    for (auto& p : net1.module().parameters()) params.push_back(p);
    for (auto& p : net2.module().parameters()) params.push_back(p);
    sgd = std::make_unique<torch::optim::SGD>(params, torch::optim::SGDOptions(0.1).momentum(0.9));
    save_checkpoint(good, models(), sgd.get(), {{"iteration", 1}});
  }
  void TearDown() override { fs::remove_all(dir); }
  std::map<std::string, SegmentationModel*> models() { return {{"net1", &net1}, {"net2", &net2}}; }

  TinyModel net1{3, 11}, net2{3, 12};
  std::unique_ptr<torch::optim::SGD> sgd;
  fs::path dir;
  std::string good;
};

TEST_F(Checkpoints, RoundTripRestoresWeights) {
  TinyModel a(3, 99), b(3, 98);
  json meta = load_checkpoint(good, {{"net1", &a}, {"net2", &b}}, nullptr);
  EXPECT_EQ(meta["iteration"], 1);
  EXPECT_TRUE(torch::equal(a.conv()->weight, net1.conv()->weight));
  EXPECT_TRUE(torch::equal(b.conv()->bias, net2.conv()->bias));
  EXPECT_FALSE(torch::equal(a.conv()->weight, TinyModel(3, 99).conv()->weight));
}

TEST_F(Checkpoints, AFailedWriteLeavesThePreviousFileLoadable) {
  // A garbage temporary file left by a killed writer must not matter.
  std::ofstream(good + ".tmp.99999") << "half a checkpoint";
  TinyModel broken(3, 5, std::make_shared<FailingSaveModule>());
  EXPECT_THROW(save_checkpoint(good, {{"net1", &broken}}, nullptr, {{"iteration", 2}}), RunError);
  EXPECT_FALSE(fs::exists(good + ".tmp." + std::to_string(::getpid())));
  EXPECT_EQ(read_checkpoint_meta(good)["iteration"], 1);
  TinyModel a(3, 99), b(3, 98);
  load_checkpoint(good, {{"net1", &a}, {"net2", &b}}, sgd.get());
  // A target whose folder cannot exist (its parent is a file).
  EXPECT_THROW(save_checkpoint(good + "/x.pt", models(), nullptr, {{"iteration", 3}}), RunError);
  EXPECT_EQ(read_checkpoint_meta(good)["iteration"], 1);
}

TEST_F(Checkpoints, TruncatedCorruptOrMissingFilesAreInputErrors) {
  const std::string cut = (dir / "cut.pt").string();
  fs::copy_file(good, cut);
  fs::resize_file(cut, fs::file_size(cut) / 2);
  const std::string garbage = (dir / "garbage.pt").string();
  std::ofstream(garbage) << "this is not a zip archive";
  for (const std::string& p : {cut, garbage, (dir / "missing.pt").string()}) {
    EXPECT_NE(error_of<InputError>([&] { read_checkpoint_meta(p); }).find(p), std::string::npos);
    TinyModel a(3, 1);
    EXPECT_NE(error_of<InputError>([&] { load_checkpoint(p, {{"net1", &a}}, nullptr); }).find(p), std::string::npos);
  }
}

TEST_F(Checkpoints, ArchitectureMismatchNamesResourceAndKeys) {
  TinyModel other(1, 3);
  std::string msg = error_of<InputError>([&] { load_checkpoint(good, {{"net1", &other}}, nullptr); });
  EXPECT_NE(msg.find("'net1'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("kernel (checkpoint 3, graph 1)"), std::string::npos) << msg;
  TinyModel a(3, 1);
  msg = error_of<InputError>([&] { load_checkpoint(good, {{"net3", &a}}, nullptr); });
  EXPECT_NE(msg.find("'net3'"), std::string::npos) << msg;
}

TEST_F(Checkpoints, ResolvesRunFoldersToBestOrLast) {
  fs::create_directories(dir / "run/checkpoints");
  fs::copy_file(good, dir / "run/checkpoints/last.pt");
  EXPECT_EQ(resolve_checkpoint((dir / "run").string()), (dir / "run/checkpoints/last.pt").string());
  fs::copy_file(good, dir / "run/checkpoints/best.pt");
  EXPECT_EQ(resolve_checkpoint((dir / "run").string()), (dir / "run/checkpoints/best.pt").string());
  EXPECT_EQ(resolve_checkpoint(good), good);
  EXPECT_THROW(resolve_checkpoint((dir / "nothing").string()), InputError);
}

}  // namespace
}  // namespace flowrun
