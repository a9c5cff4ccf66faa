#!/usr/bin/env bash
# Installs what flowrun needs to build and test on Debian 12 (as root), only
# when something is missing, so repeated runs cost nothing.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  libtorch-dev libopenblas0-pthread
  libtbb-dev libinsighttoolkit5-dev libgdcm-tools libhdf5-dev
  libniftiio-dev nlohmann-json3-dev libboost-dev libboost-filesystem-dev libcli11-dev
  libgtest-dev libgmock-dev
  libgloo-dev                   # headers of the Gloo that LibTorch's c10d runs on (data-parallel training)
  python3-torch python3-numpy   # the reference side of the step-parity test (/usr/bin/python3)
  graphviz                      # `flowrun dot GRAPH | dot -Tsvg`, docs/layers.svg
  libpng-dev                    # the report's segmentation panels
  chromium                      # the report rendered headless in the suite (report_in_browser)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
