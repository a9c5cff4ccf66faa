#!/usr/bin/env bash
# The pipeline-parity protocol of docs/results.md: every run's per-case test
# figures go to RESULTS/IMPL_METHOD_seedS.json at once (a run already there is
# not redone), so work survives an interrupted session. On this CPU each run
# gets one thread and two run at a time; on a GPU machine (scripts/gpu/check.sh
# --steps protocol) more run side by side on the one device.
#
# usage: bench/reference/run_protocol.sh [METHOD...]    (default: sup cps)
# methods, each for flowrun and, where it has one, the Python reference:
#   sup cps cotwin   the lineage's data as stored (graphs/la_5*.json + overrides)
#   sup_z cps_z cotwin_z   the small-budget recipe: every case z-scored
#                    (graphs/recipes/la_half_*.json; reference --normalize zscore)
#   cotwin_z_teval cotwin_z_tfixed   teacher_b_mode eval / train_fixed_stats
#   cotwin_z_cutmix  CutMix-diversified dynamic pseudo-label
# environment (defaults for this CPU):
#   FLOWRUN_PROTOCOL_SEEDS="1 2 3"  FLOWRUN_PROTOCOL_JOBS=2  FLOWRUN_PROTOCOL_THREADS=1
#   FLOWRUN_PROTOCOL_DEVICE=cpu     FLOWRUN_PROTOCOL_IMPLS="reference flowrun"
#   FLOWRUN_PROTOCOL_RESULTS=bench/results/pipeline_parity  FLOWRUN_PROTOCOL_WORK=/tmp/flowrun-protocol
#   FLOWRUN_BIN=build/bin/flowrun   FLOWRUN_PYTHON=/usr/bin/python3
#   FLOWRUN_PROTOCOL_DEADLINE=<epoch seconds>: start no run after it
#   FLOWRUN_PROTOCOL_ITERATIONS=600 (fewer only to test this script)
#   FLOWRUN_PROTOCOL_RUN_TIMEOUT=<seconds>: a run past it is killed and counted as failed
#   FLOWRUN_PROTOCOL_COMBINED=<file>: after every run, all results so far as one JSON list
# needs: data/la_half (flowrun graphs/prepare/la_h5_half.json), a Python with
#        torch, numpy and nibabel for the reference, and a flowrun build.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
methods=("$@")
[[ $# -eq 0 ]] && methods=(sup cps)
seeds=(${FLOWRUN_PROTOCOL_SEEDS:-1 2 3})
jobs=${FLOWRUN_PROTOCOL_JOBS:-2}
threads=${FLOWRUN_PROTOCOL_THREADS:-1}
device=${FLOWRUN_PROTOCOL_DEVICE:-cpu}
impls=" ${FLOWRUN_PROTOCOL_IMPLS:-reference flowrun} "
results=${FLOWRUN_PROTOCOL_RESULTS:-$root/bench/results/pipeline_parity}
work=${FLOWRUN_PROTOCOL_WORK:-/tmp/flowrun-protocol}
flowrun=${FLOWRUN_BIN:-$root/build/bin/flowrun}
python=${FLOWRUN_PYTHON:-/usr/bin/python3}
deadline=${FLOWRUN_PROTOCOL_DEADLINE:-0}
limit=()
[[ -n ${FLOWRUN_PROTOCOL_RUN_TIMEOUT:-} ]] && limit=(timeout "$FLOWRUN_PROTOCOL_RUN_TIMEOUT")
mkdir -p "$results" "$work"
dataset=$root/graphs/datasets/la_half.json
[[ -f data/la_half/la_half.json ]] || "$flowrun" graphs/prepare/la_h5_half.json || exit 1
if [[ $impls == *" reference "* ]] && ! "$python" -c 'import numpy, nibabel, torch' 2>/dev/null; then
  echo "run_protocol: $python lacks numpy, nibabel or torch: the reference runs are skipped"
  impls=${impls/ reference / }
fi
# Allocator setting of flowrun's runner, given to the reference too (issue 12).
export MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=1073741824
iterations=${FLOWRUN_PROTOCOL_ITERATIONS:-600}
common=(--set params.iterations=$iterations --set params.device=$device --set params.torch_threads=$threads
        --set params.threads=$threads)
lineage=(--set "dataset=$dataset" --set nodes.crop.patch=[64,64,32] --set nodes.validate.patch=[64,64,32]
         --set nodes.validate.stride=[9,9,2] --set nodes.validate.every=100000 --set nodes.checkpoint.every=100000
         --set nodes.step.schedule=constant --set nodes.loss.rampup_unit=fraction --set nodes.loss.rampup_length=0.6)

flowrun_args() {  # flowrun_args METHOD -> the graph and its overrides, one per line
  local m=$1
  case $m in
    sup) printf '%s\n' graphs/baselines/la_5_supervised.json "${lineage[@]}" ;;
    cps) printf '%s\n' graphs/baselines/la_5_cps.json "${lineage[@]}" ;;
    cotwin) printf '%s\n' graphs/la_5.json "${lineage[@]}" ;;
    sup_z) printf '%s\n' graphs/recipes/la_half_supervised.json ;;
    cps_z) printf '%s\n' graphs/recipes/la_half_cps.json ;;
    cotwin_z) printf '%s\n' graphs/recipes/la_half_cotwin.json ;;
    cotwin_z_teval) printf '%s\n' graphs/recipes/la_half_cotwin.json --set nodes.forward.teacher_b_mode=eval ;;
    cotwin_z_tfixed) printf '%s\n' graphs/recipes/la_half_cotwin.json --set nodes.forward.teacher_b_mode=train_fixed_stats ;;
    cotwin_z_cutmix) printf '%s\n' graphs/recipes/la_half_cotwin_cutmix.json ;;
    *) return 1 ;;
  esac
}
reference_args() {  # reference_args METHOD -> train_reference.py arguments; fails where the reference has no such method
  case $1 in
    sup|cps) printf '%s\n' --method "$1" ;;
    sup_z|cps_z) printf '%s\n' --method "${1%_z}" --normalize zscore ;;
    *) return 1 ;;
  esac
}

one() {  # one IMPL METHOD SEED
  local impl=$1 method=$2 seed=$3 name=$1_$2_seed$3
  [[ -f $results/$name.json ]] && return 0
  if ((deadline > 0 && $(date +%s) > deadline)); then echo "[$(date +%T)] skip $name: past the deadline"; return 0; fi
  local out=$work/$name args
  rm -rf "$out"
  echo "[$(date +%T)] start $name"
  if [[ $impl == reference ]]; then
    mapfile -t args < <(reference_args "$method")
    "${limit[@]}" "$python" bench/reference/train_reference.py --dataset "$dataset" "${args[@]}" --seed "$seed" \
      --out "$out" --rampup-fraction 0.6 --iterations "$iterations" --threads "$threads" --device "$device" > "$work/$name.log" 2>&1
  else
    mapfile -t args < <(flowrun_args "$method")
    "${limit[@]}" "$flowrun" run "${args[@]}" "${common[@]}" --set params.seed="$seed" --out "$out" > "$work/$name.log" 2>&1
  fi
  local rc=$?
  python3 - "$impl" "$method" "$seed" "$out" "$results/$name.json" "$rc" "$device" <<'PY'
import json, sys
impl, method, seed, out, target, rc, device = sys.argv[1:]
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
curve = s.get("log", []) if impl == "reference" else []
if impl == "flowrun":  # the training curve, averaged over blocks of 50 iterations, and every validation
    block = {}
    for line in open(out + "/log.jsonl"):
        e = json.loads(line)
        b = block.setdefault(e["iteration"] // 50, {"n": 0})
        b["n"] += 1
        for k, v in e.items():
            if isinstance(v, float) and k not in ("it_per_s", "seconds"):
                b[k] = b.get(k, 0.0) + v
        if "val" in e:
            b["val_dice"] = e["val"]["dice"]
    for i, b in sorted(block.items()):
        n = b.pop("n")
        curve.append(dict({"iteration": 50 * i}, **{k: (v if k == "val_dice" else v / n) for k, v in b.items()}))
r = {"implementation": impl, "method": method, "seed": int(seed), "cases": cases,
     "mean_dice": sum(c["dice"] for c in cases) / len(cases), "empty": sum(bool(c["empty"]) for c in cases),
     "seconds": secs, "device": device, "curve": curve}
json.dump(r, open(target, "w"), indent=1)
print("%s_%s_seed%s: mean Dice %.4f, %d empty" % (impl, method, seed, r["mean_dice"], r["empty"]))
PY
  if [[ -n ${FLOWRUN_PROTOCOL_COMBINED:-} ]]; then
    (flock 9; python3 -c 'import glob, json, os, sys
runs = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.json")))]
json.dump(runs, open(sys.argv[2] + ".tmp", "w"), indent=1)
os.replace(sys.argv[2] + ".tmp", sys.argv[2])' "$results" "$FLOWRUN_PROTOCOL_COMBINED") 9>"$work/.combined.lock"
  fi
  echo "[$(date +%T)] end $name (exit $rc)"
}

queue=()
for m in "${methods[@]}"; do
  flowrun_args "$m" >/dev/null || { echo "run_protocol: unknown method '$m' (see the header)" >&2; exit 2; }
done
for s in "${seeds[@]}"; do  # seed-major: every method gets its first seeds before any gets more
  for m in "${methods[@]}"; do
    [[ $impls == *" reference "* ]] && reference_args "$m" >/dev/null && queue+=("reference $m $s")
    [[ $impls == *" flowrun "* ]] && queue+=("flowrun $m $s")
  done
done
# $jobs workers over the queue, each taking the next run not yet taken.
counter=$work/.next_run
echo 0 > "$counter"
take() { (flock 9; local i; i=$(<"$counter"); echo $((i + 1)) > "$counter"; echo "$i") 9>"$counter.lock"; }
worker() { local i; while i=$(take) && ((i < ${#queue[@]})); do one ${queue[$i]}; done; }
for ((w = 0; w < jobs; w++)); do worker & done
wait
python3 bench/reference/summarize_protocol.py "$results"
