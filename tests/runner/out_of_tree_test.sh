#!/usr/bin/env bash
# A plugin built out of tree against an *installed* flowrun (cmake --install
# of this build into a scratch prefix): it adds a model type and a node,
# passes its own tests written with the installed harness, and the demo
# trains with that model in place of the V-Net (--set resources.netN.type).
set -euo pipefail
src=$1 flowrun_build=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
cmake --install "$flowrun_build" --prefix "$work/prefix" >/dev/null
torch_dir=$(sed -n 's/^Torch_DIR:PATH=//p' "$flowrun_build/CMakeCache.txt")
cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -Dflowrun_DIR="$work/prefix/lib/cmake/flowrun" \
  -DTorch_DIR="$torch_dir" >/dev/null
cmake --build "$work/build" -j2 >/dev/null
"$work/build/tiny_test"
flowrun=$work/prefix/bin/flowrun
export LD_LIBRARY_PATH=$work/prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
mkdir -p "$work/graphs"
cp "$(dirname "$0")/../../graphs/demo.json" "$work/graphs/"
FLOWRUN_PLUGIN_PATH=$work/build "$flowrun" run "$work/graphs/demo.json" --out "$work/run" \
  --set 'plugins=["vnet","cotwin","train","eval","tiny"]' \
  --set resources.net1.type=tiny.model --set resources.net2.type=tiny.model \
  --set params.iterations=3 --set params.threads=1 --set params.torch_threads=1 --set nodes.crop.patch=[24,24,16] \
  --set nodes.validate.patch=[24,24,16] --set nodes.validate.stride=[24,24,16] --set nodes.validate.every=1000 \
  --set nodes.validate.max_cases=1 --set nodes.checkpoint.every=1000
test -s "$work/run/log.jsonl"
test -s "$work/run/summary.json"
grep -q '"cases"' "$work/run/summary.json"
echo "out-of-tree plugin: built against the install, its harness tests passed, the demo trained with tiny.model"
