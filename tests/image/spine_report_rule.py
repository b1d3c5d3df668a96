#!/usr/bin/python3
"""TotalSegmentator's spine-report height rule, written again in numpy from
the description of its public `spine_report/measure_verte_height.py`, so
that `spine_report.json`'s heights can be compared like for like with masks
other than the one it was run on (docs/image-analyze.md, "Why
spine_report.json's heights are not our reference rule").

The rule, per vertebra body (label map & body mask):
  - centroid of the body eroded by 3 mm (a box), in voxel coordinates;
  - height axis from the previous to the next vertebra's centroid (one
    neighbour at the ends), normalised in voxel units; the horizontal axis
    the perpendicular to it in the sagittal (y, z) plane, in mm;
  - on sagittal slices x over the middle half of the eroded body's width, in
    ~5 mm steps: the horizontal chord through the centroid on the eroded body,
    the three measurement points at 15 % (posterior), 50 % and 85 %
    (anterior) of it, and at each the chord along the height axis through the
    (uneroded) body; an end is the last point inside on a 0.5 voxel walk, with
    'inside' a bilinear sample of the mask above 0.5;
  - the slice kept is the one whose three heights, all non-zero, spread the
    most (max - min); none: the centroid's slice.

Importable (`heights(labels, body, spacing, codes)`) or run as
  spine_report_rule.py LABELS.nii.gz [BODY.nii.gz]
with VerSe codes in LABELS (19 T12, 20-24 L1-L5, 26 sacrum); prints JSON.
"""
import json
import sys

import numpy as np
from scipy import ndimage

POINTS = (("posterior", 0.15), ("middle", 0.5), ("anterior", 0.85))
STEP = 0.5  # voxels per walk step


def _inside(mask, y, z):
    """Bilinear sample of the 2-D mask at (y, z) above one half."""
    if not (0 <= y < mask.shape[0] and 0 <= z < mask.shape[1]):
        return False
    y0, z0 = int(y), int(z)
    val = wsum = 0.0
    for dy in (0, 1):
        for dz in (0, 1):
            yy, zz = y0 + dy, z0 + dz
            if yy < mask.shape[0] and zz < mask.shape[1]:
                w = (1 - abs(dy - (y - y0))) * (1 - abs(dz - (z - z0)))
                val += mask[yy, zz] * w
                wsum += w
    return wsum > 0 and val > 0.5


def _ends(mask, y, z, ay, az):
    """The chord's two ends through (y, z) along (ay, az) in the 2-D mask."""
    n = np.hypot(ay, az)
    if not mask.any() or n == 0:
        return None, None
    ay, az = ay / n, az / n
    limit = 1.5 * max(mask.shape)

    def walk(sign):
        last = None
        s = STEP
        while s < limit:
            py, pz = y + sign * ay * s, z + sign * az * s
            if not _inside(mask, py, pz):
                return last
            last = (py, pz)
            s += STEP
        return None

    return walk(-1), walk(1)


def _three(body2d, eroded2d, cy, cz, hax, hor, sp):
    """Posterior, middle and anterior heights (mm) on one sagittal slice."""
    a, b = _ends(eroded2d, cy, cz, hor[0], hor[1])
    if a is None or b is None:
        return [0.0, 0.0, 0.0]
    out = []
    for _, f in POINTS:
        py, pz = a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])
        lo, hi = _ends(body2d, py, pz, hax[0], hax[1])
        out.append(float(np.hypot((hi[0] - lo[0]) * sp[1], (hi[1] - lo[1]) * sp[2])) if lo and hi else 0.0)
    return out


def heights(labels, body, spacing, codes):
    """{code: (x slice, [posterior, middle, anterior] mm)} for the codes present."""
    sp = [float(s) for s in spacing[:3]]
    erode = np.ones([2 * max(1, int(round(3.0 / s))) + 1 for s in sp], bool)
    present = [c for c in codes if (labels == c).any()]
    cents, masks = [], []
    for c in present:
        m = (labels == c) & body
        if not m.any():
            m = labels == c
        e = ndimage.binary_erosion(m, structure=erode)
        cents.append(np.argwhere(e if e.any() else m).mean(0))
        masks.append((m, e if e.any() else m))
    res = {}
    for i, c in enumerate(present):
        prev = cents[i - 1] if i > 0 else None
        nxt = cents[i + 1] if i + 1 < len(cents) else None
        if prev is not None and nxt is not None:
            ax = nxt - prev
        elif prev is not None:
            ax = cents[i] - prev
        elif nxt is not None:
            ax = nxt - cents[i]
        else:
            ax = np.array([0.0, 0.0, 1.0])
        ax = ax / np.linalg.norm(ax)
        # the perpendicular in the sagittal plane, taken in mm, back to voxels
        hy, hz = ax[1] * sp[1], ax[2] * sp[2]
        hor = (-hz / sp[1], hy / sp[2])
        hax = (ax[1], ax[2])
        m, e = masks[i]
        cy, cz = cents[i][1], cents[i][2]
        xs = np.where(e.any(axis=(1, 2)))[0]
        best, spread = None, -1.0
        if xs.size:
            margin = int(round(0.25 * (xs[-1] - xs[0] + 1)))
            for x in range(xs[0] + margin, xs[-1] - margin + 1, max(1, int(round(5.0 / sp[0])))):
                h = _three(m[x], e[x], cy, cz, hax, hor, sp)
                if all(v > 0 for v in h) and max(h) - min(h) > spread:
                    best, spread = (int(x), h), max(h) - min(h)
        if best is None:
            x = int(round(cents[i][0]))
            best = (x, _three(m[x], e[x], cy, cz, hax, hor, sp))
        res[c] = best
    return res


if __name__ == "__main__":
    import nibabel as nib

    img = nib.load(sys.argv[1])
    lab = np.asarray(img.dataobj).astype(int)
    body = np.asarray(nib.load(sys.argv[2]).dataobj) > 0 if len(sys.argv) > 2 else lab > 0
    names = {19: "T12", 20: "L1", 21: "L2", 22: "L3", 23: "L4", 24: "L5", 26: "S"}
    out = {names[c]: {"x": x, **{k: round(v, 2) for (k, _), v in zip(POINTS, h)}}
           for c, (x, h) in heights(lab, body, img.header.get_zooms(), sorted(names)).items()}
    print(json.dumps(out, indent=1))
