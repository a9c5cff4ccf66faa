// The cotwin node types' contracts (ports, parameters, agreements, the
// preflight), without torch headers: compiled into the plugin and into its
// contract library (libflowrun_cotwin.contract.so), so `flowrun validate`
// checks them without loading LibTorch.
#include "lib/packets/loss_packet.h"
#include "lib/packets/pseudo_packet.h"
#include "plugins/cotwin/cotwin_nodes.h"

namespace flowrun {

// Checked by `flowrun validate` too (NodeSchema::preflight).
void check_twin_forward_configuration(const NodeContext& ctx) {
  const auto names = ctx.params.at("nets").get<std::vector<std::string>>();
  if (names.size() != 2 || names[0] == names[1])
    throw InputError("node '" + ctx.id + "': params.nets must name two different models");
  // With batches prefetched, batch n+1's forward would otherwise run on
  // weights that batch n's step is about to change in place (stale
  // gradients, autograd version errors) while eval/checkpoints read them.
  if (!ctx.connected.count("after") && ctx.globals.value("prefetch", 2) > 1)
    throw InputError("node '" + ctx.id + "': with params.prefetch > 1, connect a back edge from the last node "
                     "that uses the nets to this node's `after` input, e.g. {\"from\": \"checkpoint.out\", "
                     "\"to\": \"" + ctx.id + ".after\", \"back\": true}, so a forward pass starts only after "
                     "the previous batch's step (or set params.prefetch to 1)");
}

NodeSchema twin_forward_schema() {
  NodeSchema s{"cotwin.twin_forward",
               "forward passes of both nets: students on crops A (autograd), teachers on crops B (no grad)",
               {{"in", batch_packet::kType, "training batch (labelled first)", false, {batch_packet::kImage}},
                {"after", "any",
                 "ordering only: a back edge from the last node using the nets (required when prefetch > 1)", true}},
               {{"out", forward_packet::kType,
                 "the batch plus logits1, logits2 [B,K,...] and logits1_b, logits2_b [U,K,...]", false,
                 forward_packet::keys()}},
               {}};
  ParamSpec nets = ParamSpec::resource_list("nets", {"net1", "net2"}, "the two SegmentationModel resources (f1, f2)");
  nets.length = 2;
  s.params.push_back(nets);
  s.params.push_back(ParamSpec::boolean("bf16", false, "bf16 autocast of the forward passes (CUDA; on CPU it pays only with AVX512_BF16 or AMX: measured 1.4-1.6x per step on such a CPU, see docs/results.md)"));
  s.params.push_back(ParamSpec::choice(
      "teacher_b_mode", "train", {"train", "eval", "train_fixed_stats"},
      "the no-grad pass on crops B: train (batch statistics and dropout; BatchNorm running statistics updated a "
      "second time per step), eval (running statistics, no dropout), train_fixed_stats (batch statistics and "
      "dropout, running statistics untouched)"));
  s.params.push_back(ParamSpec::boolean(
      "cutmix", false,
      "TraCoCo CutMix: students see mixed unlabelled crops; adds logits*_a, cutmix_mask, cutmix_perm"));
  s.preflight = &check_twin_forward_configuration;
  return s;
}

NodeSchema pseudo_labels_schema() {
  NodeSchema s{"cotwin.pseudo_labels",
               "fixed and dynamic (DPLG) pseudo-labels of each net for the other one",
               {{"in", forward_packet::kType, "output of cotwin.twin_forward", false,
                 {forward_packet::kLogits1, forward_packet::kLogits2}}},
               {{"out", pseudo_packet::kType, "the forward values plus fix_from1, dyn_from1, fix_from2, dyn_from2 [U,X,Y,Z]",
                 false, pseudo_packet::keys()}},
               {}};
  s.params.push_back(ParamSpec::choice("combine", "mean", {"mean", "replace", "max"},
                                       "how the teacher's view of B updates its view of A on the overlap"));
  s.params.push_back(ParamSpec::boolean("dynamic", true, "false: dynamic labels = fixed ones (CPS baseline)"));
  s.agreements.push_back({"dynamic", "cotwin.loss", "dynamic",
                          "the loss's dynamic terms train on these dynamic labels (false on both: the CPS baseline)"});
  return s;
}

NodeSchema cotwin_loss_schema() {
  NodeSchema s{"cotwin.loss",
               "L_j = alpha sup_j + w(t) (fix_j + beta dyn_j), total = L_1 + L_2 (one backward trains both nets)",
               {{"in", pseudo_packet::kType, "output of cotwin.pseudo_labels", false,
                 {batch_packet::kLabel, forward_packet::kLogits1, forward_packet::kLogits2, pseudo_packet::kFixFrom1,
                  pseudo_packet::kDynFrom1, pseudo_packet::kFixFrom2, pseudo_packet::kDynFrom2}}},
               {{"out", loss_packet::kType, "value loss (scalar with autograd), meta terms", false, loss_packet::keys()}},
               {}};
  s.params.push_back(ParamSpec::real("alpha", 0.5, "weight of the supervised terms", 0));
  s.params.push_back(ParamSpec::real("beta", 0.1, "weight of the dynamic terms (LA 0.1, Pancreas 4.0, BraTS 1.0)", 0));
  s.params.push_back(ParamSpec::boolean("unsup_dice", false, "add soft Dice to the pseudo-label terms"));
  s.params.push_back(ParamSpec::boolean("sup_dice", true,
                                        "soft Dice in the supervised terms; false = cross-entropy alone (a mean over "
                                        "voxels, so a data-parallel run equals one process at the whole batch)"));
  s.params.push_back(ParamSpec::choice("rampup", "sigmoid", {"sigmoid", "linear", "constant"}, "shape of w(t)"));
  s.params.push_back(ParamSpec::choice("rampup_unit", "epochs", {"epochs", "iterations", "fraction"},
                                       "unit of t and rampup_length (fraction: of the run's iterations)"));
  s.params.push_back(ParamSpec::real("rampup_length", 40.0, "T: ramp-up length in rampup_unit", 0));
  s.params.push_back(ParamSpec::integer("rampup_iters_per_epoch", 150, "iterations per epoch (epochs unit)", 1));
  s.params.push_back(ParamSpec::real("unsup_weight", 1.0, "w at the end of the ramp-up", 0));
  s.params.push_back(ParamSpec::boolean("dynamic", true, "false: no dynamic terms (CPS baseline)"));
  return s;
}

}  // namespace flowrun
