#!/usr/bin/env python3
"""Table of the pipeline-parity protocol from bench/results/pipeline_parity:
per implementation and method, the mean test Dice over seeds (mean +- sd of
the per-seed means), empty predictions, and flowrun's per-case wins and
losses against the reference (same seed, same case). Markdown on stdout."""
import glob
import json
import os
import statistics
import sys


def main(folder):
    runs = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(folder, "*.json")))]
    by = {}
    for r in runs:
        by.setdefault((r["implementation"], r["method"]), {})[r["seed"]] = r
    print("| implementation | method | seeds | test Dice % (mean +- sd over seeds) | per seed | empty predictions |")
    print("|---|---|---|---|---|---|")
    for (impl, method), seeds in sorted(by.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        means = [100 * seeds[s]["mean_dice"] for s in sorted(seeds)]
        sd = statistics.stdev(means) if len(means) > 1 else float("nan")
        empties = sum(seeds[s]["empty"] for s in seeds)
        cases = sum(len(seeds[s]["cases"]) for s in seeds)
        print("| %s | %s | %d | %.1f +- %.1f | %s | %d / %d |" % (
            impl, method, len(seeds), statistics.mean(means), sd, ", ".join("%.1f" % m for m in means), empties, cases))
    print()
    for method in sorted({m for _, m in by}):
        f, r = by.get(("flowrun", method), {}), by.get(("reference", method), {})
        wins = losses = ties = 0
        for s in set(f) & set(r):
            rc = {c["case"]: c["dice"] for c in r[s]["cases"]}
            for c in f[s]["cases"]:
                if c["case"] not in rc:
                    continue
                d = c["dice"] - rc[c["case"]]
                wins += d > 1e-4
                losses += d < -1e-4
                ties += abs(d) <= 1e-4
        if wins + losses + ties:
            print("%s: flowrun against the reference, per case and seed: %d wins, %d losses, %d ties" % (method, wins, losses, ties))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "results", "pipeline_parity"))
