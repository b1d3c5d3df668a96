#!/bin/sh
# compare_dcm2niix.sh VERTEBRA DICOM_DIR — converts DICOM_DIR with `vertebra ct
# convert` and with Debian's dcm2niix into a temp dir, then checks with nibabel
# that voxels (after scl_slope/inter) and affines agree.
set -eu
vt=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$vt" ct convert -q "$dir" "$tmp/ours.nii.gz"
dcm2niix -z n -b n -f ref -o "$tmp" "$dir" >"$tmp/dcm2niix.log" 2>&1 || { cat "$tmp/dcm2niix.log"; exit 1; }
/usr/bin/python3 - "$tmp/ours.nii.gz" "$tmp/ref.nii" <<'PY'
import sys
import nibabel as nib
import numpy as np
a, b = nib.load(sys.argv[1]), nib.load(sys.argv[2])
da, db = a.get_fdata(dtype=np.float64), b.get_fdata(dtype=np.float64)
assert da.shape == db.shape, (da.shape, db.shape)
diff = float(np.abs(da - db).max())
aff = float(np.abs(a.affine - b.affine).max())
print("shape", da.shape, "max voxel diff", diff, "max affine diff", aff)
assert diff == 0.0, diff
assert aff < 1e-3, (a.affine, b.affine)
PY
