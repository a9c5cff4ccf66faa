# The LibTorch line found: Debian's 1.13 (CPU, CI) or a PyTorch 2.x wheel's
# (the GPU machine). Sets FLOWRUN_TORCH_VERSION and the C++ standard: ATen
# headers of LibTorch 2.12 and later refuse anything below C++20.
set(FLOWRUN_TORCH_VERSION "${Torch_VERSION}")
if(NOT FLOWRUN_TORCH_VERSION)
  # Some configs set no version: read it from torch/version.h.
  find_file(_flowrun_torch_version_h torch/version.h PATHS ${TORCH_INCLUDE_DIRS} NO_DEFAULT_PATH)
  if(_flowrun_torch_version_h)
    file(STRINGS "${_flowrun_torch_version_h}" _v REGEX "#define TORCH_VERSION_(MAJOR|MINOR) ")
    string(REGEX REPLACE ".*MAJOR ([0-9]+).*MINOR ([0-9]+).*" "\\1.\\2" FLOWRUN_TORCH_VERSION "${_v}")
  endif()
endif()
if(FLOWRUN_TORCH_VERSION VERSION_GREATER_EQUAL 2.12 AND CMAKE_CXX_STANDARD LESS 20)
  set(CMAKE_CXX_STANDARD 20)
endif()
message(STATUS "flowrun: LibTorch ${FLOWRUN_TORCH_VERSION}, C++${CMAKE_CXX_STANDARD}")
