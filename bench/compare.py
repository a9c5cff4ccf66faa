#!/usr/bin/python3
"""flowrun against the reference Python code, side by side (issue 12).

Runs, in one invocation and alternately (the order rotates every round), on
the same core (taskset) with one thread each:
  flowrun      the shipped graph or benchmark binary, as a user runs it
  ref-default  bench/reference/time_reference.py with the environment as it is
  ref-tuned    the same with the settings flowrun applies itself, given by
               environment: MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_ = 1 GiB
               and OPENBLAS_NUM_THREADS=1
and prints every measurement, then per work the median, min and max seconds
and the ratios reference / flowrun, as a Markdown table (also --table FILE).

Works:
  cps112, cps64   one CPS training step, batch 2 labelled + 2 unlabelled, at
                  112x112x80 / 64x64x64 (flowrun: graphs/baselines/la_5_cps.json
                  on LA; its step = busy time of forward, pseudo, loss and step,
                  from a run of 1+K iterations minus a run of 1, so start-up,
                  first-call set-up and data loading are excluded as they are
                  on the reference side)
  cps112bf16      cps112 with bf16 autocast of the forward passes on both sides
                  (flowrun: nodes.forward.bf16=true); pays only on CPUs with
                  AVX512_BF16 or AMX
  cotwin112       one CoTwin step (graphs/la_5.json), the shifted crops' extra
                  forward included
  window          the sliding window over one LA-sized volume 175x132x88,
                  patch 112x112x80, stride 18x18x4 (45 windows), random
                  weights and input (flowrun: bench_sliding_window)
  metrics         Dice, Jaccard, HD95 and ASD of one LA case's label shifted
                  by 2 voxels along x against the label, voxel units, one
                  process per call as a user's script (flowrun: `flowrun
                  metrics --voxel`; reference: bench/reference/metrics_reference.py,
                  medpy's formulas on scipy); the process's wall time, start-up
                  and reads included, --calls calls per round (the
                  reference needs Debian's python3-h5py and python3-scipy)

The flowrun graphs read LA from ../shared/data/LA (graphs/datasets/la_local.json);
without it the step works are skipped, saying so.

usage: bench/compare.py [--works cps64,cps112,cps112bf16,cotwin112,window,metrics] [--rounds 3] [--steps 2]
                        [--calls 5] [--core 1] [--build build] [--table FILE]"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = "/usr/bin/python3"
TUNED = {"MALLOC_MMAP_THRESHOLD_": "1073741824", "MALLOC_TRIM_THRESHOLD_": "1073741824",
         "OPENBLAS_NUM_THREADS": "1"}
WORKS = {
    "cps64": {"kind": "step", "method": "cps", "size": [64, 64, 64]},
    "cps112": {"kind": "step", "method": "cps", "size": [112, 112, 80]},
    "cps112bf16": {"kind": "step", "method": "cps", "size": [112, 112, 80], "bf16": True},
    "cotwin112": {"kind": "step", "method": "cotwin", "size": [112, 112, 80]},
    "window": {"kind": "window", "size": [175, 132, 88], "patch": [112, 112, 80], "stride": [18, 18, 4]},
    "metrics": {"kind": "metrics", "case": "06SR5RBREL16DQ6M8LWS", "shift": 2},
}
COMPUTE_NODES = ("forward", "pseudo", "loss", "step")


def clean_env():
    env = dict(os.environ)
    for k in list(TUNED) + ["FLOWRUN_MALLOC_TUNING", "OMP_NUM_THREADS"]:
        env.pop(k, None)
    return env


def run(cmd, env, core):
    full = ["taskset", "-c", str(core)] + cmd
    p = subprocess.run(full, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        sys.exit("compare: `%s` failed (exit %d):\n%s" % (" ".join(full), p.returncode, p.stdout[-3000:]))
    return p.stdout


def reference(work, w, steps, env, core):
    cmd = [PY, os.path.join(ROOT, "bench/reference/time_reference.py"), w["method"] if w["kind"] == "step" else "window",
           "--size"] + [str(s) for s in w["size"]] + ["--threads", "1"]
    if w["kind"] == "step":
        cmd += ["--steps", str(steps), "--warmup", "1"] + (["--bf16"] if w.get("bf16") else [])
    else:
        cmd += ["--patch"] + [str(s) for s in w["patch"]] + ["--stride"] + [str(s) for s in w["stride"]]
        cmd += ["--steps", "1", "--warmup", "0"]
    out = run(cmd, env, core)
    return [float(l.split()[1]) for l in out.splitlines() if l.startswith("seconds ")]


def flowrun_graph_busy(w, iterations, out_dir, build, core, env=None):
    graph = "graphs/baselines/la_5_cps.json" if w["method"] == "cps" else "graphs/la_5.json"
    size = "[%d,%d,%d]" % tuple(w["size"])
    cmd = [os.path.join(build, "bin/flowrun"), "run", os.path.join(ROOT, graph), "--out", out_dir,
           "--set", "dataset=%s" % ("../datasets/la_local.json" if w["method"] == "cps" else "datasets/la_local.json"),
           "--set", "params.iterations=%d" % iterations, "--set", "params.torch_threads=1",
           "--set", "params.threads=1", "--set", "params.prefetch=1", "--set", "nodes.crop.patch=" + size,
           # Validation runs after the last batch whatever `every` says: one
           # case, one window, no test pass, so it stays out of the way.
           "--set", "nodes.validate.every=1000000", "--set", "nodes.validate.max_cases=1",
           "--set", "nodes.validate.patch=" + size, "--set", "nodes.validate.stride=" + size,
           "--set", "nodes.validate.test_at_end=false", "--set", "nodes.checkpoint.every=1000000",
           "--set", "nodes.forward.bf16=%s" % ("true" if w.get("bf16") else "false")]
    run(cmd, env if env is not None else clean_env(), core)
    prof = json.load(open(os.path.join(out_dir, "profile.json")))
    return sum(prof["nodes"][n]["busy_seconds"] for n in COMPUTE_NODES)


def flowrun_step(w, steps, build, core, scratch, env=None):
    """Per-step compute busy time: (busy over 1+K iterations - busy over 1) / K."""
    a = flowrun_graph_busy(w, 1, os.path.join(scratch, "one"), build, core, env)
    b = flowrun_graph_busy(w, 1 + steps, os.path.join(scratch, "many"), build, core, env)
    for d in ("one", "many"):
        shutil.rmtree(os.path.join(scratch, d), ignore_errors=True)
    return [(b - a) / steps]


def flowrun_window(w, build, core):
    cmd = [os.path.join(build, "bin/bench_sliding_window"), "--size"] + [str(s) for s in w["size"]]
    cmd += ["--patch"] + [str(s) for s in w["patch"]] + ["--stride"] + [str(s) for s in w["stride"]]
    cmd += ["--batches", "1", "--threads", "1", "--reps", "1"]
    out = run(cmd, clean_env(), core)
    for line in out.splitlines():
        if line.startswith("window_batch"):
            return [float(line.split(":")[1].split()[0])]
    sys.exit("compare: no timing in bench_sliding_window's output:\n" + out)


def metrics_pair(w, la, scratch):
    """The files both sides score: PRED = the case's label shifted along x, GT = the label."""
    import h5py
    import numpy as np
    gt = os.path.join(la, w["case"] + ".h5")
    pred = os.path.join(scratch, w["case"] + "_shifted.h5")
    with h5py.File(gt, "r") as f:
        label = np.asarray(f["label"])
    with h5py.File(pred, "w") as f:
        f["label"] = np.roll(label, w["shift"], axis=0)
    return pred + ":label", gt + ":label"


def timed_calls(cmd, env, core, calls):
    xs = []
    for _ in range(calls):
        t0 = time.perf_counter()
        run(cmd, env, core)
        xs.append(time.perf_counter() - t0)
    return xs


def flowrun_metrics(pair, build, core, calls):
    return timed_calls([os.path.join(build, "bin/flowrun"), "metrics", "--voxel", pair[0], pair[1]], clean_env(), core,
                       calls)


def reference_metrics(pair, env, core, calls):
    return timed_calls([PY, os.path.join(ROOT, "bench/reference/metrics_reference.py"), pair[0], pair[1]], env, core,
                       calls)


def fmt(xs):
    if not xs:
        return "–"
    f = "%.3f" if statistics.median(xs) < 1 else "%.2f"
    return (f + " s (" + f + "–" + f + ", n=%d)") % (statistics.median(xs), min(xs), max(xs), len(xs))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--works", default="cps64,cps112,cps112bf16,cotwin112,window,metrics")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=2, help="timed steps per process (step works)")
    ap.add_argument("--calls", type=int, default=5, help="processes per round (metrics)")
    ap.add_argument("--core", type=int, default=1)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--table", help="also write the Markdown table here")
    a = ap.parse_args()
    works = a.works.split(",")
    for k in works:
        if k not in WORKS:
            sys.exit("compare: unknown work '%s' (one of %s)" % (k, ", ".join(WORKS)))
    la = os.path.join(ROOT, "../shared/data/LA")
    if not os.path.isdir(la) and any(WORKS[k]["kind"] in ("step", "metrics") for k in works):
        print("compare: %s is absent: skipping the step and metrics works (they read LA)" % la)
        works = [k for k in works if WORKS[k]["kind"] not in ("step", "metrics")]
    env_default = clean_env()
    env_tuned = dict(env_default, **TUNED)
    lscpu = subprocess.run(["lscpu"], stdout=subprocess.PIPE, text=True).stdout
    cpu = next((l.split(":", 1)[1].strip() for l in lscpu.splitlines() if l.startswith("Model name")), "?")
    print("# bench/compare.py %s, %s, core %d, %d round(s)" % (time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime()), cpu,
                                                                a.core, a.rounds), flush=True)
    results = {k: {"flowrun": [], "ref-default": [], "ref-tuned": []} for k in works}
    order = ["flowrun", "ref-default", "ref-tuned"]
    with tempfile.TemporaryDirectory(prefix="flowrun-compare-") as scratch:
        pairs = {k: metrics_pair(WORKS[k], la, scratch) for k in works if WORKS[k]["kind"] == "metrics"}
        for r in range(a.rounds):
            for k in works:
                w = WORKS[k]
                for v in order[r % 3:] + order[:r % 3]:
                    t0 = time.time()
                    env = env_default if v == "ref-default" else env_tuned
                    if w["kind"] == "metrics":
                        pair = pairs[k]
                        xs = flowrun_metrics(pair, a.build, a.core, a.calls) if v == "flowrun" \
                            else reference_metrics(pair, env, a.core, a.calls)
                    elif v == "flowrun":
                        xs = flowrun_step(w, a.steps, a.build, a.core, scratch) if w["kind"] == "step" \
                            else flowrun_window(w, a.build, a.core)
                    else:
                        xs = reference(k, w, a.steps, env, a.core)
                    results[k][v] += xs
                    print("round %d %-10s %-12s %s   (%.0f s wall)" % (r + 1, k, v, " ".join("%.3f" % x for x in xs),
                                                                    time.time() - t0), flush=True)
    lines = ["| work (one core, one thread) | flowrun | reference, default env | reference, tuned env | "
             "default / flowrun | tuned / flowrun |", "|---|---|---|---|---|---|"]
    for k in works:
        res = results[k]
        f = statistics.median(res["flowrun"])
        lines.append("| %s | %s | %s | %s | %.2fx | %.2fx |" % (
            k, fmt(res["flowrun"]), fmt(res["ref-default"]), fmt(res["ref-tuned"]),
            statistics.median(res["ref-default"]) / f, statistics.median(res["ref-tuned"]) / f))
    table = "\n".join(lines)
    print(table)
    if a.table:
        with open(a.table, "w") as fh:
            fh.write("<!-- bench/compare.py --works %s --rounds %d --steps %d --core %d; %s -->\n%s\n" % (
                a.works, a.rounds, a.steps, a.core, cpu, table))


if __name__ == "__main__":
    main()
