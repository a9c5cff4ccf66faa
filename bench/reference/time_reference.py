#!/usr/bin/python3
"""The reference side of the speed comparison (bench/compare.py): the lineage's
CPS and CoTwin training steps and its sliding window, timed in a plain
PyTorch process on random inputs of the sizes given. The work per step is the
lineage's: both V-Nets forward on the labelled and unlabelled crops, CE +
soft Dice on the labelled ones, cross pseudo-label CE on the unlabelled ones,
backward, SGD (momentum 0.9, weight decay 1e-4); CoTwin also forwards the
shifted crops B without autograd and forms the dynamic pseudo-labels.

Prints one line per timed repetition, `seconds S`, after `warmup` untimed
ones; the environment (threads, malloc) is the caller's.

usage: time_reference.py cps|cotwin --size X Y Z [--labeled-bs 2] [--unlabeled-bs 2] [--steps 3] [--warmup 1] [--bf16]
       time_reference.py window --size X Y Z [--patch 112 112 80] [--stride 18 18 4] [--steps 1] [--warmup 0]
       [--threads 1] [--filters 16]"""
import argparse
import os
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:
    print("time_reference: needs numpy and torch (Debian: python3-torch): %s" % e)
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cotwin_reference import step as cotwin_step  # noqa: E402
from cotwin_reference import supervised  # noqa: E402
from lineage_data import sliding_window  # noqa: E402
from vnet import VNet  # noqa: E402


def cps_step(net1, net2, opt1, opt2, image, label, n_labeled, w, bf16=False):
    """SSL4MIS cross_pseudo_supervision_3D's iteration; bf16: autocast of the
    forward passes, fp32 logits to the losses (as flowrun's nodes.forward.bf16)."""
    net1.train()
    net2.train()
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        out1, out2 = net1(image), net2(image)
    out1, out2 = out1.float(), out2.float()
    sup = supervised(out1[:n_labeled], label) + supervised(out2[:n_labeled], label)
    p1 = out1[n_labeled:].detach().argmax(1)
    p2 = out2[n_labeled:].detach().argmax(1)
    unsup = F.cross_entropy(out1[n_labeled:], p2) + F.cross_entropy(out2[n_labeled:], p1)
    loss = sup + w * unsup
    opt1.zero_grad()
    opt2.zero_grad()
    loss.backward()
    opt1.step()
    opt2.step()
    return float(loss)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work", choices=["cps", "cotwin", "window"])
    ap.add_argument("--size", type=int, nargs=3, required=True)
    ap.add_argument("--labeled-bs", type=int, default=2)
    ap.add_argument("--unlabeled-bs", type=int, default=2)
    ap.add_argument("--patch", type=int, nargs=3, default=[112, 112, 80])
    ap.add_argument("--stride", type=int, nargs=3, default=[18, 18, 4])
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--filters", type=int, default=16)
    ap.add_argument("--bf16", action="store_true", help="cps: bf16 autocast of the forward passes")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    net1, net2 = VNet(n_filters=a.filters), VNet(n_filters=a.filters)

    if a.work == "window":
        net1.eval()
        image = rng.standard_normal(a.size).astype(np.float32)
        for i in range(a.warmup + a.steps):
            t0 = time.perf_counter()
            sliding_window(net1, image, a.patch, a.stride)
            if i >= a.warmup:
                print("seconds %.4f" % (time.perf_counter() - t0), flush=True)
        return

    nl, nu = a.labeled_bs, a.unlabeled_bs
    image = torch.randn(nl + nu, 1, *a.size)
    label = (torch.rand(nl, *a.size) > 0.7).long()
    if a.work == "cps":
        opts = [torch.optim.SGD(n.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4) for n in (net1, net2)]
        run = lambda: cps_step(net1, net2, opts[0], opts[1], image, label, nl, 1.0, a.bf16)  # noqa: E731
    else:
        opt = torch.optim.SGD(list(net1.parameters()) + list(net2.parameters()), lr=0.01, momentum=0.9,
                              weight_decay=1e-4)
        image_b = torch.randn(nu, 1, *a.size)
        shifts = [[4, -4, 2]] * nu
        hyper = {"alpha": 1.0, "beta": 1.0, "unsup_weight": 1.0, "combine": "mean"}
        run = lambda: cotwin_step(net1, net2, opt, image, label, image_b, shifts, nl, hyper)  # noqa: E731
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        run()
        if i >= a.warmup:
            print("seconds %.4f" % (time.perf_counter() - t0), flush=True)


if __name__ == "__main__":
    main()
