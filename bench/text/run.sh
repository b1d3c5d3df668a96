#!/bin/sh
# run.sh — text engine throughput on long spine reports (~1,500 words each,
# cut from the MTSamples spine transcriptions in ../shared): reports/s and MB/s
# with --jobs 1 (one extracting thread) and --jobs 2, best of 3 runs.
# usage: bench/text/run.sh [BUILD_DIR] [N_REPORTS]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${1:-$ROOT/build}
N=${2:-2000}
CLI=$BUILD/vertebra
CSV=$ROOT/../shared/data/reports/mtsamples_spine.csv
TMP=$(mktemp -d /tmp/vt-bench-text.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
/usr/bin/python3 "$HERE/make_reports.py" "$CSV" "$TMP/reports" "$N" 1500
BYTES=$(cat "$TMP"/reports/*.txt | wc -c)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "input: $N reports, $BYTES bytes"
for jobs in 1 2; do
  best=
  for run in 1 2 3; do
    s=$(date +%s.%N)
    "$CLI" text extract --jobs $jobs -o "$TMP/out.jsonl" "$TMP"/reports/*.txt 2>"$TMP/err.txt" || {
      cat "$TMP/err.txt" >&2; exit 1; }
    e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
  done
  findings=$(grep -o '"finding":' "$TMP/out.jsonl" | wc -l)
  echo "$N $BYTES $best $findings" | awk -v j=$jobs '{printf "--jobs %d: %.3f s, %.0f reports/s, %.1f MB/s, %d findings\n", j, $3, $1/$3, $2/$3/1e6, $4}'
done
