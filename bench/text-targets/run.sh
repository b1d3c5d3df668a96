#!/bin/sh
# Builds and runs the targets+attributes benchmark and the Python regex
# alternative on the same slices. Run from the repository root after a build.
set -e
cc -O2 -std=c11 -Isrc -Iinclude -Itests/unit/text bench/text-targets/bench_targets.c \
  build/libvertebra.a -ljansson -lm -o build/bench_targets
./build/bench_targets "${VT_SHARED_DATA:-../shared/data}/reports/mtsamples_spine.csv" "${1:-3000}"
/usr/bin/python3 bench/text-targets/regex_baseline.py "${VT_SHARED_DATA:-../shared/data}/reports/mtsamples_spine.csv"
