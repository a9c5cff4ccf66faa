#!/usr/bin/python3
"""Which allocator serves flowrun's CPU training best (issue 12): the CPS step
(bench/compare.py's step work, one core, one thread) under
  glibc+mallopt  flowrun as shipped (mmap and trim thresholds raised at start-up)
  glibc          the same with FLOWRUN_MALLOC_TUNING=0 (glibc's defaults)
  jemalloc       Debian's libjemalloc2 by LD_PRELOAD (mallopt then has no effect)
  mimalloc       Debian's libmimalloc2.0 by LD_PRELOAD
alternately, the order rotating every round; prints each step time, then the
median per allocator and its ratio to glibc+mallopt.

usage: bench/allocators.py [--work cps64] [--rounds 2] [--steps 2] [--core 1] [--build build]"""
import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402

LIB = "/usr/lib/x86_64-linux-gnu/"
VARIANTS = {
    "glibc+mallopt": {},
    "glibc": {"FLOWRUN_MALLOC_TUNING": "0"},
    "jemalloc": {"LD_PRELOAD": LIB + "libjemalloc.so.2", "FLOWRUN_MALLOC_TUNING": "0"},
    "mimalloc": {"LD_PRELOAD": LIB + "libmimalloc.so.2", "FLOWRUN_MALLOC_TUNING": "0"},
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", default="cps64", choices=[k for k, w in compare.WORKS.items() if w["kind"] == "step"])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("--core", type=int, default=1)
    ap.add_argument("--build", default=os.path.join(compare.ROOT, "build"))
    a = ap.parse_args()
    if not os.path.isdir(os.path.join(compare.ROOT, "../shared/data/LA")):
        sys.exit("allocators: ../shared/data/LA is absent (the step graphs train on LA)")
    names = [n for n, v in VARIANTS.items() if "LD_PRELOAD" not in v or os.path.exists(v["LD_PRELOAD"])]
    for n in set(VARIANTS) - set(names):
        print("allocators: %s skipped: %s is not installed" % (n, VARIANTS[n]["LD_PRELOAD"]))
    w = compare.WORKS[a.work]
    res = {n: [] for n in names}
    with tempfile.TemporaryDirectory(prefix="flowrun-alloc-") as scratch:
        for r in range(a.rounds):
            for n in names[r % len(names):] + names[:r % len(names)]:
                t0 = time.time()
                env = dict(compare.clean_env(), **VARIANTS[n])
                xs = compare.flowrun_step(w, a.steps, a.build, a.core, scratch, env)
                res[n] += xs
                print("round %d %-14s %s   (%.0f s wall)" % (r + 1, n, " ".join("%.3f" % x for x in xs),
                                                         time.time() - t0), flush=True)
    base = statistics.median(res["glibc+mallopt"])
    print("| allocator (%s step, one core) | seconds per step | glibc+mallopt / this |" % a.work)
    print("|---|---|---|")
    for n in names:
        print("| %s | %s | %.2fx |" % (n, compare.fmt(res[n]), base / statistics.median(res[n])))


if __name__ == "__main__":
    main()
