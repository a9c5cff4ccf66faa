#!/usr/bin/python3
"""The lineage's test metrics as medpy computes them (medpy.metric.binary dc,
jc, hd95, asd), re-implemented with scipy because medpy is not packaged for
Debian: the Python side of the per-call metrics comparison (docs/results.md).
One call = one process, as a user's script scoring one case.

usage: metrics_reference.py PRED.h5:KEY GT.h5:KEY   (voxel units)"""
import sys
import time

t_start = time.perf_counter()
import h5py  # noqa: E402
import numpy as np  # noqa: E402
from scipy import ndimage  # noqa: E402


def read(spec):
    path, key = spec.rsplit(":", 1)
    with h5py.File(path, "r") as f:
        return np.asarray(f[key]) > 0


def surface_distances(a, b):
    """medpy's __surface_distances: distances from a's border voxels to b's border."""
    footprint = ndimage.generate_binary_structure(a.ndim, 1)
    a_border = a ^ ndimage.binary_erosion(a, structure=footprint, iterations=1)
    b_border = b ^ ndimage.binary_erosion(b, structure=footprint, iterations=1)
    dt = ndimage.distance_transform_edt(~b_border)
    return dt[a_border]


def main():
    pred, gt = read(sys.argv[1]), read(sys.argv[2])
    inter = np.count_nonzero(pred & gt)
    dice = 2.0 * inter / (np.count_nonzero(pred) + np.count_nonzero(gt))
    jaccard = inter / np.count_nonzero(pred | gt)
    d1, d2 = surface_distances(pred, gt), surface_distances(gt, pred)
    hd95 = np.percentile(np.hstack((d1, d2)), 95)
    asd = d1.mean()
    print("dice %.6f jaccard %.6f hd95 %.6f asd %.6f (%.3f s in process)" % (
        dice, jaccard, hd95, asd, time.perf_counter() - t_start))


if __name__ == "__main__":
    main()
