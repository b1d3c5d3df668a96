#!/usr/bin/env bash
# install-deps.sh — installs the Debian 12 packages Vertebra needs to build,
# test and benchmark, only when some are missing (no network use otherwise).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libjansson-dev libpcre2-dev libssl-dev zlib1g-dev libpng-dev
  libnifti2-dev libniftiio-dev libopenjp2-7-dev libcharls-dev libjpeg62-turbo-dev libxgboost-dev
  # reference implementations used by tests and benchmarks only
  python3 python3-numpy python3-scipy python3-sklearn python3-xgboost
  python3-nibabel python3-pydicom python3-statsmodels python3-pil dcm2niix postgresql hyperfine
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
