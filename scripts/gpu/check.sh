#!/usr/bin/env bash
# The GPU machine's whole check in one script: unpack the dependency pack
# (scripts/gpu/pack.sh) into a prefix, configure against the PyTorch wheel's
# LibTorch, build what the checks need with every core, then run and measure:
#   unit    the CUDA tests (autocast, OOM message, RNG in a checkpoint, allocator
#           stats) and to_device's pinned, non-blocking copy
#   parity  two iterations of the demo graph on CPU and on CUDA from the same
#           weights and batches (fp32: TF32 and dropout off): every loss term
#   demo    graphs/demo.json on CUDA: it/s, test Dice, peak GPU memory
#   la      graphs/la_5.json at the paper's size (patch 112x112x80, batch 2+2, two
#           V-Nets, n_filters 16) on LA-sized synthetic volumes: it/s, peak GPU
#           memory, the compute chain's time waiting for data, at prefetch 1
#           and 2, fp32 and bf16
#   window  sliding window on one LA-sized volume, stride 18x18x4, window_batch
#           1 vs 8: seconds per volume, masks identical
#   protocol (only when named) bench/reference/run_protocol.sh on this device:
#           the LA pipeline-parity protocol, flowrun and the Python reference,
#           several runs side by side; needs data/la_half carried along.
#           Environment: FLOWRUN_PROTOCOL_METHODS (default "sup cps cotwin"),
#           FLOWRUN_PROTOCOL_SEEDS, FLOWRUN_PROTOCOL_JOBS (6), _THREADS (2);
#           results in $OUT/protocol_runs.json (one file: the device call
#           brings back only a few files) and $OUT/protocol.txt
# Each figure is printed and all land in one JSON file: $OUT/gpu_check.json
# when OUT is set, else out-gpu-check/gpu_check.json.
#
# --cpu runs the same steps here, on CPU at toy sizes, with Debian's LibTorch
# and the build in ./build (or --build DIR), so the script is tested where no
# GPU is (tests/gpu/CMakeLists.txt runs it in the suite).
#
# usage: scripts/gpu/check.sh [--cpu] [--pack DIR] [--build DIR] [--budget SECONDS]
#                             [--steps unit,parity,la,window,demo,protocol]   (default: all but protocol)
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
mode=gpu pack=.gpu-pack build="" budget=500 steps=unit,parity,la,window,demo
while (($#)); do
  case $1 in
    --cpu) mode=cpu ;;
    --pack) pack=$2; shift ;;
    --build) build=$2; shift ;;
    --budget) budget=$2; shift ;;
    --steps) steps=$2; shift ;;
    -h|--help) sed -n 2,25p "$0"; exit 0 ;;
    *) echo "check.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
out=${OUT:-$root/out-gpu-check}
mkdir -p "$out"
work=$(mktemp -d /tmp/flowrun-check.XXXXXX)
frag=$work/figures
mkdir -p "$frag"
exec > >(tee "$out/check.log") 2>&1
t_start=$SECONDS
failed=()
say() { printf '\n=== [%4ds] %s\n' $((SECONDS - t_start)) "$*"; }
fail() { echo "FAILED: $*"; failed+=("$1"); }
left() { echo $((budget - (SECONDS - t_start))); }
collect() { python3 "$root/scripts/gpu/collect.py" "$@"; }
want() { [[ ",$steps," == *",$1,"* ]]; }

say "flowrun GPU check ($mode mode), output in $out"
{
  echo "{\"mode\": \"$mode\", \"host\": \"$(uname -n)\", \"nproc\": $(nproc),"
  echo " \"date\": \"$(date -u +%FT%TZ)\", \"commit\": \"${FLOWRUN_COMMIT:-$( (git rev-parse --short HEAD || echo unknown) 2>/dev/null)}\","
  echo " \"gpu\": \"$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)\","
  echo " \"compiler\": \"$(c++ --version | head -1)\", \"cmake\": \"$(cmake --version | head -1)\"}"
} > "$frag/00_machine.json"
cat "$frag/00_machine.json"

# ---------------------------------------------------------------- build
if [[ $mode == gpu ]]; then
  build=${build:-build-gpu}
  prefix=/tmp/flowrun-deps
  say "unpacking $(ls "$pack"/*.deb 2>/dev/null | wc -l) packages from $pack into $prefix"
  ls "$pack"/*.deb >/dev/null 2>&1 || { fail "pack: no .deb files in $pack (run scripts/gpu/pack.sh here first)"; }
  rm -rf "$prefix" && mkdir -p "$prefix"
  for f in "$pack"/*.deb; do dpkg -x "$f" "$prefix" || fail "pack: dpkg -x $f"; done
  torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
  python3 -c 'import torch; print("python torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())'
  [[ -d /usr/local/cuda/bin ]] && export PATH=/usr/local/cuda/bin:$PATH
  export LD_LIBRARY_PATH=$prefix/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  say "configure against $torch_prefix"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix/usr;$torch_prefix" \
    -DFLOWRUN_WITH_ITK=OFF -DFLOWRUN_WITH_HDF5=OFF \
    -DCMAKE_POLICY_VERSION_MINIMUM=3.5 -DCMAKE_CUDA_ARCHITECTURES=90 -DTORCH_CUDA_ARCH_LIST=9.0 \
    2>&1 | tail -40 || true
  [[ -f $build/build.ninja ]] || fail "configure"
else
  build=${build:-build}
  if [[ ! -f $build/build.ninja ]]; then
    say "configure $build (Debian's libraries)"
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release || fail "configure"
  fi
fi
targets=(flowrun flowrun_vnet flowrun_cotwin flowrun_train flowrun_eval)
[[ $steps == protocol ]] || targets+=(test_cuda test_collate_graph bench_sliding_window)
say "build ${targets[*]}"
t0=$SECONDS
# -k 0: every compile error shows in one run, not only the first.
timeout 420 cmake --build "$build" -j"$(nproc)" --target "${targets[@]}" -- -k 0 2>&1 | grep -v "^\[" | tail -60
[[ ${PIPESTATUS[0]} == 0 ]] || fail "build"
echo "{\"seconds\": $((SECONDS - t0)), \"dir\": \"$build\"}" > "$frag/01_build.json"
bin=$root/$build/bin
[[ $build = /* ]] && bin=$build/bin
if [[ ! -x $bin/flowrun ]]; then
  fail "no flowrun binary; stopping"
  collect assemble "$frag" "$out/gpu_check.json"
  exit 1
fi
device=cuda; [[ $mode == cpu ]] && device=cpu
# The graphs run from a copy, so the demo's generated dataset (../data/ of the
# graph) lands in the scratch folder, not in the checkout: concurrent test
# runs of the checkout never share it.
mkdir -p "$work/graphs" && cp graphs/demo.json graphs/la_5.json "$work/graphs/"

# ---------------------------------------------------------------- unit
if want unit; then
  say "unit: CUDA tests and to_device"
  (cd "$work" && timeout 300 "$bin/test_cuda" --gtest_output=json:"$work/test_cuda.json" 2>&1 | tail -25)
  (cd "$work" && timeout 120 "$bin/test_collate_graph" --gtest_filter='ToDeviceNode.*' \
    --gtest_output=json:"$work/test_to_device.json" 2>&1 | tail -8)
  collect gtest "$work/test_cuda.json" "$work/test_to_device.json" > "$frag/10_unit.json" || fail "unit tests"
  cat "$frag/10_unit.json"
fi

# Runs of a graph; every run's folder is kept under $work/runs.
run() {  # run NAME GRAPH TIMEOUT [--set ...]
  local name=$1 graph=$2 limit=$3; shift 3
  echo "+ flowrun $(basename "$graph") $* --out runs/$name"
  timeout "$limit" "$bin/flowrun" run "$graph" --out "$work/runs/$name" "$@" 2>&1 | grep -v "^iter " | tail -12
  local rc=${PIPESTATUS[0]}
  collect run "$work/runs/$name" > "$frag/$name.json"
  cat "$frag/$name.json"
  [[ $rc == 0 ]] || fail "$name (exit $rc)"
  collect assemble "$frag" "$out/gpu_check.json"  # kept current: a killed run still leaves its figures
}

# ---------------------------------------------------------------- parity
if want parity; then
  say "parity: demo graph, 2 iterations, CPU vs $device (fp32, dropout off)"
  strict=(--set params.iterations=2 --set params.tf32=false --set resources.net1.dropout=false
          --set resources.net2.dropout=false --set nodes.validate.test_at_end=false --set params.prefetch=1)
  if [[ $mode == gpu ]]; then
    run parity_cpu "$work/graphs/demo.json" 240 "${strict[@]}" --set params.device=cpu
    run parity_cuda "$work/graphs/demo.json" 120 "${strict[@]}" --set params.device=cuda
  else  # no second device here: the same step at 1 and 2 LibTorch threads
    run parity_cpu "$work/graphs/demo.json" 240 "${strict[@]}" --set params.device=cpu --set params.torch_threads=1
    run parity_cuda "$work/graphs/demo.json" 240 "${strict[@]}" --set params.device=cpu --set params.torch_threads=2
  fi
  collect parity "$work/runs/parity_cpu" "$work/runs/parity_cuda" 1e-3 > "$frag/20_parity.json" || fail "parity beyond 1e-3"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("per_iteration"); print(json.dumps(d, indent=1))' "$frag/20_parity.json"
fi

# ---------------------------------------------------------------- la
if want la; then
  say "LA-sized synthetic volumes"
  if [[ $mode == gpu ]]; then
    size=(176 144 88); cases=12; la=(--set params.iterations=100)
  else
    size=(48 48 32); cases=12
    la=(--set params.iterations=4 --set nodes.crop.patch=[32,32,16] --set nodes.validate.patch=[32,32,16]
        --set resources.net1.n_filters=4 --set resources.net2.n_filters=4)
  fi
  timeout 300 "$bin/flowrun" synth --out "$work/synth-la" --cases $cases --size "${size[@]}" --contrast 0.9 || fail "synth"
  la+=(--set dataset="$work/synth-la/synthetic.json" --set params.device=$device --set nodes.validate.every=100000
       --set nodes.validate.test_at_end=false --set nodes.validate.max_cases=1 --set nodes.checkpoint.every=100000)
  for cfg in "2 false" "2 true" "1 false" "1 true"; do
    read -r pf bf <<<"$cfg"
    name=la_prefetch${pf}_$([[ $bf == true ]] && echo bf16 || echo fp32)
    if (($(left) < 60)); then echo "skipping $name: $(left) s of the budget left"; continue; fi
    say "la_5 at prefetch $pf, bf16 $bf"
    run "$name" "$work/graphs/la_5.json" 150 "${la[@]}" --set params.prefetch=$pf --set nodes.forward.bf16=$bf
  done
  if (($(left) > 200)); then  # optional; the window and demo steps come first
    say "la_5 at prefetch 2 with the cuDNN autotuner (params.cudnn_benchmark)"
    run la_prefetch2_fp32_cudnn_benchmark "$work/graphs/la_5.json" 150 "${la[@]}" --set params.prefetch=2 \
      --set params.cudnn_benchmark=true
  fi
fi

# ---------------------------------------------------------------- window
if want window; then
  say "sliding window, one LA-sized volume"
  if [[ $mode == gpu ]]; then
    sw=(--device cuda --size 183 140 88 --stride 18 18 4 --batches 1,8 --reps 2)
  else
    sw=(--device cpu --size 40 40 24 --patch 32 32 16 --stride 8 8 4 --filters 4 --batches 1,4 --threads 2)
  fi
  timeout 200 "$bin/bench_sliding_window" "${sw[@]}" 2>&1 | tee "$work/window.txt"
  [[ ${PIPESTATUS[0]} == 0 ]] || fail "sliding window (masks differ or it failed)"
  collect window "$work/window.txt" > "$frag/60_window.json"
  cat "$frag/60_window.json"
fi

# ---------------------------------------------------------------- demo
if want demo; then
  if (($(left) < 60)); then
    echo "skipping the demo: $(left) s of the budget left"
  elif [[ $mode == gpu ]]; then
    say "demo graph on CUDA (600 iterations)"
    run demo_cuda "$work/graphs/demo.json" 200 --set params.device=cuda
  else
    say "demo graph, shortened (CPU)"
    run demo_cuda "$work/graphs/demo.json" 300 --set params.device=cpu --set params.iterations=6 \
      --set nodes.validate.every=3 --set nodes.validate.max_cases=1
  fi
fi

# ---------------------------------------------------------------- protocol
if want protocol; then
  say "LA pipeline-parity protocol on $device (bench/reference/run_protocol.sh)"
  pyextra="" python=/usr/bin/python3  # here: Debian's Python, which has python3-torch
  [[ $mode == gpu ]] && pyextra=$prefix/usr/lib/python3/dist-packages python=python3
  # No run starts within 100 s of the budget's end, and none runs longer than 240 s.
  PYTHONPATH=$pyextra${PYTHONPATH:+:$PYTHONPATH} FLOWRUN_BIN=$bin/flowrun FLOWRUN_PYTHON=$python \
    FLOWRUN_PROTOCOL_DEVICE=$device FLOWRUN_PROTOCOL_RESULTS=$work/protocol-results FLOWRUN_PROTOCOL_WORK=$work/protocol \
    FLOWRUN_PROTOCOL_COMBINED=$out/protocol_runs.json \
    FLOWRUN_PROTOCOL_JOBS=${FLOWRUN_PROTOCOL_JOBS:-6} FLOWRUN_PROTOCOL_THREADS=${FLOWRUN_PROTOCOL_THREADS:-2} \
    FLOWRUN_PROTOCOL_DEADLINE=$(($(date +%s) + $(left) - 100)) FLOWRUN_PROTOCOL_RUN_TIMEOUT=240 \
    bash bench/reference/run_protocol.sh ${FLOWRUN_PROTOCOL_METHODS:-sup cps cotwin} | tee "$work/protocol.txt"
  [[ ${PIPESTATUS[0]} == 0 ]] || fail "protocol"
  grep -q "failed (exit" "$work/protocol.txt" && fail "protocol: a run failed (its log: $work/protocol/)"
  cp "$work/protocol.txt" "$out/protocol.txt"
fi

# ---------------------------------------------------------------- figures
collect assemble "$frag" "$out/gpu_check.json"
say "figures written to $out/gpu_check.json; ${#failed[@]} step(s) failed${failed:+: ${failed[*]}}"
rm -rf "$work"
((${#failed[@]} == 0))
