"""The lineage's data path (UA-MT / MC-Net LA loaders and SSL4MIS's
TwoStreamBatchSampler), written from their published behaviour:

- RandomRotFlip: rot90 in the (x, y) plane by k in 0..3, then a flip along x
  or y (always one flip).
- RandomCrop: zero-pad every axis that is not larger than the patch by
  (P - s) // 2 + 3 on each side, then a uniform origin; like the lineage it
  draws with randint(0, s - P), whose upper bound is exclusive.
- Two-stream sampler: labelled indices shuffled per epoch in chunks of the
  labelled batch; unlabelled indices an endless stream of permutations in
  chunks of the unlabelled batch; an epoch ends with the labelled stream.
- Sliding window: pad axes smaller than the patch symmetrically with zeros;
  window starts min(stride * i, size - patch) for i in 0..ceil((size - patch)
  / stride); average the softmax maps of overlapping windows; argmax; crop.
"""
import json
import math
import os

import numpy as np
import torch


def load_description(path):
    d = json.load(open(path))
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(path)), d.get("root", ".")))
    splits = {}
    for name, v in d["splits"].items():
        splits[name] = v if isinstance(v, list) else [l.strip() for l in open(os.path.join(root, v)) if l.strip()]
    image = d["image"][0] if isinstance(d["image"], list) else d["image"]
    return root, image, d["label"], splits


def load_case(root, image_pattern, label_pattern, case_id, normalize="none"):
    """normalize "zscore": (x - mean) / sd over the whole volume, as flowrun's
    data.normalize mode zscore (sd with the population denominator)."""
    import nibabel  # Debian: python3-nibabel
    img = np.asarray(nibabel.load(os.path.join(root, image_pattern.replace("{id}", case_id))).dataobj, dtype=np.float32)
    lab = np.asarray(nibabel.load(os.path.join(root, label_pattern.replace("{id}", case_id))).dataobj)
    if normalize == "zscore":
        img = ((img - img.mean(dtype=np.float64)) / max(float(img.std(dtype=np.float64)), 1e-8)).astype(np.float32)
    elif normalize != "none":
        raise ValueError("normalize: none | zscore, got %r" % normalize)
    return img, lab.astype(np.uint8)


def random_rot_flip(image, label, rng):
    k = rng.randint(0, 4)
    image, label = np.rot90(image, k), np.rot90(label, k)
    axis = rng.randint(0, 2)
    return np.flip(image, axis=axis).copy(), np.flip(label, axis=axis).copy()


def random_crop(image, label, patch, rng):
    pads = []
    for s, p in zip(label.shape, patch):
        pad = max((p - s) // 2 + 3, 0) if s <= p else 0
        pads.append((pad, pad))
    if any(a for a, _ in pads):
        image = np.pad(image, pads, mode="constant", constant_values=0)
        label = np.pad(label, pads, mode="constant", constant_values=0)
    origin = [rng.randint(0, s - p) if s > p else 0 for s, p in zip(label.shape, patch)]
    sl = tuple(slice(o, o + p) for o, p in zip(origin, patch))
    return image[sl], label[sl]


def two_stream_batches(labeled, unlabeled, labeled_bs, unlabeled_bs, rng):
    """Endless batches of (labelled indices, unlabelled indices)."""
    def eternal(idx):
        while True:
            for i in rng.permutation(idx):
                yield int(i)
    unl = eternal(unlabeled) if unlabeled_bs > 0 else None
    while True:  # one epoch per pass over the labelled cases
        perm = [int(i) for i in rng.permutation(labeled)]
        for b in range(len(perm) // labeled_bs):
            lab = perm[b * labeled_bs:(b + 1) * labeled_bs]
            yield lab, [next(unl) for _ in range(unlabeled_bs)] if unl else []


def sliding_window(net, image, patch, stride, n_classes=2, device="cpu"):
    """image: numpy (X, Y, Z); returns the label map of the same shape."""
    pads = []
    for s, p in zip(image.shape, patch):
        total = max(p - s, 0)
        pads.append((total // 2, total - total // 2))
    padded = np.pad(image, pads, mode="constant", constant_values=0)
    size = padded.shape
    score = np.zeros((n_classes,) + size, dtype=np.float32)
    count = np.zeros(size, dtype=np.float32)
    steps = [math.ceil((s - p) / st) + 1 for s, p, st in zip(size, patch, stride)]
    with torch.no_grad():
        for i in range(steps[0]):
            x = min(stride[0] * i, size[0] - patch[0])
            for j in range(steps[1]):
                y = min(stride[1] * j, size[1] - patch[1])
                for k in range(steps[2]):
                    z = min(stride[2] * k, size[2] - patch[2])
                    win = padded[x:x + patch[0], y:y + patch[1], z:z + patch[2]]
                    out = net(torch.from_numpy(np.ascontiguousarray(win))[None, None].to(device))
                    prob = torch.softmax(out, 1)[0].cpu().numpy()
                    score[:, x:x + patch[0], y:y + patch[1], z:z + patch[2]] += prob
                    count[x:x + patch[0], y:y + patch[1], z:z + patch[2]] += 1
    labels = np.argmax(score / count[None], axis=0)
    crop = tuple(slice(a, s - b) for (a, b), s in zip(pads, size))
    return labels[crop]


def dice(pred, gt):
    """Binary Dice of the foreground; 0 when the prediction is empty."""
    p, g = pred > 0, gt > 0
    denom = p.sum() + g.sum()
    return 0.0 if denom == 0 else 2.0 * float((p & g).sum()) / float(denom)
