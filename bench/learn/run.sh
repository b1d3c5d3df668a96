#!/bin/sh
# run.sh [VERTEBRA] — times `vertebra learn train --model auto` (5-fold CV of
# logistic regression and XGBoost, final fit, model file) against the same job
# in scikit-learn + xgboost-python, on a 20,000-row simulated cohort and on the
# UCI vertebral column data; wall time and peak RSS from /usr/bin/time -v.
set -eu
VT=${1:-build/vertebra}
HERE=$(dirname "$0")
DATA=${VT_SHARED_DATA:-$HERE/../../../shared/data}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
/usr/bin/python3 "$HERE/simulate.py" 20000 "$W/sim20k.csv"
measure() { # label command...
  label=$1; shift
  /usr/bin/time -v "$@" > "$W/out" 2> "$W/time" || { cat "$W/time"; exit 1; }
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$W/time")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$W/time")
  echo "$label: wall $wall, peak RSS ${rss} kB"
}
for case in "sim20k:$W/sim20k.csv:ssi:1:id" \
            "uci:$DATA/tabular/uci_vertebral_column/column_2C_weka.csv:status:Abnormal:"; do
  IFS=: read -r tag file outcome pos excl <<EOT
$case
EOT
  set -- "$VT" learn train --data "$file" --outcome "$outcome" --positive "$pos" --model auto \
    --folds 5 --out "$W/model.json" --json "$W/metrics.json"
  [ -n "$excl" ] && set -- "$@" --exclude "$excl"
  # the Python job has no optimism bootstrap: compare like with like, then
  # show what the default 200 optimism refits add
  measure "$tag vertebra --optimism 0" "$@" --optimism 0
  measure "$tag vertebra (default: + 200 optimism refits)" "$@"
  measure "$tag sklearn+xgboost" /usr/bin/python3 "$HERE/sklearn_job.py" "$file" "$outcome" "$pos" "$excl"
  measure "$tag sklearn+xgboost --full" /usr/bin/python3 "$HERE/sklearn_job.py" "$file" "$outcome" "$pos" "$excl" --full
done
