# Decides whether CUDA parts are built: only when nvcc is usable AND the LibTorch
# found was built with CUDA (Debian's LibTorch is CPU-only). Sets FLOWRUN_WITH_CUDA.
set(FLOWRUN_WITH_CUDA OFF)
if(FLOWRUN_CUDA)
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER AND TORCH_CUDA_LIBRARIES)
    enable_language(CUDA)
    set(FLOWRUN_WITH_CUDA ON)
  endif()
endif()
message(STATUS "flowrun CUDA parts: ${FLOWRUN_WITH_CUDA}")
if(FLOWRUN_WITH_CUDA)
  # torch_compat.cpp reads the caching allocator's statistics only then.
  add_compile_definitions(FLOWRUN_WITH_CUDA=1)
endif()
