# flowrun_add_plugin(NAME sources...): a node plugin, libflowrun_<NAME>.so, in
# FLOWRUN_PLUGIN_OUTPUT_DIR (the build tree's plugins/ folder in-tree, the
# plugin project's build folder out of tree), where the runner can find it.
function(flowrun_add_plugin name)
  add_library(flowrun_${name} MODULE ${ARGN})
  target_link_libraries(flowrun_${name} PRIVATE flowrun::core)
  set_target_properties(flowrun_${name} PROPERTIES
    LIBRARY_OUTPUT_DIRECTORY ${FLOWRUN_PLUGIN_OUTPUT_DIR}
    POSITION_INDEPENDENT_CODE ON)
  install(TARGETS flowrun_${name} LIBRARY DESTINATION lib/flowrun/plugins)
endfunction()

# flowrun_add_plugin_contract(NAME sources...): the plugin's contract library,
# libflowrun_<NAME>.contract.so beside it: the same schemas and preflights
# registered with no factories (FLOWRUN_PLUGIN_CONTRACT), so `flowrun nodes`,
# `describe`, `validate` and `dot` need not load LibTorch. It must not link
# LibTorch; tests/runner/front_end_test.sh checks that for the shipped ones.
function(flowrun_add_plugin_contract name)
  add_library(flowrun_${name}_contract MODULE ${ARGN})
  target_link_libraries(flowrun_${name}_contract PRIVATE flowrun::core)
  set_target_properties(flowrun_${name}_contract PROPERTIES
    OUTPUT_NAME flowrun_${name}.contract
    LIBRARY_OUTPUT_DIRECTORY ${FLOWRUN_PLUGIN_OUTPUT_DIR}
    POSITION_INDEPENDENT_CODE ON)
  install(TARGETS flowrun_${name}_contract LIBRARY DESTINATION lib/flowrun/plugins)
  # Whoever builds the plugin gets its contract too.
  add_dependencies(flowrun_${name} flowrun_${name}_contract)
endfunction()
