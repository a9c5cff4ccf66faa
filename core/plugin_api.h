// The one entry point every plugin exports, and the ABI version it is checked
// against. A plugin defines FLOWRUN_PLUGIN(name, register_function) in one
// source file; the loader refuses a plugin built against another ABI version.
#pragma once

#include <boost/dll/alias.hpp>

#include "core/registry.h"

// Bump when Node, NodeContext, BatchIO, Packet, Registry or the schemas change
// layout or meaning: plugins built against another version are refused.
// Covers every installed header: the node contract and schemas here, and the
// SegmentationModel interface of lib/torch (2: NodeSchema::agreements).
#define FLOWRUN_ABI_VERSION 3

// Tests build a plugin that claims another version to check the refusal.
#ifndef FLOWRUN_PLUGIN_ABI
#define FLOWRUN_PLUGIN_ABI FLOWRUN_ABI_VERSION
#endif

namespace flowrun {

// Plain data so its layout never changes: abi_version is read before anything else.
struct PluginDescriptor {
  int abi_version;
  const char* name;
  const char* version;
  void (*register_types)(Registry&);
};

using PluginEntry = const PluginDescriptor*();

}  // namespace flowrun

#define FLOWRUN_PLUGIN(NAME, VERSION, REGISTER_FN)                                           \
  namespace {                                                                                \
  const ::flowrun::PluginDescriptor* flowrun_plugin_entry_impl() {                           \
    static const ::flowrun::PluginDescriptor d{FLOWRUN_PLUGIN_ABI, NAME, VERSION, &REGISTER_FN}; \
    return &d;                                                                               \
  }                                                                                          \
  }                                                                                          \
  BOOST_DLL_ALIAS(flowrun_plugin_entry_impl, flowrun_plugin)
