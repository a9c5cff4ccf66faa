"""CoTwin's training step as the docs state it (docs/method.md, section 2),
written independently of flowrun's C++: supervised CE + soft Dice, fixed and
dynamic pseudo-labels from the other network, the weighted sum of both
networks' losses, and SGD with momentum and weight decay over both."""
import torch
import torch.nn.functional as F


def soft_dice(probs, target, eps=1e-5):
    """1 - (2 sum pg + eps) / (sum p^2 + sum g^2 + eps) per class over the
    whole batch, averaged over classes (SSL4MIS's DiceLoss)."""
    k = probs.shape[1]
    loss = 0.0
    for c in range(k):
        p = probs[:, c]
        g = (target == c).float()
        loss = loss + 1.0 - (2.0 * (p * g).sum() + eps) / ((p * p).sum() + (g * g).sum() + eps)
    return loss / k


def supervised(logits, target):
    return F.cross_entropy(logits, target) + soft_dice(torch.softmax(logits, 1), target)


def overlap(patch, d):
    """Crop B = crop A shifted by d: the shared voxels in A's and B's coordinates."""
    a, b = [], []
    for p, di in zip(patch, d):
        a.append(slice(max(0, di), p - max(0, -di)))
        b.append(slice(max(0, -di), p - max(0, di)))
    return tuple(a), tuple(b)


def fixed_label(teacher_a):
    return teacher_a.argmax(1)


def dynamic_label(teacher_a, teacher_b, shifts, combine="mean"):
    """softmax of the teacher on A, combined on the overlap with its softmax on
    the shifted crop B mapped back into A's coordinates; argmax."""
    q = torch.softmax(teacher_a, 1).clone()
    qb = torch.softmax(teacher_b, 1)
    patch = teacher_a.shape[2:]
    for s, d in enumerate(shifts):
        ia, ib = overlap(patch, d)
        qa_region = q[(s, slice(None)) + ia]
        qb_region = qb[(s, slice(None)) + ib]
        if combine == "mean":
            q[(s, slice(None)) + ia] = 0.5 * (qa_region + qb_region)
        elif combine == "replace":
            q[(s, slice(None)) + ia] = qb_region
        else:  # max: the more confident of the two per voxel
            take_b = qb_region.max(0).values > qa_region.max(0).values
            q[(s, slice(None)) + ia] = torch.where(take_b.unsqueeze(0), qb_region, qa_region)
    return q.argmax(1)


def step(net1, net2, optimizer, image, label, image_b, shifts, n_labeled, hyper, dropout_seed=None):
    """One iteration; returns the tensors and terms to compare."""
    net1.train()
    net2.train()
    if dropout_seed is not None:
        torch.manual_seed(dropout_seed)
    # Students on every crop A (labelled and unlabelled in one pass), then the
    # teachers on the unlabelled crops B, without autograd.
    out1, out2 = net1(image), net2(image)
    with torch.no_grad():
        out1_b, out2_b = net1(image_b), net2(image_b)
    u1, u2 = out1[n_labeled:], out2[n_labeled:]
    with torch.no_grad():
        fix_from1, fix_from2 = fixed_label(u1.detach()), fixed_label(u2.detach())
        dyn_from1 = dynamic_label(u1.detach(), out1_b, shifts, hyper["combine"])
        dyn_from2 = dynamic_label(u2.detach(), out2_b, shifts, hyper["combine"])
    alpha, beta, w = hyper["alpha"], hyper["beta"], hyper["unsup_weight"]
    t = {}
    t["sup1"] = supervised(out1[:n_labeled], label)
    t["sup2"] = supervised(out2[:n_labeled], label)
    t["fix1"] = F.cross_entropy(u1, fix_from2)
    t["dyn1"] = F.cross_entropy(u1, dyn_from2)
    t["fix2"] = F.cross_entropy(u2, fix_from1)
    t["dyn2"] = F.cross_entropy(u2, dyn_from1)
    t["total1"] = alpha * t["sup1"] + w * (t["fix1"] + beta * t["dyn1"])
    t["total2"] = alpha * t["sup2"] + w * (t["fix2"] + beta * t["dyn2"])
    t["total"] = t["total1"] + t["total2"]
    optimizer.zero_grad()
    t["total"].backward()
    optimizer.step()
    tensors = {"logits1": out1, "logits2": out2, "logits1_b": out1_b, "logits2_b": out2_b,
               "fix_from1": fix_from1, "dyn_from1": dyn_from1, "fix_from2": fix_from2, "dyn_from2": dyn_from2}
    return tensors, {k: float(v) for k, v in t.items()}
