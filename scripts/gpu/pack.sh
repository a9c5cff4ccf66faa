#!/usr/bin/env bash
# Gathers into DIR the Debian 12 packages that the GPU machine's build needs
# beyond what that machine has (CUDA, CMake, ninja, a C++ compiler and the
# PyTorch wheel's LibTorch). Run here, where apt reaches Debian; DIR travels
# with the working tree (carry it) and scripts/gpu/check.sh unpacks it into a
# prefix with dpkg -x. The build there has no ITK and no HDF5: NIfTI goes
# through nifti_clib, and the checks use synthetic NIfTI data.
#
# usage: scripts/gpu/pack.sh [DIR]     (default: .gpu-pack, ignored by git)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-.gpu-pack}
packages=(
  libtbb-dev libtbb12 libtbbmalloc2 libtbbbind-2-5      # oneTBB (its CMake config names all four)
  nlohmann-json3-dev libcli11-dev                       # header-only
  libboost1.74-dev libboost-filesystem1.74-dev libboost-filesystem1.74.0
  libboost-system1.74-dev libboost-system1.74.0         # Boost.DLL and its filesystem
  libniftiio-dev libniftiio2 libznz-dev libznz3         # NIfTI without ITK
  libnifti2-dev                                         # (its nifti1.h)
  libgtest-dev libgmock-dev                             # the CUDA tests
  python3-nibabel python3-packaging                     # pure Python: the reference side of --steps protocol
)
mkdir -p "$dir"
rm -f "$dir"/*.deb
if ! apt-cache show "${packages[0]}" >/dev/null 2>&1; then apt-get update -qq; fi
(cd "$dir" && apt-get download -qq "${packages[@]}" 2> >(grep -v "unsandboxed" >&2))
total=$(du -cb "$dir"/*.deb | tail -1 | cut -f1)
echo "pack: ${#packages[@]} packages, $((total / 1024)) KiB in $dir"
ls -l "$dir"/*.deb | awk '{printf "  %8d KiB  %s\n", $5/1024, $9}'
