// The `vnet.model` resource's parameters, without torch headers: compiled
// into the plugin and into its contract library (libflowrun_vnet.contract.so).
#include "plugins/vnet/vnet_registration.h"

namespace flowrun {

ResourceSchema vnet_model_schema() {
  ResourceSchema s{"vnet.model", "the lineage V-Net (UA-MT/MC-Net) as a SegmentationModel", {}};
  s.params.push_back(ParamSpec::integer("in_channels", 1, "input channels (BraTS may use 4)", 1, 64));
  s.params.push_back(ParamSpec::integer("n_classes", 2, "output classes (logit channels)", 1, 256));
  s.params.push_back(ParamSpec::integer("n_filters", 16, "width of the first stage; later stages 2x, 4x, 8x, 16x", 1, 1024));
  s.params.push_back(ParamSpec::boolean("dropout", true, "Dropout3d(0.5) after the bottleneck and the last decoder stage (training only)"));
  s.params.push_back(ParamSpec::choice("normalization", "batch", {"batch", "instance", "group", "none"},
                                       "normalisation layer after every convolution"));
  s.params.push_back(ParamSpec::choice("init", "kaiming", {"kaiming", "xavier", "default"},
                                       "weight init: SSL4MIS CPS uses kaiming for net1, xavier for net2"));
  return s;
}

}  // namespace flowrun
