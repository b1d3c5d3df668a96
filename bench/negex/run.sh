#!/usr/bin/env bash
# run.sh — assertion throughput on the NegEx/ConText test kit (2,376 sentences):
# Vertebra (vt_text_assert through the public C API, one thread) against a
# plain-Python NegEx (negex_py.py, /usr/bin/python3) on the same sentences,
# plus `vertebra text assert` end to end (TSV in, TSV out). Prints sentences/s
# per core for each and the ratio. Best of 3 runs each (the machine is shared).
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${VT_SHARED_DATA:-$(pwd)/../shared/data}
kit=$data/negex/chapman_negex/rsAnnotations-1-120-random.txt
triggers=$data/negex/chapman_negex/negex_triggers.txt
out=bench/out/negex
mkdir -p "$out"

cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j2 --target vertebra_shared vertebra >/dev/null
cc -O2 -Iinclude bench/negex/bench_negex.c -Lbuild-bench -lvertebra \
  -Wl,-rpath,"$(pwd)/build-bench" -o "$out/bench_negex"

best() { sort -g | tail -1; }

c=$(for i in 1 2 3; do "$out/bench_negex" "$kit" 300 | awk '/^vertebra_sentences_per_s/{print $2}'; done | best)
py=$(for i in 1 2 3; do /usr/bin/python3 bench/negex/negex_py.py "$triggers" "$kit" --rounds 2 |
  awk '/^python_negex_sentences_per_s/{print $2}'; done | best)

# End to end: the kit 50 times as one TSV through the CLI.
big=$out/kit50.tsv
head -1 "$kit" > "$big"
for i in $(seq 50); do tail -n +2 "$kit"; done >> "$big"
rows=$(( $(wc -l < "$big") - 1 ))
cli=$(for i in 1 2 3; do
  s=$(date +%s.%N); build-bench/vertebra text assert "$big" > "$out/kit50.out.tsv"; e=$(date +%s.%N)
  awk -v n="$rows" -v s="$s" -v e="$e" 'BEGIN{printf "%.1f\n", n/(e-s)}'; done | best)

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
printf 'vertebra vt_text_assert (1 thread):   %12.0f sentences/s\n' "$c"
printf 'vertebra text assert CLI (TSV->TSV):  %12.0f sentences/s\n' "$cli"
printf 'Python NegEx (negex_py.py):           %12.0f sentences/s\n' "$py"
awk -v c="$c" -v p="$py" -v l="$cli" 'BEGIN{printf "ratio C API / Python NegEx: %.0fx   CLI / Python NegEx: %.0fx\n", c/p, l/p}'
