#!/usr/bin/env bash
# run.sh — builds bench_front against build/libvertebra.a and runs it and the
# Python regex baseline on ../shared/data/reports/mtsamples_spine.csv.
set -euo pipefail
cd "$(dirname "$0")/../.."
csv=${1:-../shared/data/reports/mtsamples_spine.csv}
cmake --build build -j2 --target vertebra_static >/dev/null
cc -O2 -std=c11 -Iinclude -Isrc bench/text-front/bench_front.c build/libvertebra.a \
  $(pkg-config --libs jansson libpcre2-8 openssl zlib) -lm -o build/bench_front
build/bench_front "$csv" 5
/usr/bin/python3 bench/text-front/baseline.py "$csv" 5
