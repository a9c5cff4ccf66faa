#!/usr/bin/env python3
"""Tables of the LA pipeline-parity protocol (bench/reference/run_protocol.sh)
from one or more result folders: per implementation, method and device, the
mean test Dice over seeds (mean +- sd of the per-seed means) and the empty
predictions; then paired comparisons (same seed, same test case): flowrun
against the reference for each method, and each method against its baseline
within flowrun, with per-case wins/losses and a two-sided sign test.
Markdown on stdout.

usage: summarize_protocol.py [FOLDER...]   (default: bench/results/pipeline_parity)"""
import glob
import json
import math
import os
import statistics
import sys

# method -> the baseline it is judged against within one implementation
BASELINE = {"cps": "sup", "cotwin": "sup", "sup_z": "sup", "cps_z": "sup_z", "cotwin_z": "sup_z",
            "cotwin_z_teval": "cotwin_z", "cotwin_z_tfixed": "cotwin_z", "cotwin_z_cutmix": "cotwin_z"}


def sign_test(wins, losses):
    """Two-sided exact sign test p-value, ties dropped."""
    n = wins + losses
    if n == 0:
        return float("nan")
    k = min(wins, losses)
    p = sum(math.comb(n, i) for i in range(k + 1)) / 2.0 ** n
    return min(1.0, 2 * p)


def load(folders):
    by = {}
    for folder in folders:
        for f in sorted(glob.glob(os.path.join(folder, "*.json"))):
            r = json.load(open(f))
            key = (r["implementation"], r["method"], r.get("device", "cpu"))
            by.setdefault(key, {})[r["seed"]] = r
    return by


def paired(a, b):
    """a, b: seed -> run. Per-seed differences of the means and per-case wins/losses of a over b."""
    diffs, wins, losses, ties = [], 0, 0, 0
    for s in sorted(set(a) & set(b)):
        diffs.append(100 * (a[s]["mean_dice"] - b[s]["mean_dice"]))
        bc = {c["case"]: c["dice"] for c in b[s]["cases"]}
        for c in a[s]["cases"]:
            if c["case"] in bc:
                d = c["dice"] - bc[c["case"]]
                wins += d > 1e-4
                losses += d < -1e-4
                ties += abs(d) <= 1e-4
    return diffs, wins, losses, ties


def row(label, diffs, wins, losses, ties):
    sd = statistics.stdev(diffs) if len(diffs) > 1 else float("nan")
    return "| %s | %d | %+.1f +- %.1f | %d / %d / %d | %.3f |" % (
        label, len(diffs), statistics.mean(diffs), sd, wins, losses, ties, sign_test(wins, losses))


def main(folders):
    by = load(folders)
    print("| implementation | method | device | seeds | test Dice % (mean +- sd over seeds) | per seed | empty predictions |")
    print("|---|---|---|---|---|---|---|")
    for (impl, method, dev), seeds in sorted(by.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
        means = [100 * seeds[s]["mean_dice"] for s in sorted(seeds)]
        sd = statistics.stdev(means) if len(means) > 1 else float("nan")
        empties = sum(seeds[s]["empty"] for s in seeds)
        cases = sum(len(seeds[s]["cases"]) for s in seeds)
        print("| %s | %s | %s | %d | %.1f +- %.1f | %s | %d / %d |" % (
            impl, method, dev, len(seeds), statistics.mean(means), sd, ", ".join("%.1f" % m for m in means),
            empties, cases))
    print()
    print("| paired comparison (same seeds, same device) | seeds | Dice difference, points (mean +- sd) | per case wins / losses / ties | sign test p |")
    print("|---|---|---|---|---|")
    for (impl, method, dev), runs in sorted(by.items()):
        if impl == "flowrun" and ("reference", method, dev) in by:
            d = paired(runs, by[("reference", method, dev)])
            if d[0]:
                print(row("flowrun %s - reference %s (%s)" % (method, method, dev), *d))
        base = BASELINE.get(method)
        if base and (impl, base, dev) in by:
            d = paired(runs, by[(impl, base, dev)])
            if d[0]:
                print(row("%s %s - %s %s (%s)" % (impl, method, impl, base, dev), *d))


if __name__ == "__main__":
    main(sys.argv[1:] or [os.path.join(os.path.dirname(__file__), "..", "results", "pipeline_parity")])
