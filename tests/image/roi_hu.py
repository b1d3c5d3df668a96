#!/usr/bin/python3
"""Independent reference for the trabecular ROI rule (docs/image-spine.md):
reference body = TotalSegmentator body mask & the level's label; ROI = body
voxels that stay in the body 5 mm away along +-i, +-j, +-k (rounded to whole
voxels) within +-5 mm of the body centroid along the column axis, the
direction from the next lower body's centroid to the next upper one's (bodies
of the neighbouring levels). Prints mean HU and the voxel count."""
import json
import sys

import nibabel as nib
import numpy as np

ct_path, seg_path, body_path, maps_path, level = sys.argv[1:6]
maps = json.load(open(maps_path))["total"]
def ts_id_of(name):
    return int([k for k, v in maps.items() if v == "vertebrae_" + name][0])


ts_id = ts_id_of(level)
ct = nib.load(ct_path)
seg = np.asarray(nib.load(seg_path).dataobj)
body = (np.asarray(nib.load(body_path).dataobj) > 0) & (seg == ts_id)
hu = ct.get_fdata()
aff = ct.affine
sp = np.sqrt((aff[:3, :3] ** 2).sum(0))
r = np.maximum(np.rint(5.0 / sp).astype(int), 1)
idx = np.argwhere(body)
world = idx @ aff[:3, :3].T + aff[:3, 3]
centre = world.mean(0)
bodies = np.asarray(nib.load(body_path).dataobj) > 0


def body_centroid(tid):
    w = np.argwhere(bodies & (seg == tid))
    return (w @ aff[:3, :3].T + aff[:3, 3]).mean(0)


# TotalSegmentator v2 numbers the lumbar levels upward: L1 = 31, L2 = 30
up = body_centroid(ts_id + 1) - body_centroid(ts_id - 1)
up /= np.linalg.norm(up)
er = body.copy()
for ax in range(3):
    for s in (-r[ax], r[ax]):
        sh = np.zeros_like(body)
        src = [slice(None)] * 3
        dst = [slice(None)] * 3
        n = body.shape[ax]
        if s > 0:
            src[ax], dst[ax] = slice(s, n), slice(0, n - s)
        else:
            src[ax], dst[ax] = slice(0, n + s), slice(-s, n)
        sh[tuple(dst)] = body[tuple(src)]
        er &= sh
pts = np.indices(body.shape).reshape(3, -1).T @ aff[:3, :3].T + aff[:3, 3]
along = ((pts - centre) @ up).reshape(body.shape)
roi = er & (np.abs(along) <= 5.0)
print("%.3f %d" % (hu[roi].mean(), roi.sum()))
