#!/usr/bin/env bash
# run-tests.sh — install dependencies, build, and run the whole test suite.
#   --sanitize   build in build-asan/ with AddressSanitizer + UBSan and run the suite there
#   --werror     treat compiler warnings as errors (CI)
# Extra arguments after -- go to ctest (e.g. -- -L text).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
ctest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) dir=build-asan; flags+=(-DVT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS=-O1) ;;
    --werror) flags+=(-DVT_WERROR=ON) ;;
    --) shift; ctest_args=("$@"); break ;;
    *) echo "run-tests.sh: unknown option $1" >&2; exit 64 ;;
  esac
  shift
done
scripts/install-deps.sh
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$dir" --output-on-failure -j"$(nproc)" "${ctest_args[@]}"
