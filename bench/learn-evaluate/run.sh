#!/usr/bin/env bash
# run.sh — times `vertebra learn evaluate` (AUC with DeLong CI and 1,000
# bootstrap replicates, Brier, calibration intercept/slope, binned and lowess
# curves, thresholds with Wilson CIs, decision curve) against the same job in
# Python (python_evaluate.py), on simulated scores of 20,000 and 200,000 rows.
# usage: bench/learn-evaluate/run.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
cli=$build/vertebra
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in 20000 200000; do
  /usr/bin/python3 - "$n" "$tmp/s$n.csv" <<'PY'
import sys, numpy as np
n = int(sys.argv[1]); rng = np.random.default_rng(42)
lp = rng.normal(-1.2, 1.3, n); y = (rng.random(n) < 1 / (1 + np.exp(-lp))).astype(int)
p = 1 / (1 + np.exp(-(0.8 * lp + 0.1)))  # slightly miscalibrated
with open(sys.argv[2], "w") as f:
    f.write("y,p\n")
    for a, b in zip(y, p): f.write(f"{a},{b!r}\n")
PY
  echo "== $n rows"
  /usr/bin/time -f "vertebra: %e s, peak %M KiB" "$cli" learn evaluate --scores "$tmp/s$n.csv" \
    --label y --score p --bootstrap 1000 --json "$tmp/m.json" | head -3
  /usr/bin/time -f "python:   %e s, peak %M KiB" /usr/bin/python3 "$here/python_evaluate.py" \
    "$tmp/s$n.csv" 1000
done
