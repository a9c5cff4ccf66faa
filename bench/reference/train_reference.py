#!/usr/bin/python3
"""The reference side of the pipeline-parity protocol (docs/results.md):
supervised-only or CPS training of the lineage V-Net on a flowrun dataset
description, with the lineage's data path (lineage_data.py), then the test
split scored with the lineage's sliding window. Writes DIR/summary.json with
per-case Dice and empty predictions.

usage: train_reference.py --dataset D.json --method sup|cps --seed S --out DIR
       [--iterations 600] [--patch 64 64 32] [--stride 9 9 2] [--labeled 4]
       [--lr 0.01] [--schedule constant|poly] [--rampup-epochs 40 | --rampup-fraction F] [--threads 1]
"""
import argparse
import json
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cotwin_reference import supervised  # noqa: E402
from lineage_data import (dice, load_case, load_description, random_crop, random_rot_flip,  # noqa: E402
                          sliding_window, two_stream_batches)
from vnet import VNet  # noqa: E402


def init_weights(net, kind):
    for m in net.modules():
        if isinstance(m, torch.nn.Conv3d):
            (torch.nn.init.kaiming_normal_ if kind == "kaiming" else torch.nn.init.xavier_normal_)(m.weight)
        elif isinstance(m, torch.nn.BatchNorm3d):
            m.weight.data.fill_(1)
            m.bias.data.zero_()
    return net


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", required=True)
    ap.add_argument("--method", choices=["sup", "cps"], required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--iterations", type=int, default=600)
    ap.add_argument("--patch", type=int, nargs=3, default=[64, 64, 32])
    ap.add_argument("--stride", type=int, nargs=3, default=[9, 9, 2])
    ap.add_argument("--labeled", type=int, default=4)
    ap.add_argument("--labeled-bs", type=int, default=2)
    ap.add_argument("--unlabeled-bs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--schedule", choices=["constant", "poly"], default="constant")
    ap.add_argument("--rampup-epochs", type=float, default=40.0, help="w(t) = exp(-5 (1 - t/T)^2), t = iteration // 150")
    ap.add_argument("--rampup-fraction", type=float, default=None,
                    help="instead of epochs: T = fraction x iterations, t = iteration (flowrun's rampup_unit fraction)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--device", default="cpu", help="cpu | cuda")
    ap.add_argument("--normalize", choices=["none", "zscore"], default="none",
                    help="per-case intensity normalisation at load, training and test (flowrun's data.normalize)")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    random.seed(a.seed)
    np.random.seed(a.seed)
    torch.manual_seed(a.seed)
    rng = np.random.RandomState(a.seed)
    root, image_pattern, label_pattern, splits = load_description(a.dataset)
    train, test = splits["train"], splits["test"]
    cases = [load_case(root, image_pattern, label_pattern, c, a.normalize) for c in train]
    labeled = list(range(a.labeled))
    unlabeled = list(range(a.labeled, len(train)))

    nets = [init_weights(VNet(n_filters=16, dropout=True), "kaiming").to(a.device)]
    if a.method == "cps":
        nets.append(init_weights(VNet(n_filters=16, dropout=True), "xavier").to(a.device))
    params = [p for n in nets for p in n.parameters()]
    opt = torch.optim.SGD(params, lr=a.lr, momentum=0.9, weight_decay=1e-4)
    unl_bs = a.unlabeled_bs if a.method == "cps" else 0
    batches = two_stream_batches(labeled, unlabeled, a.labeled_bs, unl_bs, rng)
    t0 = time.time()
    log = []
    for it in range(a.iterations):
        lab, unl = next(batches)
        imgs, labs = [], []
        for i in lab + unl:
            im, lb = random_crop(*random_rot_flip(*cases[i], rng), a.patch, rng)
            imgs.append(im)
            labs.append(lb)
        x = torch.from_numpy(np.stack(imgs))[:, None].float().to(a.device)
        y = torch.from_numpy(np.stack(labs[:len(lab)])).long().to(a.device)
        lr = a.lr if a.schedule == "constant" else a.lr * (1 - it / a.iterations) ** 0.9
        for g in opt.param_groups:
            g["lr"] = lr
        for n in nets:
            n.train()
        outs = [n(x) for n in nets]
        nl = len(lab)
        loss = sum(0.5 * supervised(o[:nl], y) for o in outs)
        w = 0.0
        if a.method == "cps":
            if a.rampup_fraction is not None:
                T = a.rampup_fraction * a.iterations
                r = min(it, T) / T if T > 0 else 1.0
            else:
                epoch = it // 150
                r = min(epoch, a.rampup_epochs) / a.rampup_epochs if a.rampup_epochs > 0 else 1.0
            w = float(np.exp(-5.0 * (1.0 - r) ** 2))
            p1 = outs[0][nl:].detach().argmax(1)
            p2 = outs[1][nl:].detach().argmax(1)
            loss = loss + w * (F.cross_entropy(outs[0][nl:], p2) + F.cross_entropy(outs[1][nl:], p1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if it % 50 == 0 or it == a.iterations - 1:
            log.append({"iteration": it, "loss": float(loss), "w": w, "lr": lr, "seconds": time.time() - t0})
            print("iter %d loss %.4f w %.4f lr %.5f %.1f s" % (it, float(loss), w, lr, time.time() - t0), flush=True)
    train_s = time.time() - t0

    net = nets[0]
    net.eval()
    per_case = []
    for c in test:
        img, lab = load_case(root, image_pattern, label_pattern, c, a.normalize)
        pred = sliding_window(net, img, a.patch, a.stride, device=a.device)
        d = dice(pred, lab)
        per_case.append({"case": c, "dice": d, "empty": bool(pred.max() == 0)})
        print("test %s Dice %.4f%s" % (c, d, " (empty)" if pred.max() == 0 else ""), flush=True)
    dices = [p["dice"] for p in per_case]
    summary = {"implementation": "reference", "method": a.method, "seed": a.seed, "iterations": a.iterations,
               "args": vars(a), "train_seconds": train_s, "seconds": time.time() - t0,
               "test": {"mean_dice": float(np.mean(dices)), "empty_cases": sum(p["empty"] for p in per_case),
                        "per_case": per_case}, "log": log}
    os.makedirs(a.out, exist_ok=True)
    json.dump(summary, open(os.path.join(a.out, "summary.json"), "w"), indent=1)
    print("mean Dice %.4f, %d empty" % (summary["test"]["mean_dice"], summary["test"]["empty_cases"]))


if __name__ == "__main__":
    main()
