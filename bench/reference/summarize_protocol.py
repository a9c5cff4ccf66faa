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
    """(implementation, method, device) -> seed -> run. A run repeated (same
    key and seed, e.g. in a later folder) keeps the first; repeats are listed."""
    by, repeats = {}, []
    for folder in folders:
        for f in sorted(glob.glob(os.path.join(folder, "*.json"))):
            r = json.load(open(f))
            key = (r["implementation"], r["method"], r.get("device", "cpu"))
            seeds = by.setdefault(key, {})
            if r["seed"] in seeds:
                repeats.append((key, r["seed"], seeds[r["seed"]]["mean_dice"], r["mean_dice"]))
            else:
                seeds[r["seed"]] = r
    return by, repeats


def case_count(run):
    return len(run["cases"]) if run.get("cases") is not None else run.get("case_count", 0)


def paired(a, b):
    """a, b: seed -> run. Per-seed differences of the means and per-case wins/losses of a over b."""
    diffs, wins, losses, ties = [], 0, 0, 0
    for s in sorted(set(a) & set(b)):
        diffs.append(100 * (a[s]["mean_dice"] - b[s]["mean_dice"]))
        if a[s].get("cases") is None or b[s].get("cases") is None:
            continue  # per-case figures missing (see the run's note)
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
    cases = "%d / %d / %d | %.3f" % (wins, losses, ties, sign_test(wins, losses)) if wins + losses + ties else "- | -"
    return "| %s | %d | %+.1f +- %.1f | %s |" % (label, len(diffs), statistics.mean(diffs), sd, cases)


def supervised_of(method):
    return "sup_z" if "_z" in method else "sup"


def main(folders):
    by, repeats = load(folders)
    print("| implementation | method | device | seeds | test Dice % (mean +- sd over seeds) | per seed | empty predictions |")
    print("|---|---|---|---|---|---|---|")
    for (impl, method, dev), seeds in sorted(by.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
        means = [100 * seeds[s]["mean_dice"] for s in sorted(seeds)]
        sd = statistics.stdev(means) if len(means) > 1 else float("nan")
        empties = sum(seeds[s]["empty"] for s in seeds)
        cases = sum(case_count(seeds[s]) for s in seeds)
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
        for base in dict.fromkeys([BASELINE.get(method), supervised_of(method)]):
            if base and base != method and (impl, base, dev) in by:
                d = paired(runs, by[(impl, base, dev)])
                if d[0]:
                    print(row("%s %s - %s %s (%s)" % (impl, method, impl, base, dev), *d))
    if repeats:
        print()
        for (impl, method, dev), seed, first, again in repeats:
            print("repeat: %s %s seed %d on %s: Dice %.1f, again %.1f (the first is in the tables)" % (
                impl, method, seed, dev, 100 * first, 100 * again))


if __name__ == "__main__":
    main(sys.argv[1:] or [os.path.join(os.path.dirname(__file__), "..", "results", "pipeline_parity")])
