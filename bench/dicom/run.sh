#!/bin/sh
# run.sh [BUILD_DIR] — DICOM series load+convert: `vertebra ct convert` vs
# Debian's dcm2niix on the same series, both writing uncompressed .nii (and
# .nii.gz: ours with zlib level 1, dcm2niix -z i, its internal zlib level 6).
# Timing with hyperfine; peak memory with GNU time. Prints a markdown table.
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
vt="$root/$build/vertebra"
data="$root/../shared/data/ct"
[ -d "$data" ] || data=/work/shared/data/ct
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
runs=${RUNS:-5}
echo "| series | slices | ours (s) | dcm2niix (s) | ratio dcm2niix/ours | peak RSS ours / dcm2niix (MB) |"
echo "|---|---|---|---|---|---|"
for s in lidc_idri_0314_chest/dicom popi_4dct_phase00_chest/dicom totalsegmentator/example_ct_dicom; do
  dir="$data/$s"
  n=$(ls "$dir" | wc -l)
  for ext in nii nii.gz; do
    z=n; [ "$ext" = nii.gz ] && z=i
    hyperfine -N --warmup 1 --runs "$runs" --export-json "$tmp/h.json" \
      "$vt ct convert -q $dir $tmp/ours.$ext" \
      "dcm2niix -z $z -b n -f ref -w 1 -o $tmp $dir" >/dev/null 2>&1
    read -r a b <<EOT
$(/usr/bin/python3 -c "import json,sys; r=json.load(open('$tmp/h.json'))['results']; print(r[0]['median'], r[1]['median'])")
EOT
    ma=$(/usr/bin/time -f %M "$vt" ct convert -q "$dir" "$tmp/ours.$ext" 2>&1 >/dev/null | tail -1)
    mb=$(/usr/bin/time -f %M dcm2niix -z $z -b n -f ref -w 1 -o "$tmp" "$dir" 2>&1 >/dev/null | tail -1)
    printf '| %s (.%s) | %s | %.3f | %.3f | %.2f | %d / %d |\n' "${s%%/*}" "$ext" "$n" "$a" "$b" \
      "$(echo "$b / $a" | bc -l)" "$((ma / 1024))" "$((mb / 1024))"
  done
done
