#!/bin/sh
# run.sh [BUILD_DIR] — wall time and peak memory of `vertebra ct analyze`
# (issue 4 goals: < 3 s and < 1 GB on example_ct) on
#   1. TotalSegmentator's example_ct.nii.gz (3 mm, T11-S1), and
#   2. a 512x512x600 phantom (T1-L5 at 0.7 x 0.7 x 1 mm, padded with air by
#      nibabel to the size of a whole-spine scan).
# Median of RUNS (default 3) runs; peak RSS by GNU time. Prints a markdown table.
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
vt="$root/$build/vertebra"
data="$root/../shared/data/ct"
runs=${RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$vt" ct phantom -o "$tmp/ph" --levels T1-L5 --spacing 1 --xy 0.7 --noise 20 --seed 1 > /dev/null
/usr/bin/python3 - "$tmp/ph/ct.nii.gz" "$tmp/big.nii.gz" <<'PY'
import sys
import nibabel as nib
import numpy as np
img = nib.load(sys.argv[1])
a = np.asarray(img.dataobj).astype(np.int16)
out = np.full((512, 512, 600), -1000, np.int16)
n = [min(a.shape[i], out.shape[i]) for i in range(3)]
o = [(out.shape[i] - n[i]) // 2 for i in range(3)]
s = [(a.shape[i] - n[i]) // 2 for i in range(3)]
out[o[0]:o[0] + n[0], o[1]:o[1] + n[1], o[2]:o[2] + n[2]] = \
    a[s[0]:s[0] + n[0], s[1]:s[1] + n[1], s[2]:s[2] + n[2]]
aff = img.affine.copy()
aff[:3, 3] -= aff[:3, :3] @ np.array([o[i] - s[i] for i in range(3)], float)
nib.save(nib.Nifti1Image(out, aff), sys.argv[2])
PY

echo "| input | voxels | wall s (median of $runs) | peak RSS (MB) | vertebrae |"
echo "|---|---|---|---|---|"
for input in "$data/totalsegmentator/example_ct.nii.gz" "$tmp/big.nii.gz"; do
  dims=$(/usr/bin/python3 -c "import nibabel as n,sys; print('x'.join(map(str, n.load(sys.argv[1]).shape)))" "$input")
  times=""
  for i in $(seq "$runs"); do
    rm -rf "$tmp/out"
    t=$( { /usr/bin/time -f "%e %M" "$vt" ct analyze "$input" -o "$tmp/out" -q > /dev/null; } 2>&1 | tail -1)
    times="$times$t\n"
  done
  med=$(printf "$times" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  nv=$(/usr/bin/python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['vertebrae']))" "$tmp/out/vertebrae.json")
  set -- $med
  printf '| %s | %s | %s | %d | %s |\n' "$(basename "$input")" "$dims" "$1" "$(($2 / 1024))" "$nv"
done
