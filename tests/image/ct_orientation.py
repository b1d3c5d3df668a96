#!/usr/bin/python3
"""`vertebra ct analyze` at any voxel order and orientation (issue 4, Part 2,
item 1: "at any slice spacing (0.5-5 mm) and orientation").

One phantom with known truth (`vertebra ct phantom`: T11-L5 and the sacrum,
L1 wedge fracture of grade 2, 10 HU noise) is stored again by nibabel, the
same voxels under another voxel order: sagittal slices (i runs S, k runs R),
coronal slices (k runs A), slices from feet to head (k runs I), and the whole
volume turned 20 degrees about the left-right axis in world space (an oblique
acquisition: a tilted gantry or a patient lying tilted). Each copy must give
the phantom's labels with confidence, body centroids within 3 mm of the
truth's (turned the same way), the L1 grade 2, and heights within 1 mm of the
RAS original's: the analysis must not depend on how the voxels are stored.
Also 0.5 mm slices (the issue's finest spacing): labels, centroids, grade;
and the phantom cropped 4 mm right of the midline, so that the image's side
cuts every body: no Genant grade and a warning saying why.

usage: ct_orientation.py VERTEBRA
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import nibabel as nib
import numpy as np

cli = sys.argv[1]
fails = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        fails.append(what)


def analyze(path, out):
    r = subprocess.run([cli, "ct", "analyze", path, "-o", out, "-q"], capture_output=True, text=True)
    check(r.returncode == 0, "%s: ct analyze exits 0 (%d: %s)" % (os.path.basename(path), r.returncode,
                                                                  r.stderr.strip()))
    return json.load(open(os.path.join(out, "vertebrae.json"))) if r.returncode == 0 else None


def compare(name, doc, truth, world, ref=None):
    """labels, centroids (truth mapped by `world`), L1 grade, heights vs ref"""
    tv = {t["label"]: t for t in truth["vertebrae"]}
    got = [v["label"] for v in doc["vertebrae"]]
    check(got == [t["label"] for t in truth["vertebrae"]], "%s: labels %s are the phantom's" % (name, got))
    for v in doc["vertebrae"]:
        t = tv.get(v["label"])
        check(v["confidence"] >= 0.5, "%s: %s labelled with confidence %.2f" % (name, v["label"], v["confidence"]))
        if not t or v["label"] == "S":
            continue
        e = float(np.linalg.norm(np.array(v["centroid_ras_mm"]) - world(np.array(t["center_ras_mm"]))))
        check(e <= 3.0, "%s: %s body centroid %.1f mm from truth" % (name, v["label"], e))
        if ref is not None:
            r = ref.get(v["label"])
            if r is not None:
                d = max(abs(v["heights_mm"][k] - r["heights_mm"][k]) for k in ("anterior", "middle", "posterior"))
                check(d <= 1.0, "%s: %s heights within %.2f mm of the RAS original's" % (name, v["label"], d))
    l1 = [v for v in doc["vertebrae"] if v["label"] == "L1"]
    check(l1 and l1[0]["genant_grade"] == 2, "%s: L1 wedge fracture graded 2" % name)


work = tempfile.mkdtemp(prefix="vt_ct_orient_")
try:
    ph = os.path.join(work, "ph")
    r = subprocess.run([cli, "ct", "phantom", "-o", ph, "--spacing", "1", "--fracture", "L1:2", "--noise", "10",
                        "--seed", "11"], capture_output=True, text=True)
    check(r.returncode == 0, "phantom written (%s)" % r.stderr.strip())
    truth = json.load(open(os.path.join(ph, "truth.json")))
    img = nib.load(os.path.join(ph, "ct.nii.gz"))
    a, A = np.asarray(img.dataobj), img.affine
    base = analyze(os.path.join(ph, "ct.nii.gz"), os.path.join(work, "base"))
    ident = lambda p: p
    if base:
        compare("RAS original", base, truth, ident)
        ref = {v["label"]: v for v in base["vertebrae"]}
        copies = []
        for name, perm in (("sagittal slices", (2, 1, 0)), ("coronal slices", (0, 2, 1))):
            P = np.eye(4)
            P[:3, :3] = np.eye(3)[:, perm]
            copies.append((name, np.transpose(a, perm), A @ P, ident))
        F = np.eye(4)
        F[2, 2], F[2, 3] = -1, a.shape[2] - 1
        copies.append(("feet-first slices", a[:, :, ::-1], A @ F, ident))
        th = np.deg2rad(20)
        R = np.eye(4)
        R[1:3, 1:3] = [[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]]
        copies.append(("turned 20 degrees", a, R @ A, lambda p: R[:3, :3] @ p))
        for k, (name, data, aff, world) in enumerate(copies):
            path = os.path.join(work, "copy%d.nii.gz" % k)
            nib.save(nib.Nifti1Image(np.ascontiguousarray(data), aff), path)
            doc = analyze(path, os.path.join(work, "out%d" % k))
            if doc:
                compare(name, doc, truth, world, ref)
    # the same phantom cropped so that the image's side runs through the
    # bodies (a field of view centred off the spine): none may be graded
    if base:
        x0 = int(np.argmin(np.abs(np.arange(a.shape[0]) * A[0, 0] + A[0, 3])))  # the voxel column at x = 0
        half = a[x0 - 4:, :, :]
        H = A.copy()
        H[:3, 3] = A[:3, :3] @ np.array([x0 - 4, 0, 0]) + A[:3, 3]
        path = os.path.join(work, "half.nii.gz")
        nib.save(nib.Nifti1Image(np.ascontiguousarray(half), H), path)
        doc = analyze(path, os.path.join(work, "half_out"))
        if doc:
            graded = [v["label"] for v in doc["vertebrae"] if v["genant_grade"] is not None]
            check(not graded, "bodies cut by the image's side: no Genant grade (graded: %s)" % graded)
            check(any("image's edge" in w for w in doc["warnings"]), "bodies cut by the image's side: warned")
    fine = os.path.join(work, "fine")
    r = subprocess.run([cli, "ct", "phantom", "-o", fine, "--spacing", "0.5", "--fracture", "L1:2", "--noise", "10",
                        "--seed", "3"], capture_output=True, text=True)
    check(r.returncode == 0, "0.5 mm phantom written (%s)" % r.stderr.strip())
    doc = analyze(os.path.join(fine, "ct.nii.gz"), os.path.join(work, "fine_out"))
    if doc:
        compare("0.5 mm slices", doc, json.load(open(os.path.join(fine, "truth.json"))), ident)
finally:
    shutil.rmtree(work, ignore_errors=True)

print("%d failed" % len(fails))
sys.exit(1 if fails else 0)
