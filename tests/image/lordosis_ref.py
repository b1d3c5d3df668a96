#!/usr/bin/python3
"""Lumbar lordosis (L1 superior to S1 superior endplate) on TotalSegmentator's
reference masks, by the rule of docs/image-spine.md ("Sagittal alignment")
written again in numpy, independently of src/image/sagittal_alignment.c:

  - a level's column axis is the chord between the whole-label centroids of
    the levels above and below, its anterior axis world +y made orthogonal;
  - its body (the reference body mask, value 1, on the level's label) is
    sampled by nearest neighbour on the plane through the body centroid, every
    0.5 mm along the anterior axis and 0.05 mm along the column axis (fine
    enough to find the voxel face without bisection);
  - in each column of the central 20-80 % of the body depth, the cranial (or
    caudal) end of the longest run is the endplate edge; the line's slope is
    the middle of the range of slopes that keep every edge within half a
    voxel (+0.25 mm) of the line, else a least-squares fit without outliers;
  - S1's superior endplate is read on L5's plane, in L5's window: the most
    cranial run (>= 2 mm) of S1's label in each column;
  - tilt = atan2(n.y, n.z) of the endplate's cranial normal; lordosis =
    tilt(S1) - tilt(L1), positive when concave posteriorly.

usage: lordosis_ref.py TOTALSEG.nii.gz BODY.nii.gz   (prints the angle, deg)
"""
import sys

import nibabel as nib
import numpy as np

# TotalSegmentator "total" ids (totalsegmentator_label_maps.json)
T12, L1, L2, L4, L5, S1 = 32, 31, 30, 28, 27, 26
STEP_A, STEP_U, HALF = 0.5, 0.05, 60.0

seg_img = nib.load(sys.argv[1])
seg = np.asarray(seg_img.dataobj).astype(int)
body = np.asarray(nib.load(sys.argv[2]).dataobj).astype(int) == 1
aff = seg_img.affine
inv = np.linalg.inv(aff)


def centroid(mask):
    return nib.affines.apply_affine(aff, np.argwhere(mask).mean(0))


def frame(label, above, below):
    up = centroid(seg == above) - centroid(seg == below)
    up /= np.linalg.norm(up)
    ap = np.array([0.0, 1.0, 0.0]) - up[1] * up
    ap /= np.linalg.norm(ap)
    c = centroid((seg == label) & body)
    return c, ap, up


def sample(mask, c, ap, up):
    a = np.arange(-HALF, HALF + 1e-9, STEP_A)
    u = np.arange(-HALF, HALF + 1e-9, STEP_U)
    pts = c + a[:, None, None] * ap + u[None, :, None] * up
    ijk = np.rint(nib.affines.apply_affine(inv, pts.reshape(-1, 3))).astype(int)
    ok = np.all((ijk >= 0) & (ijk < np.array(mask.shape)), axis=1)
    out = np.zeros(len(ijk), bool)
    out[ok] = mask[ijk[ok, 0], ijk[ok, 1], ijk[ok, 2]]
    return a, u, out.reshape(len(a), len(u))


def runs(col):
    """(lo, hi) index pairs of the runs of True in col, cranial first."""
    d = np.diff(np.concatenate([[0], col.astype(int), [0]]))
    starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1) - 1
    return list(zip(starts, ends))[::-1]


def window(grid, a):
    cols = np.flatnonzero(grid.any(1))
    front, back = a[cols.max()], a[cols.min()]
    depth = front - back
    return front - 0.8 * depth, front - 0.2 * depth


def line(xa, e, up):
    xa, e = np.asarray(xa), np.asarray(e)
    w = voxel_extent(up) + 0.5
    da = xa[:, None] - xa[None, :]
    de = e[:, None] - e[None, :]
    pos = da > 1e-9
    lo, hi = ((de - w) / np.where(pos, da, 1))[pos].max(), ((de + w) / np.where(pos, da, 1))[pos].min()
    if lo <= hi:
        return 0.5 * (lo + hi)
    beta = np.polyfit(xa, e, 1)[0]
    r = np.abs(e - np.polyval(np.polyfit(xa, e, 1), xa))
    keep = r <= max(3 * 1.4826 * np.median(r), 1.0, voxel_extent(up))
    return np.polyfit(xa[keep], e[keep], 1)[0] if keep.sum() >= 8 else beta


def voxel_extent(up):
    return float(np.abs(aff[:3, :3].T @ up).sum())



def tilt(beta, ap, up):
    n = up - beta * ap
    return np.degrees(np.arctan2(n[1], n[2]))


def endplate(label, above, below, which, on=None):
    c, ap, up = frame(label, above, below)
    a, u, grid = sample((seg == label) & body, c, ap, up)
    a_lo, a_hi = window(grid, a)
    if on is not None:
        _, _, grid = sample(seg == on, c, ap, up)
    xa, e = [], []
    for i in np.flatnonzero((a >= a_lo - 1e-9) & (a <= a_hi + 1e-9)):
        rs = runs(grid[i])
        if on is not None:
            rs = [r for r in rs if (r[1] - r[0] + 1) * STEP_U >= 2.0][:1]
        elif rs:
            rs = [max(rs, key=lambda r: r[1] - r[0])]
        if not rs:
            continue
        lo, hi = rs[0]
        xa.append(a[i])
        e.append(u[hi] + 0.5 * STEP_U if which == "superior" else u[lo] - 0.5 * STEP_U)
    return tilt(line(xa, e, up), ap, up)


l1 = endplate(L1, T12, L2, "superior")
s1 = endplate(L5, L4, S1, "superior", on=S1)
print("%.2f L1 %.2f S1 %.2f" % (s1 - l1, l1, s1))
