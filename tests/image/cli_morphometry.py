#!/usr/bin/python3
"""Whole-run check of `vertebra ct morphometry` on the VerSe sub-verse004 mask:
Genant grades vs the published VerSe'19 grades and body centroids vs the
manual VerSe centroids (voxel -> RAS with nibabel). Exit 77 (skipped) when the
binary has no NIfTI reader linked in yet (exit code 69, image I/O missing)."""
import json
import subprocess
import sys

import nibabel as nib
import numpy as np

cli, data = sys.argv[1], sys.argv[2]
mask = data + "/ct/verse_sample/sub-verse004_seg-vert_msk.nii.gz"
run = subprocess.run([cli, "ct", "morphometry", mask], capture_output=True, text=True)
if run.returncode == 69 and "no NIfTI reader" in run.stderr:
    print("skipped: " + run.stderr.strip())
    sys.exit(77)
if run.returncode != 0:
    sys.exit("ct morphometry failed: %d %s" % (run.returncode, run.stderr))
out = {v["verse_label"]: v for v in json.loads(run.stdout)["vertebrae"]}
grades = json.load(open(data + "/ct/verse_fracture_grades/verse19_vertebra_genant_grades.json"))
ref = {}
for split in grades.values():
    for key, g in split.items():
        if key.startswith("sub-verse004_"):
            ref[int(key.split("_")[1])] = g
bad = [(l, out[l]["genant_grade"], g) for l, g in ref.items() if out[l]["genant_grade"] != g]
aff = nib.load(mask).affine
ctd = json.load(open(data + "/ct/verse_sample/sub-verse004_seg-subreg_ctd.json"))
for e in ctd:
    if "label" not in e:
        continue
    ras = aff[:3, :3] @ np.array([e["X"], e["Y"], e["Z"]]) + aff[:3, 3]
    d = np.linalg.norm(np.array(out[e["label"]]["centroid_ras_mm"]) - ras)
    if d > 3.0:
        bad.append((e["label"], "centroid", round(d, 1)))
if bad or len(ref) != 7:
    sys.exit("mismatches: %s (graded %d)" % (bad, len(ref)))
print("grades and centroids match for %d levels" % len(out))
