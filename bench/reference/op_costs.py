#!/usr/bin/python3
"""Where a V-Net's CPU time goes, op by op, with Debian's LibTorch (the same
ATen and oneDNN kernels flowrun calls): the figures behind issue 12's choices.
One thread; run under `taskset -c N` with OPENBLAS_NUM_THREADS=1 (as flowrun
sets itself) for figures comparable with flowrun's.

Prints:
  - the multiply-adds of one V-Net forward on a 112x112x80 window and the
    FLOP rate of a 3x3x3 convolution (how close oneDNN is to the core's peak);
  - ConvTranspose3d(k=2, s=2) as LibTorch runs it against the same op as one
    GEMM plus a depth-to-space copy, and the 1x1x1 output convolution against
    a GEMM, at the V-Net's sizes (equality checked);
  - a 3x3x3 convolution in fp32 and bf16;
  - one V-Net window forward under no_grad, inference_mode, and with
    BatchNorm folded into the convolutions (mask differences counted).

usage: op_costs.py [--reps 5]"""
import argparse
import os
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError as e:
    print("op_costs: needs torch (Debian: python3-torch): %s" % e)
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vnet import VNet  # noqa: E402


def best_ms(f, reps):
    f()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return min(ts) * 1000


def up_as_gemm(x, w, b):
    """ConvTranspose3d(k=2, s=2): the output blocks do not overlap, so it is
    one GEMM to 8x the channels and a depth-to-space rearrangement."""
    n, c, d, h, wd = x.shape
    co = w.shape[1]
    y = torch.mm(w.reshape(c, co * 8).t(), x.reshape(c, d * h * wd))
    out = torch.empty(n, co, 2 * d, 2 * h, 2 * wd)
    out.view(co, d, 2, h, 2, wd, 2).copy_(y.view(co, 2, 2, 2, d, h, wd).permute(0, 4, 1, 5, 2, 6, 3))
    return out.add_(b.view(1, co, 1, 1, 1))


def pointwise_as_gemm(x, w, b):
    k, c = w.shape[:2]
    return torch.addmm(b.view(k, 1), w.view(k, c), x.view(c, -1)).view(1, k, *x.shape[2:])


def fold_batchnorm(net):
    """Each conv (or transposed conv) followed by an eval-mode BatchNorm3d
    absorbs it; the BatchNorm becomes an identity."""
    for m in net.modules():
        if not isinstance(m, torch.nn.Sequential):
            continue
        layers = list(m)
        for i in range(len(layers) - 1):
            conv, bn = layers[i], layers[i + 1]
            if isinstance(conv, (torch.nn.Conv3d, torch.nn.ConvTranspose3d)) and isinstance(bn, torch.nn.BatchNorm3d):
                s = bn.weight / torch.sqrt(bn.running_var + bn.eps)
                shape = (-1, 1, 1, 1, 1) if isinstance(conv, torch.nn.Conv3d) else (1, -1, 1, 1, 1)
                conv.weight.data = conv.weight * s.view(shape)
                conv.bias.data = (conv.bias - bn.running_mean) * s + bn.bias
                m[i + 1] = torch.nn.Identity()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    print("torch %s, threads %d, OPENBLAS_NUM_THREADS=%s" % (torch.__version__, torch.get_num_threads(),
                                                             os.environ.get("OPENBLAS_NUM_THREADS", "(unset)")))
    with torch.inference_mode():
        net = VNet().eval()
        macs = [0]

        def count(m, i, o):
            if isinstance(m, torch.nn.Conv3d):
                macs[0] += o.numel() * m.in_channels * m.kernel_size[0] * m.kernel_size[1] * m.kernel_size[2]
            elif isinstance(m, torch.nn.ConvTranspose3d):
                macs[0] += i[0].numel() * m.out_channels * 8
        hooks = [m.register_forward_hook(count) for m in net.modules()]
        x = torch.randn(1, 1, 112, 112, 80)
        net(x)
        for h in hooks:
            h.remove()
        print("V-Net (n_filters 16) forward, one 112x112x80 window: %.1f GMAC" % (macs[0] / 1e9))

        act = torch.randn(1, 32, 56, 56, 40)
        w = torch.randn(32, 32, 3, 3, 3)
        b = torch.randn(32)
        ms = best_ms(lambda: F.conv3d(act, w, b, padding=1), a.reps)
        gflop = 2 * 32 * 32 * 27 * 56 * 56 * 40 / 1e9
        ms16 = best_ms(lambda: F.conv3d(act.bfloat16(), w.bfloat16(), b.bfloat16(), padding=1), a.reps)
        print("conv3d 32->32, 3x3x3, 56x56x40: fp32 %.1f ms = %.0f GFLOP/s; bf16 %.1f ms (%.2fx)" % (
            ms, gflop / ms * 1000, ms16, ms / ms16))

        for c, co, size in [(256, 128, (7, 7, 5)), (128, 64, (14, 14, 10)), (64, 32, (28, 28, 20)),
                            (32, 16, (56, 56, 40))]:
            xu, wu, bu = torch.randn(1, c, *size), torch.randn(c, co, 2, 2, 2), torch.randn(co)
            lib = best_ms(lambda: F.conv_transpose3d(xu, wu, bu, stride=2), a.reps)
            gemm = best_ms(lambda: up_as_gemm(xu, wu, bu), a.reps)
            diff = (F.conv_transpose3d(xu, wu, bu, stride=2) - up_as_gemm(xu, wu, bu)).abs().max().item()
            print("ConvTranspose3d %d->%d at %s: LibTorch %.1f ms, GEMM + depth-to-space %.1f ms, max |diff| %.2g" % (
                c, co, "x".join(map(str, size)), lib, gemm, diff))
        x16 = torch.randn(1, 16, 112, 112, 80)
        wp, bp = torch.randn(2, 16, 1, 1, 1), torch.randn(2)
        lib = best_ms(lambda: F.conv3d(x16, wp, bp), a.reps)
        gemm = best_ms(lambda: pointwise_as_gemm(x16, wp, bp), a.reps)
        diff = (F.conv3d(x16, wp, bp) - pointwise_as_gemm(x16, wp, bp)).abs().max().item()
        print("out_conv 16->2, 1x1x1, 112x112x80: LibTorch %.1f ms, GEMM %.1f ms, max |diff| %.2g" % (lib, gemm, diff))

    net = VNet().eval()
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm3d):
            m.running_mean.normal_()
            m.running_var.uniform_(0.5, 2.0)
    x = torch.randn(1, 1, 112, 112, 80)
    with torch.no_grad():
        ref = net(x)
        t_nograd = best_ms(lambda: net(x), a.reps)
    with torch.inference_mode():
        t_inf = best_ms(lambda: net(x), a.reps)
        fold_batchnorm(net)
        folded = net(x)
        t_fold = best_ms(lambda: net(x), a.reps)
    print("V-Net window forward: no_grad %.0f ms, inference_mode %.0f ms, BatchNorm folded %.0f ms "
          "(max |logit diff| %.2g, %d of %d voxels change label)" % (
              t_nograd, t_inf, t_fold, (folded - ref).abs().max().item(),
              int((folded.argmax(1) != ref.argmax(1)).sum()), ref[0, 0].numel()))


if __name__ == "__main__":
    main()
