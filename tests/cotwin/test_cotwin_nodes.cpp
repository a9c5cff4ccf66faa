// Tests of the cotwin plugin's nodes run as a graph with vnet.model
// resources: a test source emits `batch` packets, twin_forward ->
// pseudo_labels -> loss, and a capture node records every packet (and can
// take SGD steps over both nets, to see that the loss trains them).
#include <algorithm>
#include <cmath>
#include <mutex>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/error.h"
#include "core/graph_runner.h"
#include "core/graph_spec.h"
#include "core/graph_validation.h"
#include "core/plugin_loader.h"
#include "core/registry.h"
#include "core/rng.h"
#include "plugins/common/segmentation_model.h"
#include "plugins/cotwin/cutmix.h"
#include "plugins/cotwin/pseudo_labels.h"

namespace flowrun {
namespace {

using nlohmann::json;

struct Captured {
  PacketPtr forward, pseudo, loss;
};

// Emits random `batch` packets of L labelled + U unlabelled 16^3 crops; with
// `fixed` every batch is the same one.
class BatchSource : public Node {
 public:
  void process(NodeContext& ctx, BatchIO& io) override {
    const json& p = ctx.params;
    const int64_t L = p["labeled"], U = p["unlabeled"];
    const uint64_t key = p["fixed"].get<bool>() ? 99 : stream_key(ctx.seed(), io.id(), ctx.id);
    at::Generator gen = at::detail::createCPUGenerator(key);
    const at::Tensor image = at::randn({L + U, 1, 16, 16, 16}, gen);
    Packet out;
    out.set("image", image);
    // A label the nets can learn from the image: its sign.
    out.set("label", (image.slice(0, 0, L).select(1, 0) > 0).to(at::kLong));
    json shifts = json::array();
    if (p["with_b"].get<bool>() && U > 0) {
      out.set("image_b", at::randn({U, 1, 16, 16, 16}, gen));
      for (int64_t i = 0; i < U; ++i) shifts.push_back(p["shift"]);
    }
    out.meta = {{"labeled_count", L}, {"unlabeled_count", U}, {"shifts", shifts}, {"patch", {16, 16, 16}}};
    io.emit("out", std::move(out));
  }
};

// Records each batch's forward, pseudo and loss packets; with `sgd` it also
// steps one SGD optimizer over both nets on the loss.
class Capture : public Node {
 public:
  Capture(std::vector<Captured>* store, std::mutex* mu) : store_(store), mu_(mu) {}
  void open(NodeContext& ctx) override {
    if (!ctx.params["sgd"].get<bool>()) return;
    std::vector<at::Tensor> params;
    for (const char* name : {"net1", "net2"})
      for (auto& t : ctx.resource<SegmentationModel>(name)->module().parameters()) params.push_back(t);
    sgd_ = std::make_unique<torch::optim::SGD>(params, torch::optim::SGDOptions(0.01).momentum(0.9));
  }
  void process(NodeContext&, BatchIO& io) override {
    if (sgd_) {
      sgd_->zero_grad();
      io.input("l").get<at::Tensor>("loss").backward();
      sgd_->step();
    }
    std::lock_guard<std::mutex> lock(*mu_);
    store_->push_back({io.input_ptr("f"), io.input_ptr("p"), io.input_ptr("l")});
  }

 private:
  std::vector<Captured>* store_;
  std::mutex* mu_;
  std::unique_ptr<torch::optim::SGD> sgd_;
};

class CotwinNodes : public ::testing::Test {
 protected:
  Registry registry;
  PluginLoader loader{registry};
  std::vector<Captured> captured;
  std::mutex mu;

  void SetUp() override {
    loader.load(FLOWRUN_VNET_PLUGIN);
    loader.load(FLOWRUN_COTWIN_PLUGIN);
    NodeSchema src{"test.batch_source", "random batches", {}, {{"out", "batch", ""}}, {}};
    src.params.push_back(ParamSpec::integer("labeled", 2, "L", 0));
    src.params.push_back(ParamSpec::integer("unlabeled", 2, "U", 0));
    src.params.push_back(ParamSpec::boolean("with_b", true, "emit crops B"));
    src.params.push_back(ParamSpec::boolean("fixed", false, "the same batch every time"));
    src.params.push_back(ParamSpec::int_list("shift", {2, -3, 1}, "d of every unlabelled sample", 3));
    registry.add_node(src, [](const NodeContext&) { return std::make_unique<BatchSource>(); });
    NodeSchema cap{"test.capture", "records packets",
                   {{"f", "forward", ""}, {"p", "pseudo", ""}, {"l", "loss", ""}}, {}, {}};
    cap.params.push_back(ParamSpec::boolean("sgd", false, "step SGD over net1 and net2"));
    cap.serial = true;
    registry.add_node(cap, [this](const NodeContext&) { return std::make_unique<Capture>(&captured, &mu); });
  }
  void TearDown() override { captured.clear(); }  // before the plugins can unload

  // The test graph; each argument holds params merged into that node's.
  static json graph(int64_t iterations, json source = json::object(), json forward = json::object(),
                    json pseudo = json::object(), json loss = json::object(), json capture = json::object(),
                    bool dropout = true) {
    // An empty {} argument arrives as null, and pairs of strings would read
    // as objects: spell both out.
    for (json* p : {&source, &forward, &pseudo, &loss, &capture})
      if (p->is_null()) *p = json::object();
    json edges = json::array();
    for (auto [from, to] : {std::pair{"src.out", "fwd.in"}, {"fwd.out", "pl.in"}, {"pl.out", "loss.in"},
                            {"fwd.out", "cap.f"}, {"pl.out", "cap.p"}, {"loss.out", "cap.l"}})
      edges.push_back(json::array({from, to}));
    json net1 = {{"n_filters", 4}, {"init", "kaiming"}, {"dropout", dropout}};
    json net2 = {{"n_filters", 4}, {"init", "xavier"}, {"dropout", dropout}};
    return {{"params", {{"seed", 3}, {"iterations", iterations}, {"device", "cpu"}, {"prefetch", 1}}},
            {"resources", {{"net1", {{"type", "vnet.model"}, {"params", net1}}},
                           {"net2", {{"type", "vnet.model"}, {"params", net2}}}}},
            {"nodes", {{{"id", "src"}, {"type", "test.batch_source"}, {"params", source}},
                       {{"id", "fwd"}, {"type", "cotwin.twin_forward"}, {"params", forward}},
                       {{"id", "pl"}, {"type", "cotwin.pseudo_labels"}, {"params", pseudo}},
                       {{"id", "loss"}, {"type", "cotwin.loss"}, {"params", loss}},
                       {{"id", "cap"}, {"type", "test.capture"}, {"params", capture}}}},
            {"edges", edges}};
  }

  void run(const json& doc) {
    captured.clear();
    ValidatedGraph g = validate_graph(parse_graph(doc, "cotwin_test.json"), registry);
    RunOptions o;
    o.max_threads = 2;
    run_graph(g, registry, o);
    std::sort(captured.begin(), captured.end(),
              [](const Captured& a, const Captured& b) { return a.loss->batch_id < b.loss->batch_id; });
  }

  static double term(const Captured& c, const char* name) { return c.loss->meta["terms"][name].get<double>(); }
  static const at::Tensor& value(const PacketPtr& p, const char* name) { return p->get<at::Tensor>(name); }
};

void expect_close(double a, double b, const std::string& what) {
  EXPECT_NEAR(a, b, 1e-5 * std::max(1.0, std::abs(b))) << what;
}

TEST_F(CotwinNodes, PluginRegistersTheNodeTypesWithTheirDefaults) {
  for (const char* t : {"cotwin.twin_forward", "cotwin.pseudo_labels", "cotwin.loss"})
    ASSERT_NE(registry.node(t), nullptr) << t;
  const NodeSchema& fwd = registry.node("cotwin.twin_forward")->schema;
  EXPECT_EQ(fwd.inputs.at(0).type, "batch");
  EXPECT_EQ(fwd.outputs.at(0).type, "forward");
  EXPECT_EQ(registry.node("cotwin.pseudo_labels")->schema.outputs.at(0).type, "pseudo");
  EXPECT_EQ(registry.node("cotwin.loss")->schema.outputs.at(0).type, "loss");
  const json d = validate_params(json::object(), registry.node("cotwin.loss")->schema.params, "test");
  EXPECT_EQ(d, (json{{"alpha", 0.5}, {"beta", 0.1}, {"unsup_dice", false}, {"rampup", "sigmoid"},
                     {"rampup_unit", "epochs"}, {"rampup_length", 40.0}, {"rampup_iters_per_epoch", 150},
                     {"unsup_weight", 1.0}, {"dynamic", true}}));
  EXPECT_EQ(validate_params(json::object(), fwd.params, "test"),
            (json{{"nets", {"net1", "net2"}}, {"bf16", false}, {"cutmix", false}}));
  EXPECT_THROW(validate_params({{"combine", "median"}}, registry.node("cotwin.pseudo_labels")->schema.params, "t"),
               InputError);
}

TEST_F(CotwinNodes, TermsFollowTheFormulaAndLabelsCarryNoGradient) {
  const double alpha = 0.5, beta = 2.0;
  run(graph(3, {}, {}, {}, {{"beta", beta}, {"rampup", "linear"}, {"rampup_unit", "iterations"}, {"rampup_length", 4}}));
  ASSERT_EQ(captured.size(), 3u);
  for (const Captured& c : captured) {
    const int64_t id = c.loss->batch_id;
    SCOPED_TRACE("batch " + std::to_string(id));
    for (auto& [k, v] : c.loss->meta["terms"].items()) EXPECT_TRUE(std::isfinite(v.get<double>())) << k;
    expect_close(term(c, "w"), id / 4.0, "w");
    const double w = term(c, "w");
    expect_close(term(c, "total1"), alpha * term(c, "sup1") + w * (term(c, "fix1") + beta * term(c, "dyn1")), "total1");
    expect_close(term(c, "total2"), alpha * term(c, "sup2") + w * (term(c, "fix2") + beta * term(c, "dyn2")), "total2");
    expect_close(term(c, "total"), term(c, "total1") + term(c, "total2"), "total");
    EXPECT_GT(term(c, "fix1"), 0);
    EXPECT_GT(term(c, "dyn2"), 0);
    const at::Tensor& loss = value(c.loss, "loss");
    EXPECT_EQ(loss.dim(), 0);
    EXPECT_TRUE(loss.requires_grad());
    expect_close(loss.item<double>(), term(c, "total"), "loss value");

    EXPECT_TRUE(value(c.forward, "logits1").requires_grad());
    EXPECT_EQ(value(c.forward, "logits1").sizes(), (std::vector<int64_t>{4, 2, 16, 16, 16}));
    EXPECT_FALSE(value(c.forward, "logits2_b").requires_grad());
    EXPECT_EQ(value(c.forward, "logits2_b").sizes(), (std::vector<int64_t>{2, 2, 16, 16, 16}));
    for (const char* k : {"fix_from1", "dyn_from1", "fix_from2", "dyn_from2"}) {
      EXPECT_FALSE(value(c.pseudo, k).requires_grad()) << k;
      EXPECT_EQ(value(c.pseudo, k).scalar_type(), at::kLong) << k;
      EXPECT_EQ(value(c.pseudo, k).sizes(), (std::vector<int64_t>{2, 16, 16, 16})) << k;
    }
    // The labels are the teachers' own outputs: argmax on A, and on the
    // overlap with B (shift (2, -3, 1)) the mean of both views.
    const at::Tensor a1 = value(c.forward, "logits1").slice(0, 2).detach();
    EXPECT_TRUE(torch::equal(value(c.pseudo, "fix_from1"), a1.argmax(1)));
    const OverlapBox box = overlap_from_shift({16, 16, 16}, {2, -3, 1});
    const at::Tensor dyn = dynamic_pseudo_label(a1, value(c.forward, "logits1_b"), {box, box}, Combine::mean);
    EXPECT_TRUE(torch::equal(value(c.pseudo, "dyn_from1"), dyn));
  }
}

TEST_F(CotwinNodes, WithoutDynamicLabelsTheDynamicTermsVanish) {
  run(graph(2, {}, {}, {{"dynamic", false}}, {{"dynamic", false}, {"rampup", "constant"}}));
  ASSERT_EQ(captured.size(), 2u);
  for (const Captured& c : captured) {
    EXPECT_TRUE(torch::equal(value(c.pseudo, "dyn_from1"), value(c.pseudo, "fix_from1")));
    EXPECT_TRUE(torch::equal(value(c.pseudo, "dyn_from2"), value(c.pseudo, "fix_from2")));
    EXPECT_EQ(term(c, "dyn1"), 0.0);
    EXPECT_EQ(term(c, "dyn2"), 0.0);
    EXPECT_EQ(term(c, "w"), 1.0);
    expect_close(term(c, "total"),
                 0.5 * (term(c, "sup1") + term(c, "sup2")) + term(c, "fix1") + term(c, "fix2"), "total");
  }
}

TEST_F(CotwinNodes, SupervisedOnlyBatchesGiveTheSupervisedLoss) {
  run(graph(2, {{"unlabeled", 0}, {"with_b", false}}));
  ASSERT_EQ(captured.size(), 2u);
  for (const Captured& c : captured) {
    EXPECT_FALSE(c.forward->has("logits1_b"));
    EXPECT_EQ(value(c.pseudo, "fix_from2").size(0), 0);
    for (const char* k : {"fix1", "fix2", "dyn1", "dyn2"}) EXPECT_EQ(term(c, k), 0.0) << k;
    expect_close(term(c, "total"), 0.5 * (term(c, "sup1") + term(c, "sup2")), "total");
    EXPECT_TRUE(value(c.loss, "loss").requires_grad());
  }
}

TEST_F(CotwinNodes, DynamicLabelsWithoutCropsBFailNamingImageB) {
  try {
    run(graph(1, {{"with_b", false}}));
    ADD_FAILURE() << "ran without crops B";
  } catch (const RunError& e) {
    EXPECT_NE(std::string(e.what()).find("image_b"), std::string::npos) << e.what();
  }
}

TEST_F(CotwinNodes, RampUpAsAFractionOfTheRunUsesTheLastBatch) {
  run(graph(4, {}, {}, {}, {{"rampup", "linear"}, {"rampup_unit", "fraction"}, {"rampup_length", 0.5}}));
  ASSERT_EQ(captured.size(), 4u);
  const double expected[] = {0.0, 0.5, 1.0, 1.0};
  for (size_t i = 0; i < 4; ++i) expect_close(term(captured[i], "w"), expected[i], "w at " + std::to_string(i));
}

TEST_F(CotwinNodes, NetsMustBeTwoExistingModels) {
  EXPECT_THROW(run(graph(1, {}, {{"nets", {"net1", "net1"}}})), InputError);
  EXPECT_THROW(run(graph(1, {}, {{"nets", {"net1", "net3"}}})), InputError);
  EXPECT_THROW(run(graph(1, {}, {{"nets", json::array({"net1"})}})), InputError);
}

TEST_F(CotwinNodes, RunsAreReproducible) {
  run(graph(2));
  std::vector<json> first;
  for (auto& c : captured) first.push_back(c.loss->meta["terms"]);
  run(graph(2));
  ASSERT_EQ(captured.size(), first.size());
  for (size_t i = 0; i < first.size(); ++i) EXPECT_EQ(captured[i].loss->meta["terms"], first[i]);
}

TEST_F(CotwinNodes, CutMixMixesStudentInputsAndBothLabelsWithOneMask) {
  run(graph(1, {}, {{"cutmix", true}}));
  ASSERT_EQ(captured.size(), 1u);
  const Captured& c = captured[0];
  const at::Tensor& mask = value(c.forward, "cutmix_mask");
  const at::Tensor& perm = value(c.forward, "cutmix_perm");
  EXPECT_EQ(mask.sizes(), (std::vector<int64_t>{2, 16, 16, 16}));
  EXPECT_GT(mask.sum().item<double>(), 0.0);
  EXPECT_TRUE(torch::equal(perm, torch::tensor({1, 0}, at::kLong)));
  const at::Tensor& a1 = value(c.forward, "logits1_a");
  EXPECT_FALSE(a1.requires_grad());
  // Teachers label the unmixed crops; the labels are then mixed like the inputs.
  EXPECT_TRUE(torch::equal(value(c.pseudo, "fix_from1"), mix_labels(a1.argmax(1), mask, perm)));
  const OverlapBox box = overlap_from_shift({16, 16, 16}, {2, -3, 1});
  const at::Tensor dyn = dynamic_pseudo_label(a1, value(c.forward, "logits1_b"), {box, box}, Combine::mean);
  EXPECT_TRUE(torch::equal(value(c.pseudo, "dyn_from1"), mix_labels(dyn, mask, perm)));
  EXPECT_TRUE(std::isfinite(term(c, "total")));
}

TEST_F(CotwinNodes, SgdStepsOnAFixedBatchReduceTheLoss) {
  run(graph(12, {{"fixed", true}}, {}, {}, {{"rampup", "constant"}}, {{"sgd", true}}, /*dropout=*/false));
  ASSERT_EQ(captured.size(), 12u);
  const double first = term(captured.front(), "total"), last = term(captured.back(), "total");
  EXPECT_LT(last, 0.9 * first) << "first " << first << ", last " << last;
}

}  // namespace
}  // namespace flowrun
