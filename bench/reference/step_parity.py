#!/usr/bin/python3
"""Step parity: flowrun's exported CoTwin step (tests/parity/step_export.cpp)
against this reference, from the same initial weights and batch, fp32, one
thread. Compares the logits, the pseudo-labels, every loss term, every
gradient and every weight and BatchNorm buffer after the SGD step; prints the
worst relative difference of each group and exits 1 when one exceeds 1e-5.

usage: step_parity.py DIR     (exit 77 when python3-torch is missing)"""
import json
import os
import sys

try:
    import numpy as np
    import torch
except ImportError as e:  # the suite skips, saying why
    print("step_parity: the reference needs numpy and torch (Debian: python3-torch): %s" % e)
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cotwin_reference import step  # noqa: E402
from vnet import VNet  # noqa: E402

TOL = 1e-5


def load(bundle_dir):
    man = json.load(open(os.path.join(bundle_dir, "manifest.json")))
    out = {}
    for name, t in man["tensors"].items():
        a = np.fromfile(os.path.join(bundle_dir, t["file"]), dtype=t["dtype"]).reshape(t["shape"])
        out[name] = torch.from_numpy(a.copy())
    return out, man["meta"]


def rel(a, b):
    """Norm-wise relative difference; exact zeros on both sides count as equal."""
    a, b = a.double(), b.double()
    den = max(a.norm().item(), b.norm().item())
    return 0.0 if den == 0 else (a - b).norm().item() / den


def before_batchnorm_biases(net):
    names = set()
    for prefix, m in net.named_modules():
        if isinstance(m, torch.nn.Sequential):
            for i in range(len(m) - 1):
                conv = isinstance(m[i], (torch.nn.Conv3d, torch.nn.ConvTranspose3d))
                if conv and m[i].bias is not None and isinstance(m[i + 1], torch.nn.BatchNorm3d):
                    names.add("%s.%d.bias" % (prefix, i))
    return names


def main(bundle_dir):
    torch.set_num_threads(1)
    t, meta = load(bundle_dir)
    h = meta["hyper"]
    nets = {}
    for name in ("net1", "net2"):
        net = VNet(n_filters=h["n_filters"], dropout=h["dropout"])
        state = {k[len("w0/%s/" % name):]: v for k, v in t.items() if k.startswith("w0/%s/" % name)}
        missing, unexpected = net.load_state_dict(state, strict=False)
        if missing or unexpected:
            print("state dict mismatch for %s: missing %s, unexpected %s" % (name, missing, unexpected))
            return 1
        nets[name] = net
    params = list(nets["net1"].parameters()) + list(nets["net2"].parameters())
    opt = torch.optim.SGD(params, lr=meta["lr"], momentum=h["momentum"], weight_decay=h["weight_decay"])
    seed = meta.get("dropout_seed") if h["dropout"] else None
    ref, terms = step(nets["net1"], nets["net2"], opt, t["batch/image"], t["batch/label"], t["batch/image_b"],
                      meta["shifts"], h["labeled"], h, dropout_seed=seed)

    worst = {}
    failures = []

    def note(group, what, r):
        if r > worst.get(group, (0.0, ""))[0] or group not in worst:
            worst[group] = (r, what)
        if r > TOL:
            failures.append("%s %s: %.3g" % (group, what, r))

    for k in ("logits1", "logits2", "logits1_b", "logits2_b"):
        note("logits", k, rel(ref[k].detach(), t["out/" + k]))
    for k in ("fix_from1", "dyn_from1", "fix_from2", "dyn_from2"):
        differ = (ref[k] != t["out/" + k]).double().mean().item()
        note("pseudo-labels (share of voxels differing)", k, differ)
    for k, v in terms.items():
        f = meta["terms"][k]
        note("loss terms", k, abs(v - f) / max(abs(v), abs(f), 1e-12))
    for name, net in nets.items():
        # A convolution's bias in front of BatchNorm (training mode) has an
        # exact gradient of zero: the normalisation removes any per-channel
        # constant. Both sides compute it as rounding noise (1e-9 to 1e-7), so
        # those are checked to be zero on both sides, relative to the network's
        # whole gradient, and every other gradient against the other side's.
        zero = before_batchnorm_biases(net)
        scale = torch.cat([p.grad.flatten() for p in net.parameters()]).norm().item()
        for pname, p in net.named_parameters():
            key = "grad/%s/%s" % (name, pname)
            if key not in t:
                failures.append("no gradient exported for " + key)
                continue
            if pname in zero:
                note("zero gradients (conv bias before BatchNorm), norm / net's", name + "." + pname,
                     max(p.grad.norm().item(), t[key].norm().item()) / scale)
            else:
                note("gradients", name + "." + pname, rel(p.grad, t[key]))
        for pname, v in list(net.named_parameters()) + list(net.named_buffers()):
            note("weights and buffers after the step", name + "." + pname, rel(v.detach(), t["w1/%s/%s" % (name, pname)]))
    w_expected = h["unsup_weight"]
    note("loss terms", "w", abs(meta["terms"]["w"] - w_expected) / w_expected)

    print("step parity (dropout %s): flowrun vs the Python reference, fp32, one thread; tolerance %g" %
          ("on" if h["dropout"] else "off", TOL))
    for group, (r, what) in worst.items():
        print("  %-45s worst %.3g (%s)" % (group, r, what))
    print("  terms: " + ", ".join("%s %.6f" % (k, meta["terms"][k]) for k in
                                  ("sup1", "sup2", "fix1", "dyn1", "fix2", "dyn2", "total")))
    if failures:
        print("FAILED (%d beyond %g):" % (len(failures), TOL))
        for f in failures[:20]:
            print("  " + f)
        return 1
    print("passed")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
