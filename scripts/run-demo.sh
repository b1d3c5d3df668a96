#!/usr/bin/env bash
# run-demo.sh — install dependencies, build, and run `vertebra demo` on its built-in inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
./build/vertebra demo "$@"
