#!/usr/bin/env python3
"""Reads what scripts/gpu/check.sh's steps left behind (run folders, test and
benchmark output) and prints their figures as JSON; `assemble` joins the
step fragments into the one figures file. Standard library only: it runs with
the GPU machine's python3 and with Debian's."""
import glob
import json
import math
import os
import re
import sys


def steady_rate(log_file, skip=10):
    """it/s between iteration `skip` and the second-to-last one: leaves out the
    start (cuDNN and allocator warm-up, cold case cache) and the last
    iteration, which carries the end-of-run test and checkpoint."""
    rows = [json.loads(l) for l in open(log_file) if l.strip()]
    rows = [r for r in rows if "iteration" in r and "seconds" in r]
    if len(rows) < 3:
        return None
    skip = min(skip, len(rows) // 3)
    a, b = rows[skip], rows[-2]
    dt = b["seconds"] - a["seconds"]
    return (b["iteration"] - a["iteration"]) / dt if dt > 0 else None


def run_figures(run_dir):
    out = {"run": run_dir}
    log = os.path.join(run_dir, "log.jsonl")
    if os.path.exists(log):
        rows = [json.loads(l) for l in open(log) if l.strip()]
        out["iterations"] = len(rows)
        out["it_per_s"] = steady_rate(log)
        if rows:
            out["final_terms"] = {k: rows[-1][k] for k in ("total", "sup1", "sup2", "w") if k in rows[-1]}
    prof = os.path.join(run_dir, "profile.json")
    if os.path.exists(prof):
        p = json.load(open(prof))
        out["wall_seconds"] = p.get("wall_seconds")
        out["device"] = p.get("device")
        if "cuda_memory" in p:
            out["peak_gpu_allocated_mib"] = round(p["cuda_memory"]["peak_allocated_bytes"] / 2**20, 1)
            out["peak_gpu_reserved_mib"] = round(p["cuda_memory"]["peak_reserved_bytes"] / 2**20, 1)
        chains = p.get("chains", [])
        if chains:
            c = chains[0]
            n = max(1, c.get("batches", 1))
            out["compute_chain"] = c.get("head", "") + " .. " + c.get("tail", "")
            out["chain_busy_s_per_batch"] = c["busy_seconds"] / n
            out["chain_waited_for_data_s_per_batch"] = c["starved_seconds"] / n
            out["chain_waited_for_data_percent_of_busy"] = c["starved_percent_of_busy"]
    summ = os.path.join(run_dir, "summary.json")
    if os.path.exists(summ):
        t = json.load(open(summ)).get("test", {})
        out["test_dice"] = t.get("mean", {}).get("dice")
        out["test_cases"] = t.get("cases")
        out["test_empty_cases"] = t.get("empty_cases")
    return out


TERMS_SKIPPED = {"iteration", "seconds", "it_per_s", "val"}


def parity(dir_a, dir_b, rel_tol):
    """Every loss term of every logged iteration of two runs, compared."""
    def rows(d):
        return [json.loads(l) for l in open(os.path.join(d, "log.jsonl")) if l.strip()]
    ra, rb = rows(dir_a), rows(dir_b)
    worst_rel, worst_abs, worst = 0.0, 0.0, None
    compared = 0
    per_iteration = []
    for a, b in zip(ra, rb):
        terms = {}
        for k, va in a.items():
            if k in TERMS_SKIPPED or not isinstance(va, (int, float)) or k not in b:
                continue
            vb = b[k]
            diff = abs(va - vb)
            rel = diff / max(abs(va), abs(vb), 1e-12)
            compared += 1
            terms[k] = {"a": va, "b": vb, "rel": rel}
            if diff > 1e-6 and rel > worst_rel:
                worst_rel, worst = rel, "iteration %d %s" % (a["iteration"], k)
            worst_abs = max(worst_abs, diff)
        per_iteration.append({"iteration": a.get("iteration"), "terms": terms})
    ok = compared > 0 and len(ra) == len(rb) and worst_rel <= rel_tol
    return {"a": dir_a, "b": dir_b, "iterations": len(ra), "terms_compared": compared,
            "max_rel_diff": worst_rel, "max_abs_diff": worst_abs, "worst": worst,
            "tolerance_rel": rel_tol, "pass": ok, "per_iteration": per_iteration}


def window(stdout_file):
    text = open(stdout_file).read()
    out = {"per_window_batch": {}}
    m = re.search(r"volume (\S+) .*?: (\d+) windows", text)
    if m:
        out["volume"], out["windows"] = m.group(1), int(m.group(2))
    for wb, s in re.findall(r"window_batch\s+(\d+):\s+([\d.]+) s per volume", text):
        out["per_window_batch"][wb] = float(s)
    out["masks_identical"] = "masks identical" in text
    return out


def gtest(json_files):
    res = {"tests": 0, "failures": 0, "skipped": 0, "failed": [], "skipped_reasons": []}
    for f in json_files:
        if not os.path.exists(f):
            res["failed"].append(os.path.basename(f) + ": no report (crashed?)")
            continue
        d = json.load(open(f))
        for suite in d.get("testsuites", []):
            for t in suite.get("testsuite", []):
                res["tests"] += 1
                name = suite["name"] + "." + t["name"]
                if t.get("failures"):
                    res["failures"] += 1
                    res["failed"].append(name)
                elif t.get("result") == "SKIPPED":
                    res["skipped"] += 1
    res["pass"] = res["failures"] == 0 and not res["failed"] and res["tests"] > 0
    return res


def assemble(frag_dir, target):
    doc = {}
    for f in sorted(glob.glob(os.path.join(frag_dir, "*.json"))):
        key = os.path.splitext(os.path.basename(f))[0]
        try:
            doc[key] = json.load(open(f))
        except ValueError as e:
            doc[key] = {"error": "unreadable fragment: %s" % e}
    la = doc.get("la_prefetch2_fp32", {})
    rate = la.get("it_per_s")
    if rate:
        hours = 15000 / rate / 3600
        doc["projection"] = {"paper_la5_iterations": 15000, "from": "la_prefetch2_fp32",
                             "it_per_s": rate, "projected_hours": round(hours, 2)}
        bf = doc.get("la_prefetch2_bf16", {}).get("it_per_s")
        if bf:
            doc["projection"]["bf16_projected_hours"] = round(15000 / bf / 3600, 2)
            doc["projection"]["bf16_speedup"] = round(bf / rate, 3)
    json.dump(doc, open(target, "w"), indent=2, default=lambda o: None)
    return doc


def main(argv):
    cmd = argv[1]
    if cmd == "run":
        r = run_figures(argv[2])
    elif cmd == "parity":
        r = parity(argv[2], argv[3], float(argv[4]))
    elif cmd == "window":
        r = window(argv[2])
    elif cmd == "gtest":
        r = gtest(argv[2:])
    elif cmd == "assemble":
        assemble(argv[2], argv[3])
        return 0
    else:
        print("usage: collect.py run DIR | parity A B TOL | window FILE | gtest JSON... | assemble DIR OUT", file=sys.stderr)
        return 2
    print(json.dumps(r, indent=2, default=lambda o: None))
    return 0 if r.get("pass", True) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
