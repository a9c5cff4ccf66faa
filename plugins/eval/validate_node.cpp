// eval.validate: validation inside a training graph. Every `every` iterations
// (and at the last batch) the mean Dice on the validation split goes into the
// step packet's meta "val"; at the last batch the test split is scored with
// all four metrics and written as summary.json and test_metrics.csv.
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "core/error.h"
#include "lib/torch/collectives.h"
#include "plugins/eval/eval_nodes.h"

namespace fs = std::filesystem;

namespace flowrun {

namespace {

class ValidateNode : public Node {
 public:
  void open(NodeContext& ctx) override {
    const std::string where = "node '" + ctx.id + "'";
    models_ = selected_models(ctx, &names_);
    options_ = eval_options(ctx.params);
    dataset_ = graph_dataset(ctx);
    every_ = ctx.params["every"].get<int64_t>();
    ValidationCases c = validation_cases(ctx, dataset_);
    split_ = c.split;
    on_test_ = split_ == ctx.params["test_split"].get<std::string>();
    val_ids_ = std::move(c.val_ids);
    test_at_end_ = ctx.params["test_at_end"].get<bool>();
    test_ids_ = std::move(c.test_ids);
    test_split_ = c.test_split;
    check_models(raw(models_), options_, static_cast<int64_t>(dataset_.channels.size()), where);
  }

  void process(NodeContext& ctx, BatchIO& io) override {
    Packet p = io.input("in");
    const bool last = io.id() == ctx.last_batch;
    const nlohmann::json& it_meta = p.meta.contains("iteration") ? p.meta["iteration"] : nlohmann::json();
    const int64_t iteration = it_meta.is_number_integer() ? it_meta.get<int64_t>() : io.id();
    // Batch ids count from 0; the lineage validates after every `every` completed iterations.
    const bool validating = (io.id() + 1) % every_ == 0 || last;
    Collectives* dist = collectives_of(ctx);
    const auto wait_for_rank0 = [&] {
      if (dist) dist->barrier("the barrier after rank 0's validation at iteration " + std::to_string(iteration));
    };
    // Data-parallel: rank 0 validates and tests (its weights are every
    // rank's); the others wait at a barrier so none runs ahead into the next
    // step's all-reduce meanwhile.
    if (dist && ctx.dist.rank != 0) {
      if (validating) wait_for_rank0();
      io.emit("out", std::move(p));
      return;
    }
    if (validating) {
      EvalOptions quick = options_;
      quick.dice_only = true;
      quick.save_dir.clear();
      // A stop (Ctrl-C, SIGTERM) cuts the pass short between windows; the
      // batch still completes (without a validation result), so the step it
      // carries is checkpointed with the right iteration.
      quick.window.should_stop = [&ctx] { return ctx.stopping(); };
      EvalResult r;
      try {
        r = evaluate_cases(dataset_, val_ids_, raw(models_), quick);
      } catch (const Cancelled&) {
        std::cerr << "flowrun: " << ctx.id << ": iteration " << iteration << ": validation cut short (stopping)\n";
        wait_for_rank0();
        io.emit("out", std::move(p));
        return;
      }
      last_val_ = {{"dice", r.summary.dice.mean}, {"iteration", iteration}, {"split", split_},
                   {"cases", r.summary.cases}, {"network", ctx.params["network"]}};
      p.meta["val"] = last_val_;
      std::cerr << "flowrun: " << ctx.id << ": iteration " << iteration << ": " << split_ << " Dice "
                << std::fixed << std::setprecision(4) << r.summary.dice.mean << " over " << r.summary.cases
                << " cases\n";
    }
    if (validating) wait_for_rank0();
    if (last && test_at_end_ && !ctx.stopping()) test(ctx, iteration);
    io.emit("out", std::move(p));
  }

 private:
  void test(NodeContext& ctx, int64_t iteration) {
    EvalOptions full = options_;
    if (ctx.params["save_predictions"].get<bool>() && !ctx.out_dir.empty())
      full.save_dir = (fs::path(ctx.out_dir) / "predictions").string();
    EvalResult r = evaluate_cases(dataset_, test_ids_, raw(models_), full,
                                  [&](const CaseResult& c, size_t i, size_t n) {
                                    std::cerr << "flowrun: " << ctx.id << ": test case " << i + 1 << "/" << n << " "
                                              << c.id << " Dice " << std::fixed << std::setprecision(4)
                                              << c.metrics.dice << (c.metrics.empty ? " (empty)" : "") << "\n";
                                  });
    r.split = test_split_;
    nlohmann::json test = result_json(r);
    std::cerr << result_table(test);
    if (ctx.out_dir.empty()) return;
    nlohmann::json summary = {{"test", test},
                              {"iteration", iteration},
                              {"weights", "the last iteration's (checkpoints/last.pt)"},
                              {"validation_split", split_},
                              {"selected_on_test", on_test_},
                              {"network", ctx.params["network"]},
                              {"nets", names_},
                              {"dataset", ctx.dataset}};
    if (!last_val_.is_null()) summary["val"] = last_val_;
    write_json_file(summary, (fs::path(ctx.out_dir) / "summary.json").string());
    write_metrics_csv(r, (fs::path(ctx.out_dir) / "test_metrics.csv").string());
  }

  std::vector<std::shared_ptr<SegmentationModel>> models_;
  std::vector<std::string> names_;
  EvalOptions options_;
  DatasetDescription dataset_;
  int64_t every_ = 200;
  std::string split_, test_split_;
  std::vector<std::string> val_ids_, test_ids_;
  bool test_at_end_ = true;
  bool on_test_ = false;
  nlohmann::json last_val_;
};

std::unique_ptr<Node> make_validate_node(const NodeContext&) { return std::make_unique<ValidateNode>(); }

}  // namespace

void register_validate(Registry& r) { r.add_node(validate_node_schema(), &make_validate_node); }

}  // namespace flowrun
