#!/bin/sh
# run.sh [VERTEBRA] — times `vertebra learn train --model auto --optimism 0`
# (5-fold CV of logistic regression and XGBoost, final fit, 1,000-replicate
# bootstrap CIs, calibration, decision curve, model file) against the same job
# in scikit-learn + xgboost-python (`sklearn_job.py --full`), on a 20,000-row
# simulated cohort and on the UCI vertebral column data. Both sides get the
# same folds (written once by StratifiedKFold, untimed), the same tree method
# (TREE_METHOD, default hist = our default) and the same threads (1, then 2:
# --jobs on ours, n_jobs on XGBClassifier); each pair runs back to back REPS
# times (default 5) and the medians of wall time and peak RSS
# (/usr/bin/time) are printed, then both sides' CV AUCs and chosen model.
set -eu
VT=${1:-build/vertebra}
TM=${TREE_METHOD:-hist}
REPS=${REPS:-5}
HERE=$(dirname "$0")
DATA=${VT_SHARED_DATA:-$HERE/../../../shared/data}
PY=/usr/bin/python3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
$PY "$HERE/simulate.py" 20000 "$W/sim20k.csv"
timed() { # OUTFILE command... : appends "wall_s rss_kB" to OUTFILE
  f=$1; shift
  /usr/bin/time -f '%e %M' -o "$W/t" "$@" > "$W/out" 2> "$W/err" || { cat "$W/err"; exit 1; }
  cat "$W/t" >> "$f"
}
median() { # FILE COLUMN
  sort -g -k "$2" "$1" | awk -v c="$2" '{v[NR] = $c} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
for case in "sim20k:$W/sim20k.csv:ssi:1:id" \
            "uci:$DATA/tabular/uci_vertebral_column/column_2C_weka.csv:status:Abnormal:"; do
  IFS=: read -r tag file outcome pos excl <<EOT
$case
EOT
  $PY "$HERE/sklearn_job.py" "$file" "$outcome" "$pos" "$excl" --tree-method "$TM" \
    --write-folds "$W/folds.csv"
  for jobs in 1 2; do
    set -- "$VT" learn train --data "$file" --outcome "$outcome" --positive "$pos" --model auto \
      --folds-file "$W/folds.csv" --tree-method "$TM" --jobs "$jobs" --optimism 0 \
      --out "$W/model.json" --json "$W/metrics.json"
    [ -n "$excl" ] && set -- "$@" --exclude "$excl"
    rm -f "$W/vt" "$W/py"
    i=0
    while [ "$i" -lt "$REPS" ]; do
      timed "$W/vt" "$@"
      timed "$W/py" $PY "$HERE/sklearn_job.py" "$file" "$outcome" "$pos" "$excl" --full \
        --tree-method "$TM" --jobs "$jobs" --folds-file "$W/folds.csv"
      i=$((i + 1))
    done
    vw=$(median "$W/vt" 1) vr=$(median "$W/vt" 2) pw=$(median "$W/py" 1) pr=$(median "$W/py" 2)
    echo "$tag, tree_method $TM, $jobs thread(s), median of $REPS: vertebra ${vw} s ${vr} kB;" \
      "sklearn+xgboost ${pw} s ${pr} kB; ratio $(awk -v a="$pw" -v b="$vw" 'BEGIN {printf "%.1f", a / b}')x"
    $PY - "$W/metrics.json" "$W/out" <<'EOF'
import json, sys
run = json.load(open(sys.argv[1]))["run"]
py = json.loads(open(sys.argv[2]).read())
ours = {run["model"]: run["cross_validation"]["mean_fold_auc"]}
if run["runner_up"]:
    ours[run["runner_up"]["model"]] = run["runner_up"]["mean_fold_auc"]
for m in sorted(ours):
    print(f"  {m}: CV AUC vertebra {ours[m]:.15f} python {py['cv_auc'][m]:.15f} "
          f"diff {ours[m] - py['cv_auc'][m]:+.1e}")
print(f"  chosen: vertebra {run['model']} python {py['chosen']}")
EOF
  done
  # what the default 200 optimism refits add (the Python job has none)
  rm -f "$W/vt"
  timed "$W/vt" "$VT" learn train --data "$file" --outcome "$outcome" --positive "$pos" \
    --model auto --folds-file "$W/folds.csv" --tree-method "$TM" --out "$W/model.json" \
    ${excl:+--exclude "$excl"}
  echo "$tag, vertebra default (+ 200 optimism refits), 1 thread: $(cut -d' ' -f1 "$W/vt") s"
done
