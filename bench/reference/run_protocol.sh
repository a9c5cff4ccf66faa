#!/usr/bin/env bash
# The pipeline-parity protocol of docs/results.md on this CPU: each run one
# thread, two at a time, flowrun and the Python reference alternating. Every
# finished run's per-case test figures go to bench/results/pipeline_parity/
# IMPL_METHOD_seedS.json at once (a run already there is not redone), so work
# survives an interrupted session.
#
# usage: bench/reference/run_protocol.sh [METHOD...]   (sup cps cotwin; default sup cps)
# needs: data/la_half (flowrun graphs/prepare/la_h5_half.json), /usr/bin/python3
#        with python3-torch and python3-nibabel, ./build.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
methods=("${@:-sup cps}")
[[ $# -eq 0 ]] && methods=(sup cps)
results=$root/bench/results/pipeline_parity
work=${FLOWRUN_PROTOCOL_WORK:-/tmp/flowrun-protocol}
mkdir -p "$results" "$work"
dataset=$root/graphs/datasets/la_half.json
[[ -f data/la_half/la_half.json ]] || build/bin/flowrun graphs/prepare/la_h5_half.json
# Allocator setting of flowrun's runner, given to the reference too (issue 12).
export MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=1073741824
common=(--set "dataset=$dataset" --set params.iterations=600 --set nodes.crop.patch=[64,64,32]
        --set nodes.validate.patch=[64,64,32] --set nodes.validate.stride=[9,9,2] --set nodes.validate.every=100000
        --set nodes.checkpoint.every=100000 --set nodes.step.schedule=constant --set params.torch_threads=1
        --set params.threads=1 --set nodes.loss.rampup_unit=fraction --set nodes.loss.rampup_length=0.6)

one() {  # one IMPL METHOD SEED
  local impl=$1 method=$2 seed=$3 name=$1_$2_seed$3
  [[ -f $results/$name.json ]] && return 0
  local out=$work/$name
  rm -rf "$out"
  echo "[$(date +%T)] start $name"
  if [[ $impl == reference ]]; then
    /usr/bin/python3 bench/reference/train_reference.py --dataset "$dataset" --method "$method" --seed "$seed" \
      --out "$out" --rampup-fraction 0.6 > "$work/$name.log" 2>&1
  else
    local graph=graphs/baselines/la_5_supervised.json
    [[ $method == cps ]] && graph=graphs/baselines/la_5_cps.json
    [[ $method == cotwin ]] && graph=graphs/la_5.json
    build/bin/flowrun "$graph" "${common[@]}" --set params.seed="$seed" --out "$out" > "$work/$name.log" 2>&1
  fi
  local rc=$?
  python3 - "$impl" "$method" "$seed" "$out" "$results/$name.json" "$rc" <<'PY'
import json, sys
impl, method, seed, out, target, rc = sys.argv[1:]
if rc != "0":
    print("run %s_%s_seed%s failed (exit %s); see its log" % (impl, method, seed, rc)); sys.exit(0)
s = json.load(open(out + "/summary.json"))
if impl == "reference":
    cases = s["test"]["per_case"]; secs = s["seconds"]
else:
    cases = [{"case": c["case"], "dice": c["dice"], "empty": c["empty"]} for c in s["test"]["per_case"]]
    secs = None
    try:
        secs = json.load(open(out + "/profile.json"))["wall_seconds"]
    except Exception:
        pass
r = {"implementation": impl, "method": method, "seed": int(seed), "cases": cases,
     "mean_dice": sum(c["dice"] for c in cases) / len(cases), "empty": sum(bool(c["empty"]) for c in cases),
     "seconds": secs}
json.dump(r, open(target, "w"), indent=1)
print("%s_%s_seed%s: mean Dice %.4f, %d empty" % (impl, method, seed, r["mean_dice"], r["empty"]))
PY
  echo "[$(date +%T)] end $name (exit $rc)"
}

queue=()
for m in "${methods[@]}"; do
  for s in 1 2 3; do
    [[ $m != cotwin ]] && queue+=("reference $m $s")
    queue+=("flowrun $m $s")
  done
done
# Two workers over the queue.
worker() { local i; for ((i = $1; i < ${#queue[@]}; i += 2)); do one ${queue[$i]}; done; }
worker 0 & worker 1 & wait
python3 bench/reference/summarize_protocol.py "$results"
