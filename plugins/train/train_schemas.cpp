// The train plugin's contracts (the optimizer resource and the step,
// checkpoint and log nodes), without torch headers: compiled into the plugin
// and into its contract library (libflowrun_train.contract.so).
#include "lib/packets/loss_packet.h"
#include "plugins/train/train_nodes.h"

namespace flowrun {

ResourceSchema train_optimizer_schema() {
  ResourceSchema s{"train.optimizer",
                   "SGD over the parameters of the named networks, shared by train.sgd_step (which steps it) "
                   "and train.checkpoint (which saves and restores it)",
                   {}};
  s.params.push_back(ParamSpec::resource_list("nets", {"net1", "net2"}, "model resources whose parameters it updates"));
  s.params.push_back(ParamSpec::real("lr", 0.01, "base learning rate (train.sgd_step applies its schedule to it)", 0));
  s.params.push_back(ParamSpec::real("momentum", 0.9, "SGD momentum", 0, 1));
  s.params.push_back(ParamSpec::real("weight_decay", 1e-4, "L2 weight decay", 0));
  s.params.push_back(ParamSpec::boolean("nesterov", false, "Nesterov momentum"));
  return s;
}

NodeSchema sgd_step_schema() {
  NodeSchema s;
  s.type = "train.sgd_step";
  s.doc = "backward + SGD step of a train.optimizer resource on the batch's loss; emits a step packet "
          "(iteration, lr, terms; no tensors). Hyper-parameters live on the optimizer resource, so the "
          "checkpoint node saves exactly the optimizer this node steps";
  s.inputs = {{"in", loss_packet::kType, "value `loss` (scalar with autograd), meta `terms`", false, loss_packet::keys()}};
  s.outputs = {{"out", "step", "meta iteration, lr, terms"}};
  ParamSpec opt = ParamSpec::resource("optimizer", "train.optimizer", "the train.optimizer resource to step");
  opt.required = false;
  opt.default_value = "optimizer";
  s.params.push_back(opt);
  s.params.push_back(ParamSpec::choice("schedule", "poly", {"poly", "constant"},
                                       "poly: lr0 * (1 - iteration / iterations)^power; constant: lr0"));
  s.params.push_back(ParamSpec::real("power", 0.9, "exponent of the poly schedule", 0));
  s.serial = true;
  return s;
}

NodeSchema checkpoint_schema() {
  NodeSchema s;
  s.type = "train.checkpoint";
  s.doc = "writes OUT/checkpoints/last.pt every `every` iterations and at the end (also on Ctrl-C, never after "
          "a failure), best.pt when meta val[best_metric] improves; on --resume loads last.pt (weights, "
          "optimizer, RNG). The weights must not change while it saves: feed the forward node a back edge "
          "from this node's output";
  s.inputs = {{"in", "step", "step packets (meta iteration, lr, terms, val)"}};
  s.outputs = {{"out", "step", "the input, unchanged"}};
  s.params.push_back(ParamSpec::resource_list("nets", {"net1", "net2"}, "model resources to save"));
  ParamSpec opt = ParamSpec::resource("optimizer", "train.optimizer", "the train.optimizer resource to save");
  opt.required = false;
  opt.default_value = "optimizer";
  s.params.push_back(opt);
  s.params.push_back(ParamSpec::integer("every", 200, "write last.pt after every N iterations; 0 = only at the end", 0));
  s.params.push_back(ParamSpec::string("best_metric", "dice", "metric in meta val that selects best.pt; \"\" = no best.pt"));
  s.params.push_back(ParamSpec::choice("best_mode", "max", {"max", "min"}, "whether a larger or smaller metric is better"));
  s.params.push_back(ParamSpec::integer("keep_every", 0, "also keep iter_N.pt (N iterations done) every N; 0 = never", 0));
  s.serial = true;
  return s;
}

NodeSchema log_schema() {
  NodeSchema s;
  s.type = "train.log";
  s.doc = "writes OUT/log.jsonl (per iteration: iteration, lr, each loss term, seconds, it_per_s, val) and "
          "shows progress on stderr (an updating line on a terminal, else a line every params.log_every)";
  s.inputs = {{"in", "step", "step packets"}};
  s.params.push_back(ParamSpec::choice("progress", "auto", {"auto", "bar", "plain", "off"},
                                       "auto: an updating line when stderr is a terminal, else plain lines"));
  s.params.push_back(ParamSpec::integer("flush_every", 10, "flush log.jsonl after this many lines", 1));
  s.serial = true;
  return s;
}

}  // namespace flowrun
