#!/usr/bin/python3
"""The phantom sweep behind docs/image-analyze.md's count of confident wrong
labels: `vertebra ct phantom` over curves, slice spacings, partial volume,
noise seeds and orientations, each analysed by `vertebra ct analyze`; a
confident label is wrong when the truth vertebra nearest its body centroid
(truth.json, RAS mm) is another one. The Genant grades are counted against
the same nearest truth body (exact; false fractures: a grade range without
the true 0; missed: a range of only 0 on a true fracture), reported only. Not part of ctest (120 runs, ~3 min
on 2 cores); run by hand after changing the segmentation or the labeller:

  tests/image/phantom_sweep.py build/vertebra [JOBS] [NAME_REGEX]

NAME_REGEX keeps only the runs whose printed name matches it (e.g.
"4mm pv", "lordosis30 4mm pv seed3 LPS").

Prints one line per run and the wrong ones at the end; exits 1 if any.
"""
import concurrent.futures
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

CURVES = {
    "lordosis30": ["--levels", "T8-L5", "--lordosis", "30"],
    "lordosis40": ["--levels", "T8-L5", "--lordosis", "40"],
    "kyphosis35": ["--levels", "T2-L2", "--kyphosis", "35"],
    "cobb20-L1wedge": ["--levels", "T6-L5", "--cobb", "20", "--fracture", "L1:2"],
    "straight": ["--levels", "T11-L5"],
}


GRADES = []  # per run: graded, exact, false fractures, missed fractures


def one(cli, work, curve, spacing, pv, seed, lps):
    name = "%s %smm %s seed%d %s" % (curve, spacing, "pv" if pv else "centre", seed, "LPS" if lps else "RAS")
    d = tempfile.mkdtemp(dir=work)
    try:
        args = [cli, "ct", "phantom", "-o", d + "/ph", "--spacing", spacing, "--noise", "10", "--seed", str(seed)]
        args += CURVES[curve] + (["--partial-volume"] if pv else []) + (["--lps"] if lps else [])
        if subprocess.run(args, capture_output=True).returncode:
            return name, None, "phantom failed"
        r = subprocess.run([cli, "ct", "analyze", d + "/ph/ct.nii.gz", "-o", d + "/out"], capture_output=True)
        if r.returncode not in (0, 65):
            return name, None, "analyze exit %d" % r.returncode
        if r.returncode == 65:
            return name, [], "no spine found"
        truth = json.load(open(d + "/ph/truth.json"))["vertebrae"]
        out = json.load(open(d + "/out/vertebrae.json"))["vertebrae"]
        wrong, ok, withheld = [], 0, 0
        for v in out:
            if v["label"] in (None, "?"):
                withheld += 1
                continue
            near = min(truth, key=lambda t: math.dist(t["center_ras_mm"], v["centroid_ras_mm"]))
            if near["label"] == v["label"]:
                ok += 1
            else:
                wrong.append("%s named %s (%.2f)" % (near["label"], v["label"], v["confidence"]))
        # grades: against the truth body nearest each graded centroid; a
        # false fracture is a grade range that excludes a true 0, a missed
        # one a range of only 0 on a true fracture (reported, not asserted)
        graded = exact = false_fx = missed = 0
        for v in out:
            g, rng = v.get("genant_grade"), v.get("genant_grade_range")
            if not isinstance(g, int) or not rng:
                continue
            near = min(truth, key=lambda t: math.dist(t["center_ras_mm"], v["centroid_ras_mm"]))
            want = near["genant_grade"]
            graded += 1
            exact += g == want
            false_fx += want == 0 and rng[0] >= 1
            missed += want >= 1 and rng[1] == 0
        GRADES.append((graded, exact, false_fx, missed))
        return name, wrong, "%d right, %d withheld; %d graded (%d exact, %d false fracture, %d missed)" % (
            ok, withheld, graded, exact, false_fx, missed)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    cli = os.path.abspath(sys.argv[1])
    jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    work = tempfile.mkdtemp(prefix="vt_sweep_")
    runs = [(c, s, pv, seed, lps) for s in ("2.5", "4", "5") for pv in (1, 0) for seed in (3, 7)
            for lps in (0, 1) for c in CURVES]
    if len(sys.argv) > 3:
        keep = re.compile(sys.argv[3])
        runs = [r for r in runs if keep.search("%s %smm %s seed%d %s" % (
            r[0], r[1], "pv" if r[2] else "centre", r[3], "LPS" if r[4] else "RAS"))]
    bad = []
    try:
        with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
            for name, wrong, what in ex.map(lambda a: one(cli, work, *a), runs):
                print("%-44s %s%s" % (name, what, "; WRONG: " + ", ".join(wrong) if wrong else ""))
                if wrong is None or wrong:
                    bad.append(name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    tot = [sum(g[q] for g in GRADES) for q in range(4)]
    print("grades: %d given, %d exact, %d false fractures (a range without the true 0), %d missed fractures"
          % tuple(tot))
    print("%d runs, %d with a confident wrong label or a failure%s" % (len(runs), len(bad),
                                                                      ": " + "; ".join(bad) if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
