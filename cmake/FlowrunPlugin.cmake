# flowrun_add_plugin(NAME sources...): a node plugin, libflowrun_<NAME>.so, in
# the build tree's plugins/ folder where the runner looks for it.
function(flowrun_add_plugin name)
  add_library(flowrun_${name} MODULE ${ARGN})
  target_link_libraries(flowrun_${name} PRIVATE flowrun::core)
  set_target_properties(flowrun_${name} PROPERTIES
    LIBRARY_OUTPUT_DIRECTORY ${FLOWRUN_PLUGIN_OUTPUT_DIR}
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  install(TARGETS flowrun_${name} LIBRARY DESTINATION lib/flowrun/plugins)
endfunction()
