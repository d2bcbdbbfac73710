#!/usr/bin/env bash
# The demo command of the README: set up, build lathe (release), run the demo recipe.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product lathe
.build/release/lathe run pipelines/demo.yaml "$@"
