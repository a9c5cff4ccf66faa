// Tests of the cotwin plugin's nodes: as a chain in a graph with vnet.model
// resources (the fixture is in cotwin_graph_fixture.h), and each alone under
// the node harness (core/node_runner.h).
#include <ATen/autocast_mode.h>

#include "core/node_runner.h"
#include "lib/packets/loss_packet.h"
#include "lib/packets/pseudo_packet.h"
#include "tests/cotwin/cotwin_graph_fixture.h"

namespace flowrun {
namespace {

using cotwintest::Captured;
using cotwintest::CotwinNodes;
using nlohmann::json;

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
                     {"unsup_weight", 1.0}, {"dynamic", true}, {"sup_dice", true}}));
  EXPECT_EQ(validate_params(json::object(), fwd.params, "test"),
            (json{{"nets", {"net1", "net2"}}, {"bf16", false}, {"teacher_b_mode", "train"}, {"cutmix", false}}));
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

TEST_F(CotwinNodes, TeacherBModeDecidesWhetherCropsBMoveBatchNormStatistics) {
  // One fixed batch, fixed-label terms only; the BatchNorm running means
  // after the step's forward passes, per way of running the teachers on B.
  auto bn_after = [&](bool with_b, const std::string& mode) {
    run(graph(1, {{"fixed", true}, {"with_b", with_b}}, {{"teacher_b_mode", mode}}, {{"dynamic", false}},
              {{"dynamic", false}}));
    EXPECT_EQ(captured.size(), 1u);
    return captured.at(0);
  };
  const double students_only = bn_after(false, "train").bn_running_mean_sum;
  EXPECT_NE(bn_after(true, "train").bn_running_mean_sum, students_only) << "train: B updates the statistics again";
  EXPECT_EQ(bn_after(true, "train_fixed_stats").bn_running_mean_sum, students_only);
  const Captured eval = bn_after(true, "eval");
  EXPECT_EQ(eval.bn_running_mean_sum, students_only);
  // In eval mode the B logits come from the running statistics: they differ
  // from a batch-statistics pass on the same crops.
  const Captured fixed = bn_after(true, "train_fixed_stats");
  EXPECT_FALSE(at::allclose(value(eval.forward, "logits1_b"), value(fixed.forward, "logits1_b")));
  // Every mode leaves the students' graph intact for the backward (restoring
  // the statistics in place after the students' pass once broke it).
  for (const char* mode : {"train", "eval", "train_fixed_stats"}) {
    const Captured c = bn_after(true, mode);
    EXPECT_NO_THROW(value(c.loss, "loss").backward()) << mode;
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

// bf16 on CPU: autocast for the forward passes (it pays only on CPUs with
// bf16 dot products, but must be correct on every CPU).
TEST_F(CotwinNodes, Bf16OnCpuGivesFloatLogitsAndTermsCloseToFp32) {
  auto terms_of = [&](bool bf16) {
    run(graph(1, {{"fixed", true}}, {{"bf16", bf16}}, {}, {{"rampup", "constant"}}, {}, /*dropout=*/false));
    EXPECT_EQ(captured.size(), 1u);
    const at::Tensor& logits = value(captured.at(0).forward, "logits1");
    EXPECT_EQ(logits.scalar_type(), at::kFloat) << "the loss must see fp32 logits";
    return captured.at(0).loss->meta["terms"];
  };
  const json fp32 = terms_of(false), bf16 = terms_of(true);
  EXPECT_FALSE(at::autocast::is_cpu_enabled()) << "autocast left on after the node";
  bool any_differs = false;
  for (const char* k : {"sup1", "sup2", "fix1", "dyn2", "total"}) {
    const double a = fp32[k].get<double>(), b = bf16[k].get<double>();
    EXPECT_TRUE(std::isfinite(b)) << k;
    EXPECT_NEAR(b, a, 0.05 * std::max(1.0, std::abs(a))) << k << ": bf16 " << b << " vs fp32 " << a;
    any_differs = any_differs || a != b;
  }
  EXPECT_TRUE(any_differs) << "bf16 changed no term: autocast did not act on CPU";
}


}  // namespace
// Each CoTwin node alone under the node harness (the graph tests above run
// them as a chain): forward on a hand-made batch, pseudo-labels on its
// output, the loss on theirs.
TEST_F(CotwinNodes, EachNodeRunsAloneUnderTheHarness) {
  NodeRunner fwd(registry, "cotwin.twin_forward", json::object(), "fwd");
  fwd.globals({{"prefetch", 1}});
  fwd.resource("net1", "vnet.model", {{"n_filters", 4}});
  fwd.resource("net2", "vnet.model", {{"n_filters", 4}, {"init", "xavier"}});
  Packet batch;
  batch.set(batch_packet::kImage, at::randn({4, 1, 16, 16, 16}));
  batch.set(batch_packet::kLabel, at::randint(0, 2, {2, 16, 16, 16}, at::kLong));
  batch.set(batch_packet::kImageB, at::randn({2, 1, 16, 16, 16}));
  Box in_a, in_b;
  overlap_boxes({16, 16, 16}, {2, -3, 1}, &in_a, &in_b);
  batch.meta = {{"labeled_count", 2}, {"unlabeled_count", 2}, {"shifts", {{2, -3, 1}, {2, -3, 1}}},
                {"overlaps", {overlap_to_json(in_a, in_b), overlap_to_json(in_a, in_b)}}, {"patch", {16, 16, 16}}};
  const PacketPtr f = fwd.run_one(0, NodeRunner::packet(0, std::move(batch)));
  EXPECT_EQ(f->get<at::Tensor>(forward_packet::kLogits1).sizes(), (std::vector<int64_t>{4, 2, 16, 16, 16}));
  EXPECT_EQ(f->get<at::Tensor>(forward_packet::kLogits2B).sizes(), (std::vector<int64_t>{2, 2, 16, 16, 16}));

  NodeRunner pseudo(registry, "cotwin.pseudo_labels", json::object(), "pseudo");
  const PacketPtr p = pseudo.run_one(0, f);
  for (int net : {1, 2}) {
    EXPECT_EQ(p->get<at::Tensor>(pseudo_packet::fixed_from(net)).sizes(), (std::vector<int64_t>{2, 16, 16, 16}));
    EXPECT_FALSE(p->get<at::Tensor>(pseudo_packet::dynamic_from(net)).requires_grad());
  }

  NodeRunner loss(registry, "cotwin.loss", {{"rampup", "constant"}}, "loss");
  loss.last_batch(0);
  const PacketPtr l = loss.run_one(0, p);
  const at::Tensor total = l->get<at::Tensor>(loss_packet::kLoss);
  EXPECT_TRUE(total.requires_grad());
  EXPECT_NEAR(total.item<double>(), l->meta["terms"]["total"].get<double>(), 1e-6);
  EXPECT_NO_THROW(total.backward());

  // Without crops B the dynamic labels cannot be made: the node says so.
  Packet plain;
  plain.set(forward_packet::kLogits1, at::randn({3, 2, 16, 16, 16}));
  plain.set(forward_packet::kLogits2, at::randn({3, 2, 16, 16, 16}));
  plain.meta = {{"labeled_count", 1}, {"unlabeled_count", 2}};
  NodeRunner pseudo2(registry, "cotwin.pseudo_labels", json::object(), "pseudo2");
  EXPECT_THROW(pseudo2.run_one(0, NodeRunner::packet(0, std::move(plain))), RunError);
}

}  // namespace flowrun
