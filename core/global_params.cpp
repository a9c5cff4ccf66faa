// Schema of the graph's global parameters.
#include "core/global_params.h"

namespace flowrun {

const ParamSchema& global_param_schema() {
  static const ParamSchema schema = [] {
    ParamSchema s;
    s.push_back(ParamSpec::integer("seed", 1337, "seed of every random stream of the run", 0));
    s.push_back(ParamSpec::integer("iterations", 0,
                                   "batches to run; 0 = as many as the bounded sources give", 0));
    s.push_back(ParamSpec::string("device", "auto", "auto | cpu | cuda | cuda:N"));
    s.push_back(ParamSpec::integer("prefetch", 2, "batches in flight at most (bounds memory)", 1, 64));
    s.push_back(ParamSpec::integer("threads", 0, "oneTBB worker threads; 0 = one per core", 0, 1024));
    s.push_back(ParamSpec::integer("torch_threads", 0,
                                   "LibTorch intra-op threads; 0 = one per core (the CPU stages' oneTBB workers use the gaps)", 0, 1024));
    s.push_back(ParamSpec::integer("log_every", 10, "iterations between log lines", 1));
    s.push_back(ParamSpec::boolean("tf32", true,
                                   "CUDA: TF32 cuDNN convolutions (PyTorch's default); false = strict fp32"));
    s.push_back(ParamSpec::boolean("cudnn_benchmark", false,
                                   "CUDA: let cuDNN time its convolution algorithms per shape (off in the lineage)"));
    s.push_back(ParamSpec::choice("dist_backend", "auto", {"auto", "gloo", "nccl"},
                                  "data-parallel runs (--nproc, or RANK/WORLD_SIZE set): auto = NCCL on CUDA, Gloo on CPU"));
    s.push_back(ParamSpec::integer("dist_timeout_s", 1800,
                                   "data-parallel runs: seconds a worker waits in a collective (incl. for rank 0's "
                                   "validation) before it gives up", 1, 86400));
    s.push_back(ParamSpec::boolean("sync_batchnorm", false,
                                   "data-parallel runs: batch norm statistics over every rank's batch (false: per "
                                   "rank, as PyTorch's DDP)"));
    s.push_back(ParamSpec::real("dist_bucket_mb", 25, "data-parallel runs: size of a gradient all-reduce bucket", 0.001, 4096));
    s.push_back(ParamSpec::string("dataset_root", "", "overrides the dataset description's root folder"));
    return s;
  }();
  return schema;
}

}  // namespace flowrun
