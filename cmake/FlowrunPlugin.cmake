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
