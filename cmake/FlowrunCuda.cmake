# Decides whether CUDA parts are built: when the LibTorch found was built with
# CUDA (Debian's LibTorch is CPU-only). Sets FLOWRUN_WITH_CUDA, which lets
# torch_compat.cpp read the caching allocator's statistics through LibTorch's
# CUDA headers. nvcc is enabled as a language too when it works, for CUDA
# sources of our own; none need it today, so its absence changes nothing.
set(FLOWRUN_WITH_CUDA OFF)
if(FLOWRUN_CUDA AND TORCH_CUDA_LIBRARIES)
  set(FLOWRUN_WITH_CUDA ON)
  add_compile_definitions(FLOWRUN_WITH_CUDA=1)
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    enable_language(CUDA)
  endif()
endif()
message(STATUS "flowrun CUDA parts: ${FLOWRUN_WITH_CUDA}")
