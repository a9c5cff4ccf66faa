// `train.log`: the training log (OUT/log.jsonl, one JSON object per
// iteration) and the progress display on stderr: one updating line on a
// terminal, a plain line every `log_every` iterations otherwise.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/error.h"
#include "plugins/train/train_nodes.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace flowrun {

namespace {

using Clock = std::chrono::steady_clock;

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  const long t = std::lround(s);
  char buf[32];
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  return buf;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

class LogNode : public Node {
 public:
  void open(NodeContext& ctx) override {
    log_every_ = std::max<int64_t>(1, ctx.globals.value("log_every", int64_t{10}));
    flush_every_ = ctx.params["flush_every"].get<int64_t>();
    progress_ = ctx.params["progress"].get<std::string>();
    tty_ = progress_ == "bar" || (progress_ == "auto" && ::isatty(STDERR_FILENO));
    // Data-parallel: rank 0 writes log.jsonl, the others their own losses
    // beside their profiles (ranks/rank-K.log.jsonl).
    fs::path file;
    if (!ctx.out_dir.empty()) file = fs::path(ctx.out_dir) / "log.jsonl";
    else if (ctx.dist.rank > 0 && !ctx.run_dir.empty())
      file = fs::path(ctx.run_dir) / "ranks" / ("rank-" + std::to_string(ctx.dist.rank) + ".log.jsonl");
    if (!file.empty()) {
      fs::create_directories(file.parent_path());
      path_ = file.string();
      // On resume, lines of iterations after the checkpoint were written by
      // the interrupted run and are about to be redone: drop them, but only
      // once the first batch is through. A run that fails to start (another
      // node's open, a corrupt checkpoint) leaves the old log as it was.
      if (ctx.first_batch > 0) kept_ = lines_before(ctx.first_batch);
      std::ofstream probe(path_, std::ios::out | std::ios::app);
      if (!probe) throw InputError("cannot write " + path_);
    }
    start_ = Clock::now();
  }

  void process(NodeContext& ctx, BatchIO& io) override {
    const Packet& in = io.input("in");
    const int64_t it = io.id();
    const auto now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    window_.push_back({it, elapsed});
    while (window_.size() > 50) window_.pop_front();
    double rate = 0;
    if (window_.size() >= 2) {
      const double dt = window_.back().second - window_.front().second;
      if (dt > 0) rate = static_cast<double>(window_.back().first - window_.front().first) / dt;
    } else if (elapsed > 0) {
      rate = 1.0 / elapsed;
    }

    json line = json::object();
    line["iteration"] = it;
    if (in.meta.contains("lr")) line["lr"] = in.meta["lr"];
    if (in.meta.contains("terms") && in.meta["terms"].is_object())
      for (auto& [k, v] : in.meta["terms"].items()) line[k] = v;
    line["seconds"] = time_offset_ + elapsed;
    line["it_per_s"] = rate;
    const bool has_val = in.meta.contains("val") && in.meta["val"].is_object();
    if (has_val) line["val"] = in.meta["val"];
    if (!path_.empty() && !file_.is_open()) {
      file_.open(path_, std::ios::out | std::ios::trunc);
      file_ << kept_;
      kept_.clear();
      if (!file_) throw RunError("writing " + path_ + " failed (disk full?)");
    }
    if (file_.is_open()) {
      file_ << line.dump() << "\n";
      if (has_val || ++unflushed_ >= flush_every_ || it == ctx.last_batch) {
        file_.flush();
        unflushed_ = 0;
      }
      if (!file_) throw RunError("writing " + path_ + " failed (disk full?)");
    }
    if (has_val) last_val_ = in.meta["val"];
    show(ctx, it, in.meta, rate, has_val);
  }

  void close(NodeContext&) override {
    if (file_.is_open()) file_.flush();
    if (tty_ && shown_) std::cerr << "\n" << std::flush;
  }

 private:
  std::string lines_before(int64_t first_batch) {
    std::ifstream old(path_);
    std::string line, kept;
    while (std::getline(old, line)) {
      json j = json::parse(line, nullptr, false);
      // e.g. a line cut by a kill
      if (j.is_discarded() || !j.is_object() || !j.contains("iteration") || !j["iteration"].is_number_integer()) continue;
      if (j["iteration"].get<int64_t>() >= first_batch) continue;
      if (j.contains("seconds") && j["seconds"].is_number()) time_offset_ = j["seconds"].get<double>();
      kept += line + "\n";
    }
    return kept;
  }

  void show(const NodeContext& ctx, int64_t it, const json& meta, double rate, bool has_val) {
    const int64_t total = ctx.last_batch + 1;
    const bool last = it == ctx.last_batch;
    if (progress_ == "off") return;
    if (!tty_ && !((it + 1) % log_every_ == 0 || last || has_val)) return;
    std::ostringstream s;
    s << "iter " << it + 1 << "/" << total;
    if (meta.contains("terms") && meta["terms"].is_object()) {
      const json& t = meta["terms"];
      for (const char* k : {"total", "sup1", "sup2", "w"})
        if (t.contains(k) && t[k].is_number()) s << "  " << k << " " << number(t[k].get<double>());
    }
    if (meta.contains("lr")) s << "  lr " << number(meta["lr"].get<double>());
    if (!last_val_.is_null() && last_val_.contains("dice") && last_val_["dice"].is_number())
      s << "  val dice " << number(last_val_["dice"].get<double>());
    s << "  " << number(rate) << " it/s  ETA " << format_duration(rate > 0 ? (total - it - 1) / rate : NAN);
    if (tty_) std::cerr << "\r" << s.str() << "\x1b[K" << std::flush;
    else std::cerr << s.str() << "\n";
    shown_ = true;
  }

  std::string path_, kept_;
  std::ofstream file_;
  std::string progress_;
  bool tty_ = false, shown_ = false;
  int64_t log_every_ = 10, flush_every_ = 10, unflushed_ = 0;
  double time_offset_ = 0;
  Clock::time_point start_;
  std::deque<std::pair<int64_t, double>> window_;
  json last_val_;
};

}  // namespace

void register_log(Registry& r) { r.add_node(log_schema(), [](const NodeContext&) { return std::make_unique<LogNode>(); }); }

}  // namespace flowrun
