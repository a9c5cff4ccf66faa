// The one entry point every plugin exports, and the ABI version it is checked
// against. A plugin defines FLOWRUN_PLUGIN(name, register_function) in one
// source file; the loader refuses a plugin built against another ABI version.
//
// A plugin may also ship a contract library beside it,
// libflowrun_<name>.contract.so, exporting FLOWRUN_PLUGIN_CONTRACT: the same
// schemas and preflights registered with no factories, linked without
// LibTorch. `flowrun nodes`, `describe`, `validate` and `dot` then answer in a
// few milliseconds instead of loading LibTorch (PluginLoader::Mode::contracts).
#pragma once

#include <boost/dll/alias.hpp>

#include "core/registry.h"

// Bump when Node, NodeContext, BatchIO, Packet, Registry or the schemas change
// layout or meaning: plugins built against another version are refused.
// Covers every installed header: the node contract and schemas here, and the
// SegmentationModel interface of lib/torch (2: NodeSchema::agreements; 4: NodeContext::dist and run_dir).
#define FLOWRUN_ABI_VERSION 4

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

// Defines IMPL returning the descriptor and exports it as ENTRY.
#define FLOWRUN_DETAIL_ENTRY_POINT(ENTRY, IMPL, NAME, VERSION, REGISTER_FN)                    \
  namespace {                                                                                \
  const ::flowrun::PluginDescriptor* IMPL() {                                                \
    static const ::flowrun::PluginDescriptor d{FLOWRUN_PLUGIN_ABI, NAME, VERSION, &REGISTER_FN}; \
    return &d;                                                                               \
  }                                                                                          \
  }                                                                                          \
  BOOST_DLL_ALIAS(IMPL, ENTRY)

#define FLOWRUN_PLUGIN(NAME, VERSION, REGISTER_FN) \
  FLOWRUN_DETAIL_ENTRY_POINT(flowrun_plugin, flowrun_plugin_entry_impl, NAME, VERSION, REGISTER_FN)

// The contract library's entry point (same descriptor, another symbol name).
#define FLOWRUN_PLUGIN_CONTRACT(NAME, VERSION, REGISTER_FN) \
  FLOWRUN_DETAIL_ENTRY_POINT(flowrun_plugin_contract, flowrun_plugin_contract_impl, NAME, VERSION, REGISTER_FN)
