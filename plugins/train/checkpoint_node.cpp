// `train.checkpoint`: writes DIR/checkpoints/last.pt every N iterations and
// at the end (also when stopped by Ctrl-C, never after a failure), best.pt
// when the validation metric improves, and restores everything on resume.
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include <torch/optim/sgd.h>

#include "lib/torch/checkpoint.h"
#include "plugins/train/train_state.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace flowrun {

namespace {

// Atomic like save_checkpoint: a second target gets a copy of the first.
void copy_atomically(const fs::path& from, const fs::path& to) {
  const fs::path tmp = to.string() + ".tmp." + std::to_string(::getpid());
  std::error_code ec;
  fs::copy_file(from, tmp, fs::copy_options::overwrite_existing, ec);
  if (!ec) fs::rename(tmp, to, ec);
  if (ec) {
    std::error_code ignore;
    fs::remove(tmp, ignore);
    throw RunError("copying checkpoint " + from.string() + " to " + to.string() + ": " + ec.message());
  }
}

class CheckpointNode : public Node {
 public:
  void open(NodeContext& ctx) override {
    state_ = ctx.resource<TrainState>(ctx.params["optimizer"].get<std::string>());
    state_->bind(ctx);
    for (auto& net : ctx.params["nets"].get<std::vector<std::string>>()) {
      auto m = ctx.resource<SegmentationModel>(net);
      models_[net] = m.get();
      keep_alive_.push_back(std::move(m));
    }
    every_ = ctx.params["every"].get<int64_t>();
    keep_every_ = ctx.params["keep_every"].get<int64_t>();
    metric_ = ctx.params["best_metric"].get<std::string>();
    maximize_ = ctx.params["best_mode"].get<std::string>() == "max";
    if (!ctx.out_dir.empty()) {
      dir_ = fs::path(ctx.out_dir) / "checkpoints";
      remove_stale_checkpoint_temps(dir_.string());  // a resumed run cleans up at once
    }
    last_saved_ = ctx.first_batch - 1;
    if (ctx.first_batch > 0) resume(ctx);
  }

  void process(NodeContext& ctx, BatchIO& io) override {
    const Packet& in = io.input("in");
    const int64_t it = io.id();
    const int64_t done = it + 1;
    bool improved = false;
    if (!metric_.empty() && in.meta.contains("val") && in.meta["val"].contains(metric_) &&
        in.meta["val"][metric_].is_number()) {
      const double v = in.meta["val"][metric_].get<double>();
      const bool first = !best_.contains("value");
      improved = std::isfinite(v) && (first || (maximize_ ? v > best_["value"].get<double>()
                                                          : v < best_["value"].get<double>()));
      if (improved) best_ = {{"metric", metric_}, {"value", v}, {"iteration", it},
                             {"split", in.meta["val"].value("split", std::string("?"))}};
    }
    const bool periodic = every_ > 0 && done % every_ == 0;
    const bool keep = keep_every_ > 0 && done % keep_every_ == 0;
    if (!dir_.empty() && (periodic || keep || improved)) {
      std::vector<std::string> names;
      if (improved) names.push_back("best.pt");
      if (periodic) names.push_back("last.pt");
      if (keep) names.push_back("iter_" + std::to_string(done) + ".pt");
      std::lock_guard<std::mutex> lock(state_->mu);
      // The weights must be those of this iteration: a later step may not
      // have run yet (see the schema doc on the back edge).
      if (state_->last_stepped != it)
        throw RunError("checkpoint of iteration " + std::to_string(it) + ": the optimizer has already stepped "
                       "iteration " + std::to_string(state_->last_stepped) + ", so the weights are not this "
                       "iteration's; feed the forward node a back edge from this node's output so the next step "
                       "waits for the checkpoint");
      write(ctx, it, names);
      if (periodic) last_saved_ = it;
    }
    io.forward("in", "out");
  }

  void close(NodeContext& ctx) override {
    if (!state_ || dir_.empty()) return;
    if (ctx.failed && !ctx.stopping()) {
      std::cerr << "flowrun: " << ctx.id << ": the run failed; " << (dir_ / "last.pt").string()
                << " keeps the last good state (iteration " << last_saved_ << ")\n";
      return;
    }
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->poisoned) return;
    const int64_t it = state_->last_stepped;
    if (it < ctx.first_batch || it == last_saved_) return;  // nothing new since the last write
    write(ctx, it, {"last.pt"});
    last_saved_ = it;
  }

 private:
  // Called with state_->mu held.
  void write(const NodeContext& ctx, int64_t it, const std::vector<std::string>& names) {
    json meta;
    meta["iteration"] = it;
    meta["graph"] = ctx.graph_json;
    meta["optimizer"] = state_->name();
    meta["optimizer_nets"] = state_->nets();
    meta["rng"] = state_->rng_after_step;
    if (!best_.is_null()) meta["best"] = best_;
    const fs::path first = dir_ / names.front();
    save_checkpoint(first.string(), models_, &state_->sgd(), meta);
    for (size_t i = 1; i < names.size(); ++i) copy_atomically(first, dir_ / names[i]);
  }

  // Every rank of a data-parallel run reads the same last.pt (run_dir: ranks
  // other than 0 write nothing, so their dir_ is empty).
  void resume(const NodeContext& ctx) {
    if (ctx.run_dir.empty()) throw InputError("resuming needs the run folder (the run has no output folder)");
    const std::string path = (fs::path(ctx.run_dir) / "checkpoints" / "last.pt").string();
    const json meta = read_checkpoint_meta(path);
    const int64_t saved = meta["iteration"].get<int64_t>();
    if (saved != ctx.first_batch - 1)
      throw InputError(path + " holds iteration " + std::to_string(saved) + ", but the run resumes at batch " +
                       std::to_string(ctx.first_batch) + " (expected iteration " +
                       std::to_string(ctx.first_batch - 1) + ")");
    check_same_resources(path, meta, ctx);
    load_checkpoint(path, models_, &state_->sgd());
    restore_rng_state(meta.value("rng", json()), path);
    if (meta.contains("best")) best_ = meta["best"];
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->last_stepped = saved;
    state_->rng_after_step = meta.value("rng", json());
  }

  // Architectures are checked by load_checkpoint; this catches a graph whose
  // models or optimizer are other resources than the checkpoint's.
  void check_same_resources(const std::string& path, const json& meta, const NodeContext& ctx) const {
    const json empty = json::object();
    const json& old_res = meta.contains("graph") ? meta["graph"].value("resources", empty) : empty;
    const json& new_res = ctx.graph_json.value("resources", empty);
    std::vector<std::string> names;
    for (auto& [n, m] : models_) names.push_back(n);
    names.push_back(state_->name());
    for (auto& n : names) {
      if (!old_res.contains(n))
        throw InputError(path + ": the graph that wrote this checkpoint has no resource '" + n +
                         "'; resume with the same graph");
      const std::string t_old = old_res[n].value("type", ""), t_new = new_res.contains(n) ? new_res[n].value("type", "") : "";
      if (t_old != t_new)
        throw InputError(path + ": resource '" + n + "' is a " + t_old + " in the checkpoint's graph but a " +
                         t_new + " in this graph");
    }
    const json saved_nets = meta.value("optimizer_nets", json::array());
    if (saved_nets != json(state_->nets()))
      throw InputError(path + ": optimizer '" + state_->name() + "' covered " + saved_nets.dump() +
                       " in the checkpoint's graph but covers " + json(state_->nets()).dump() + " here");
  }

  std::shared_ptr<TrainState> state_;
  std::map<std::string, SegmentationModel*> models_;
  std::vector<std::shared_ptr<SegmentationModel>> keep_alive_;
  fs::path dir_;
  int64_t every_ = 200, keep_every_ = 0, last_saved_ = -1;
  std::string metric_;
  bool maximize_ = true;
  json best_;
};

}  // namespace

void register_checkpoint(Registry& r) { r.add_node(checkpoint_schema(), [](const NodeContext&) { return std::make_unique<CheckpointNode>(); }); }

}  // namespace flowrun
