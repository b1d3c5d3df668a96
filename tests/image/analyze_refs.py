#!/usr/bin/python3
"""`vertebra ct analyze` on real CTs against references nobody here wrote
(TotalSegmentator's labels, shared/data/ct/totalsegmentator; nibabel/numpy).

Asserted — the safety property of issue 4: whatever is labelled with
confidence (a VerSe code in labels.nii.gz) is labelled right. A labelled
vertebra's voxels must mostly (>= 50 %) overlap the reference vertebra of the
same name; a vertebra whose label was withheld is fine. On example_ct also
issue 4's accuracy goals: T12-L5 labelled, body centroids within 4 mm, body
Dice >= 0.85 for each of T12-L5 (bodies.nii.gz against totalseg_vertebrae_body), L1
ROI HU within 10 HU of roi_hu.py's, L1-L5 heights within 3 mm of our rule
applied to the reference body map behind spine_report.json. On
  - example_ct.nii.gz (3 mm, T11-S1) against totalseg.nii.gz,
  - example_ct_dicom/ (the same scan's DICOM, 20 slices),
  - example_ct_sm.nii.gz (its 30-slice crop, T12-L2) against example_seg.nii.gz:
    T12-L2 labelled from the 12th ribs (no sacrum), all right,
  - aorta_report_case/ct_cropped.nii.gz (1.5 mm, LPS) against vertebrae_T12,
  - ibsi1_lung_ct_crop (the column cut by the image's side): no label, no grade,
  - the LIDC-IDRI-0314 and POPI chest CTs (3 / 4 mm, no reference labels,
    no sacrum, the lowest ribs cut by the image's bottom): no label given
    with confidence.
Lumbar lordosis: ours on the reference bodies within 1 degree of the same
rule in numpy (lordosis_ref.py), ours from the CT within 5 (S1's endplate
on the CT's bone). On the aorta case (thin thoracic discs) the T11/T12 and
T12/L1 discs within 4 mm of the reference T12 body's ends (unlabelled
levels: read from the debug lines), every vertebra found at T12's height
with its body centroid on the reference T12 (not in the contrast-filled
aorta in front of it), and the lung base (the lowest level with lung beside
it, docs/image-analyze.md step 4) on the reference T12.
On the aorta case also issue 4's goal: T12 labelled (from the lowest rib
pair traced to its roots, analyze_ribs.c), on the reference T12, with a
warning that the rib count is assumed.
Printed, not asserted — the accuracy goal not yet met (docs/image-analyze.md):
heights within 3 mm of spine_report.json's own numbers (a
different rule: see below), and that rule (spine_report_rule.py) applied to
TotalSegmentator's maps and to ours.

usage: analyze_refs.py VERTEBRA SHARED_DATA
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import nibabel as nib
import numpy as np

cli, data = sys.argv[1], sys.argv[2]
ts = data + "/ct/totalsegmentator"
# TotalSegmentator "total" task ids -> VerSe codes
TS2VERSE = {25: 26, 26: 26, 27: 24, 28: 23, 29: 22, 30: 21, 31: 20, 32: 19, 33: 18, 34: 17, 35: 16,
            36: 15, 37: 14, 38: 13, 39: 12, 40: 11, 41: 10, 42: 9, 43: 8, 44: 7, 45: 6, 46: 5,
            47: 4, 48: 3, 49: 2, 50: 1}
fails = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        fails.append(what)


def analyze(inp, work, name):
    out = os.path.join(work, name)
    r = subprocess.run([cli, "ct", "analyze", inp, "-o", out, "-q"], capture_output=True, text=True)
    check(r.returncode in (0, 65), "%s: ct analyze exits 0 or 65 (%d: %s)" % (name, r.returncode, r.stderr.strip()))
    if r.returncode != 0:
        return None, None
    return nib.load(os.path.join(out, "labels.nii.gz")), json.load(open(os.path.join(out, "vertebrae.json")))


def aorta_disc_check(crop, t12_path, work):
    """The T11/T12 and T12/L1 discs on aorta_report_case (1.5 mm, thin
    discs): some level cut by two discs must end within 4 mm of the reference
    T12 body's ends (the z extent of the front 40 % of the T12 mask's AP
    extent: the body, not the posterior elements, which reach lower). The
    levels are unlabelled there (no anchor), so their disc positions are read
    from the analysis's debug lines ("level i z LO..HI", view mm; the view's
    z axis is this CT's third voxel axis, running superior)."""
    ct = nib.load(crop)
    a = ct.affine
    if not (abs(a[2, 2]) > 0 and a[2, 2] > 0 and abs(a[2, 0]) + abs(a[2, 1]) < 1e-6):
        check(False, "aorta_case: third voxel axis runs superior (the disc check assumes it)")
        return
    env = dict(os.environ, VT_ANALYZE_DEBUG="1")
    out = os.path.join(work, "aorta_case_debug")
    r = subprocess.run([cli, "ct", "analyze", crop, "-o", out, "-q"], capture_output=True, text=True, env=env)
    levels, lung = [], {}
    for line in r.stderr.splitlines():
        f = line.split()
        if len(f) >= 4 and f[0] == "level" and f[2] == "z" and "cut" in f:
            lo, hi = (float(x) for x in f[3].split(".."))
            cut = f[f.index("cut") + 1]
            if cut == "0/0":
                levels.append((a[2, 3] + lo, a[2, 3] + hi, int(f[1])))
        if len(f) == 4 and f[0] == "lung" and f[1] == "level":
            lung[int(f[2])] = f[3].endswith("/1")
    img = nib.load(t12_path)
    ii, jj, kk = np.nonzero(np.asarray(img.dataobj) > 0)
    w = nib.affines.apply_affine(img.affine, np.c_[ii, jj, kk])
    y = w[:, 1]  # RAS y: anterior is larger
    front = y >= y.max() - 0.4 * (y.max() - y.min())
    half = 0.5 * abs(img.affine[2, 2])
    zb, zt = w[front, 2].min() - half, w[front, 2].max() + half
    best = min(levels, key=lambda l: max(abs(l[0] - zb), abs(l[1] - zt))) if levels else None
    if best is None:
        check(False, "aorta_case: a level between two discs")
        return
    e = max(abs(best[0] - zb), abs(best[1] - zt))
    check(e <= 4.0, "aorta_case: T12's discs at %.1f / %.1f mm, reference body %.1f / %.1f mm (worst %.1f, within 4)"
          % (best[0], best[1], zb, zt, e))
    # the lung base (docs/image-analyze.md, step 4): lung beside every level
    # from the top down to the reference T12's, none below it
    t12 = best[2]
    n = max(lung) + 1 if lung else 0
    base = [i for i in range(n) if lung.get(i)]
    ok = bool(base) and base == list(range(base[-1] + 1)) and base[-1] == t12 and base[-1] + 1 < n
    check(ok, "aorta_case: the lung base is the reference T12 (level %d; lung-bearing levels %s of %d)" % (t12, base, n))


def resample_to(img, ref):
    """Nearest-neighbour copy of img's data on ref's grid (both world RAS)."""
    a = np.asarray(img.dataobj)
    ijk = np.indices(ref.shape).reshape(3, -1).T
    world = nib.affines.apply_affine(ref.affine, ijk)
    src = np.rint(nib.affines.apply_affine(np.linalg.inv(img.affine), world)).astype(int)
    ok = np.all((src >= 0) & (src < np.array(a.shape)), axis=1)
    out = np.zeros(ref.shape, a.dtype).reshape(-1)
    out[ok] = a[src[ok, 0], src[ok, 1], src[ok, 2]]
    return out.reshape(ref.shape)


def safety(name, ours, ref_codes):
    """Every VerSe code in `ours` overlaps the same code in `ref_codes` >= 50 %."""
    labelled = [int(v) for v in np.unique(ours) if v]
    for v in labelled:
        m = ours == v
        known = ref_codes[m] > 0
        if not known.any():
            print("note %s: label %d lies outside the reference's labelled vertebrae" % (name, v))
            continue
        frac = float((ref_codes[m] == v).sum()) / float(known.sum())
        check(frac >= 0.5, "%s: label %d agrees with the reference on %.0f %% of its voxels" % (name, v, 100 * frac))
    print("%s: %d vertebrae labelled with confidence: %s" % (name, len(labelled), labelled))
    return labelled


work = tempfile.mkdtemp(prefix="vt_analyze_refs_")
try:
    ref = nib.load(ts + "/spine_report/example_ct_report/totalseg.nii.gz")
    R = np.asarray(ref.dataobj).astype(int)
    Rv = np.zeros_like(R)
    for t, v in TS2VERSE.items():
        Rv[R == t] = v
    body = np.asarray(nib.load(ts + "/spine_report/example_ct_report/totalseg_vertebrae_body.nii.gz").dataobj) > 0

    img, doc = analyze(ts + "/example_ct.nii.gz", work, "example_ct")
    if img is not None:
        L = np.asarray(img.dataobj).astype(int)
        labelled = safety("example_ct", L, Rv)
        # issue 4's accuracy goals on example_ct: T12-L5 labelled (asserted),
        # each body centroid within 4 mm of the reference body's = body mask &
        # that vertebra's label (asserted), body Dice >= 0.85 from bodies.nii.gz
        # (asserted for each of T12-L5), heights within 3 mm of spine_report.json
        # (printed: not met), L1 ROI HU within 10 HU of the same ROI rule on the
        # reference body (roi_hu.py, asserted)
        bodies = np.asarray(nib.load(os.path.join(work, "example_ct", "bodies.nii.gz")).dataobj).astype(int)
        # the sacrum's body (TotalSegmentator's body mask on its sacrum): the
        # alae are not body (analyze_sacrum_body.c). Dice 0.670 and centre
        # 9.0 mm off while the body box took the alae; now 0.746 and 4.4 mm
        rb = (Rv == 26) & body
        ob = bodies == 26
        dice = 2 * (rb & ob).sum() / max(1, rb.sum() + ob.sum())
        check(dice >= 0.70, "example_ct: sacrum body Dice %.3f >= 0.70" % dice)
        if ob.any() and rb.any():
            e = float(np.linalg.norm(nib.affines.apply_affine(img.affine, np.argwhere(ob).mean(0)) -
                                     nib.affines.apply_affine(ref.affine, np.argwhere(rb).mean(0))))
            check(e <= 6.0, "example_ct: sacrum body centre %.1f mm from the reference body's (within 6)" % e)
        report = json.load(open(ts + "/spine_report/example_ct_report/spine_report.json"))["results"]
        by_label = {v["label"]: v for v in doc["vertebrae"]}
        for v, name in ((19, "T12"), (20, "L1"), (21, "L2"), (22, "L3"), (23, "L4"), (24, "L5")):
            check(v in labelled, "example_ct: %s labelled with confidence" % name)
            rb = (Rv == v) & body
            ob = bodies == v
            dice = 2 * (rb & ob).sum() / max(1, rb.sum() + ob.sum())
            check(dice >= 0.85, "example_ct: %s body Dice %.3f >= 0.85" % (name, dice))
            mine = by_label.get(name)
            if mine is None or not rb.any():
                continue
            ref_c = nib.affines.apply_affine(ref.affine, np.argwhere(rb).mean(0))
            e = float(np.linalg.norm(np.array(mine["centroid_ras_mm"]) - ref_c))
            check(e <= 4.0, "example_ct: %s body centroid %.1f mm from the reference body's" % (name, e))
            if name != "T12":
                h = mine["heights_mm"]
                errs = [abs(h[k] - report["vertebrae_%s_height_%s_mm" % (name, k)]) if h.get(k) is not None else 99
                        for k in ("anterior", "middle", "posterior")]
                print("goal %s: heights a/m/p %s vs TotalSegmentator %s: worst %.1f mm (goal <= 3%s)" %
                      (name, [h.get(k) for k in ("anterior", "middle", "posterior")],
                       [report["vertebrae_%s_height_%s_mm" % (name, k)] for k in ("anterior", "middle", "posterior")],
                       max(errs), "" if max(errs) <= 3 else ": not met"))
        # heights like for like (asserted): spine_report.json was measured on
        # TotalSegmentator's refined body map (test_result/...pp_refined; its
        # body volumes are the report's to 0.01 ml) with its own rule, the
        # parasagittal slice of largest height spread at 15/50/85 % of the
        # depth, not the mid-sagittal 20/50/80 % six-point rule of issue 4. So
        # our rule is applied to that reference mask (as roi_hu.py applies the
        # ROI rule to the reference body) and our heights from the CT must lie
        # within 3 mm of it.
        pp_path = ts + "/spine_report/test_result/totalseg_vertebrae_pp_refined.nii.gz"
        pp = nib.load(pp_path)
        P = np.asarray(pp.dataobj).astype(int)
        vox_ml = float(np.prod(pp.header.get_zooms()[:3])) / 1000.0
        for name, v in (("L1", 20), ("L2", 21), ("L3", 22), ("L4", 23), ("L5", 24)):
            ml = (P == v).sum() * vox_ml
            check(abs(ml - report["vertebrae_%s_volume_ml" % name]) <= 0.01,
                  "spine_report.json's %s body is the pp_refined map's (%.2f ml vs %.2f ml)"
                  % (name, ml, report["vertebrae_%s_volume_ml" % name]))
        r = subprocess.run([cli, "ct", "morphometry", pp_path], capture_output=True, text=True)
        check(r.returncode == 0, "ct morphometry on the reference body map (%s)" % r.stderr.strip())
        if r.returncode == 0:
            ref_m = {x["label"]: x for x in json.loads(r.stdout)["vertebrae"]}
            for name in ("L1", "L2", "L3", "L4", "L5"):
                mine, theirs = by_label.get(name), ref_m.get(name)
                if not mine or not theirs:
                    check(False, "example_ct: %s measured on both masks" % name)
                    continue
                h, g = mine["heights_mm"], theirs["heights_mm"]
                worst = max(abs(h[k] - g[k]) if h.get(k) is not None and g.get(k) is not None else 99
                            for k in ("anterior", "middle", "posterior"))
                check(worst <= 3.0, "example_ct: %s heights a/m/p %s within 3 mm of the same rule on the reference "
                      "body %s (worst %.1f mm)" % (name, [h[k] for k in ("anterior", "middle", "posterior")],
                                                   [g[k] for k in ("anterior", "middle", "posterior")], worst))
                print("grade %s: ours %s (range %s), same rule on the reference body %s" %
                      (name, mine.get("genant_grade"), mine.get("genant_grade_range"), theirs.get("genant_grade")))
        # TotalSegmentator's own rule (spine_report_rule.py, printed only):
        # on its maps it gives the report's numbers back to within a voxel or
        # so; on ours it shows how much the largest-spread slice choice moves
        # with the mask (docs/image-analyze.md).
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import spine_report_rule
        ts_lab = np.where(np.isin(Rv, (19, 20, 21, 22, 23, 24, 26)), Rv, 0)
        ts_body = np.asarray(nib.load(ts + "/spine_report/example_ct_report/totalseg_vertebrae_body.nii.gz").dataobj) == 1
        for what, lab_map, body_map in (("TotalSegmentator labels & body", ts_lab, ts_body),
                                        ("TotalSegmentator pp_refined", P, P > 0),
                                        ("ours (bodies.nii.gz)", bodies, bodies > 0)):
            got = spine_report_rule.heights(lab_map, body_map, pp.header.get_zooms(), [19, 20, 21, 22, 23, 24, 26])
            worst = []
            for name, v in (("L1", 20), ("L2", 21), ("L3", 22), ("L4", 23), ("L5", 24)):
                if v not in got:
                    worst.append("%s -" % name)
                    continue
                h = dict(zip(("posterior", "middle", "anterior"), got[v][1]))
                worst.append("%s %.1f" % (name, max(abs(h[k] - report["vertebrae_%s_height_%s_mm" % (name, k)])
                                                     for k in h)))
            print("spine_report's rule on %s vs spine_report.json, worst per level (mm): %s" % (what, ", ".join(worst)))
        l1 = by_label.get("L1")
        roi = subprocess.run(["/usr/bin/python3", os.path.join(os.path.dirname(os.path.abspath(__file__)), "roi_hu.py"),
                              ts + "/example_ct.nii.gz", ts + "/spine_report/example_ct_report/totalseg.nii.gz",
                              ts + "/spine_report/example_ct_report/totalseg_vertebrae_body.nii.gz",
                              ts + "/totalsegmentator_label_maps.json", "L1"], capture_output=True, text=True)
        check(roi.returncode == 0, "roi_hu.py on the reference L1 body (%s)" % roi.stderr.strip())
        if roi.returncode == 0 and l1 and l1.get("trabecular_hu"):
            ref_hu = float(roi.stdout.split()[0])
            mine_hu = l1["trabecular_hu"]["mean"]
            check(abs(mine_hu - ref_hu) <= 10.0, "example_ct: L1 ROI %.1f HU, same rule on the reference body %.1f HU"
                  % (mine_hu, ref_hu))
        # lumbar lordosis (L1-S1): the same rule written again in numpy
        # (lordosis_ref.py) on the reference masks. Asserted: our measurement
        # of the reference body mask agrees with it within 1 degree (the
        # same rule, two implementations), and our angle from the CT within
        # 5 degrees (an endplate line over a 20 mm window on 3 mm voxels is
        # known to about 2 degrees per endplate). The analysis cuts the
        # sacrum at its L5/S1 disc plane, so S1's endplate is fitted on the
        # CT's bone edge instead (sagittal_alignment.c); from the mask's cut
        # it read 42 degrees (12 off).
        rep = ts + "/spine_report/example_ct_report"
        lr = subprocess.run(["/usr/bin/python3", os.path.join(os.path.dirname(os.path.abspath(__file__)), "lordosis_ref.py"),
                             rep + "/totalseg.nii.gz", rep + "/totalseg_vertebrae_body.nii.gz"], capture_output=True, text=True)
        check(lr.returncode == 0, "lordosis_ref.py on the reference masks (%s)" % lr.stderr.strip())
        if lr.returncode == 0:
            ref_lord = float(lr.stdout.split()[0])
            seg_img = nib.load(rep + "/totalseg.nii.gz")
            seg = np.asarray(seg_img.dataobj).astype(int)
            refbody = np.asarray(nib.load(rep + "/totalseg_vertebrae_body.nii.gz").dataobj) == 1
            vm = np.zeros(seg.shape, np.uint8)
            for tsid, verse in TS2VERSE.items():
                vm[(seg == tsid) & refbody] = verse
            mpath, jpath = os.path.join(work, "ref_bodies.nii.gz"), os.path.join(work, "ref_bodies.json")
            nib.save(nib.Nifti1Image(vm, seg_img.affine), mpath)
            r = subprocess.run([cli, "ct", "morphometry", mpath, "-o", jpath], capture_output=True, text=True)
            check(r.returncode == 0, "ct morphometry on the reference bodies (%s)" % r.stderr.strip())
            lo_ref = json.load(open(jpath)).get("lordosis") if r.returncode == 0 else None
            same = lo_ref["angle_deg"] if lo_ref else float("nan")
            check(lo_ref is not None and abs(same - ref_lord) <= 1.0,
                  "reference bodies: our lordosis %.1f deg, lordosis_ref.py's %.1f deg (same rule)" % (same, ref_lord))
            lo = doc.get("lordosis")
            got = lo["angle_deg"] if lo else float("nan")
            check(lo is not None and lo["lower"] == "S1" and abs(got - ref_lord) <= 5.0,
                  "example_ct: lordosis L1-S1 %.1f deg from the CT, %.1f deg on the reference masks (within 5)"
                  % (got, ref_lord))
            check(lo is not None and "S1's on the CT's bone edge" in lo["method"],
                  "example_ct: S1's endplate fitted on the CT's bone (method: %s)" % (lo or {}).get("method"))
            check(doc.get("kyphosis") is None, "example_ct: kyphosis null (T4 not in view)")
        print("example_ct warnings: %s" % doc.get("warnings"))
        # withheld labels: how the anchors' suggestion compares (printed)
        names = {"T11": 18, "T12": 19, "L1": 20, "L2": 21, "L3": 22, "L4": 23, "L5": 24, "S": 26}
        aff = np.linalg.inv(ref.affine)
        for v in doc["vertebrae"]:
            cand = v.get("label_candidate")
            if not cand:
                continue
            ijk = np.rint(nib.affines.apply_affine(aff, v["centroid_ras_mm"])).astype(int)
            inside = all(0 <= ijk[i] < R.shape[i] for i in range(3))
            at = int(Rv[tuple(ijk)]) if inside else 0
            print("candidate %s (withheld, confidence %.2f): reference at its centroid %s" %
                  (cand, v["confidence"], {c: n for n, c in names.items()}.get(at, at)))

    d_img, _ = analyze(ts + "/example_ct_dicom", work, "example_ct_dicom")
    if d_img is not None:
        safety("example_ct_dicom", resample_to(d_img, ref), Rv)

    # example_ct_sm: a 30-slice crop of the same CT (T11's tip, T12, L1, L2;
    # no sacrum) against TotalSegmentator's own v2 labels on it
    # (example_seg.nii.gz): whatever is labelled is labelled right, and the
    # 12th rib pair, traced to its roots with L1 below it rib-free and the
    # lung base agreeing, names T12-L2 (asserted)
    sm_img, sm_doc = analyze(ts + "/example_ct_sm.nii.gz", work, "example_ct_sm")
    if sm_img is not None:
        S = np.asarray(nib.load(ts + "/example_seg.nii.gz").dataobj).astype(int)
        Sv = np.zeros_like(S)
        for t, v in TS2VERSE.items():
            Sv[S == t] = v
        got = safety("example_ct_sm", resample_to(sm_img, nib.load(ts + "/example_seg.nii.gz")), Sv)
        check(set(got) >= {19, 20, 21}, "example_ct_sm: T12, L1 and L2 labelled (%s)" % got)

    # a lung-cancer crop whose field of view runs through the thoracic
    # bodies at the image's side (PROVENANCE: only part of the column shows,
    # at the edge): no label and no Genant grade may come of half bodies
    ibsi_path = data + "/ct/ibsi1_lung_ct_crop/phantom.nii.gz"
    _, ibsi = analyze(ibsi_path, work, "ibsi_edge")
    if ibsi is not None:
        vs = ibsi["vertebrae"]
        check(all(v["verse_label"] is None for v in vs), "ibsi_edge: no vertebra labelled with confidence")
        check(all(v["genant_grade"] is None for v in vs),
              "ibsi_edge: no Genant grade on bodies cut by the image's side (%s)" % [v["genant_grade"] for v in vs])
        check(any("image's edge" in w for w in ibsi["warnings"]), "ibsi_edge: the warnings say the image cuts the bodies")

    # chest CTs without reference labels: nothing can be verified there, so
    # nothing may be labelled with confidence (lung beside every thoracic
    # level; the lowest ribs leave the image's bottom, so the lowest
    # rib-bearing vertebra is not seen)
    for name, sub in (("lidc_chest", "lidc_idri_0314_chest/dicom"), ("popi_chest", "popi_4dct_phase00_chest/dicom")):
        _, chest = analyze(data + "/ct/" + sub, work, name)
        if chest is not None:
            got = [v["verse_label"] for v in chest["vertebrae"] if v["verse_label"] is not None]
            check(not got, "%s: no vertebra labelled with confidence (%s)" % (name, got))

    crop = ts + "/aorta_report_case/ct_cropped.nii.gz"
    a_img, a_doc = analyze(crop, work, "aorta_case")
    if a_img is not None:
        t12 = resample_to(nib.load(ts + "/aorta_report_case/vertebrae_T12.nii.gz"), a_img) > 0
        A = np.asarray(a_img.dataobj).astype(int)
        for v in [int(x) for x in np.unique(A) if x]:
            m = A == v
            share = float((m & t12).sum()) / float(m.sum())
            if v == 19:
                check(share >= 0.5, "aorta_case: T12 lies on the reference T12 (%.0f %% of it)" % (100 * share))
            else:
                check(share < 0.5, "aorta_case: label %d is not on the reference T12 (%.0f %%)" % (v, 100 * share))
        # every vertebra found at the height of the reference T12's body
        # (its slices holding >= 300 mask voxels; the posterior elements
        # alone hold <= 125) has its body centroid on that vertebra (within a
        # voxel of the mask), labelled or not: the contrast-filled aorta in
        # front of T12 was once read as a body, its "centroid" 35 mm in front
        t12_img = nib.load(ts + "/aorta_report_case/vertebrae_T12.nii.gz")
        t12m = np.asarray(t12_img.dataobj) > 0
        inv = np.linalg.inv(t12_img.affine)
        span = set(int(k) for k in np.where(t12m.sum(axis=(0, 1)) >= 300)[0])
        at = 0
        for v in a_doc["vertebrae"]:
            ijk = np.rint((inv @ np.r_[v["centroid_ras_mm"], 1.0])[:3]).astype(int)
            if int(ijk[2]) not in span:
                continue
            at += 1
            lo = np.maximum(ijk - 1, 0)
            on = bool(t12m[lo[0]:ijk[0] + 2, lo[1]:ijk[1] + 2, lo[2]:ijk[2] + 2].any())
            check(on, "aorta_case: the vertebra found at T12's height (centroid %s mm, label %s) lies on the reference T12"
                  % (v["centroid_ras_mm"], v["label"]))
        check(at >= 1, "aorta_case: a vertebra found at the reference T12's height (%d)" % at)
        # issue 4's goal: T12 labelled, from its rib pair traced to their
        # roots (no sacrum in this crop), with the warning that an 11- or
        # 13-rib anatomy would move every label
        check(19 in np.unique(A), "aorta_case: T12 labelled with confidence")
        t12_doc = [v for v in a_doc["vertebrae"] if v["label"] == "T12"]
        check(len(t12_doc) == 1 and "lowest rib pair" in t12_doc[0].get("label_basis", ""),
              "aorta_case: T12's basis is the traced lowest rib pair (%s)"
              % (t12_doc[0].get("label_basis") if t12_doc else None))
        check(any("13 rib" in w for w in a_doc["warnings"]),
              "aorta_case: a warning says the rib count is assumed (no sacrum in view)")
        # a straight thoracic column (coronal image): the bodies the crop cuts
        # at its top and bottom give no coronal tilt (the 12 mm sliver at the
        # top read 67 degrees and made a 76-degree Cobb angle), and the Cobb
        # angle that remains comes with the warning that its end vertebrae
        # jump beyond their neighbours
        cut = [v for v in a_doc["vertebrae"] if v["coronal_tilt_method"].startswith("none")]
        check(len(cut) >= 2 and all(v["coronal_tilt_deg"] is None for v in cut),
              "aorta_case: no coronal tilt for the bodies the crop cuts (%d)" % len(cut))
        cobb = a_doc.get("cobb") or {}
        ang = cobb.get("angle_deg") or 0
        check(ang < 30 and (ang <= 10 or any(w.startswith("Cobb angle:") for w in a_doc["warnings"])),
              "aorta_case: Cobb angle %.1f deg, under 30 and warned when over 10" % ang)
        # nor a kyphosis from T12's "inferior endplate" above the crop's
        # bottom, a mask end at -48 degrees beside its -19 degree disc plane
        # (T9-T12 read 46 degrees): dropped, the kyphosis null with the reason
        ky = a_doc.get("kyphosis")
        check(ky is None or abs(ky["angle_deg"]) <= 30,
              "aorta_case: kyphosis %s (null or at most 30 deg over T9-T12)" % (ky and ky["angle_deg"]))
        aorta_disc_check(crop, ts + "/aorta_report_case/vertebrae_T12.nii.gz", work)
finally:
    shutil.rmtree(work, ignore_errors=True)

print("%d failed" % len(fails))
sys.exit(1 if fails else 0)
