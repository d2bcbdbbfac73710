#!/usr/bin/env bash
# Kill campaign (RELIABILITY.md §1): SIGKILLs `lathe run` at seeded random moments of a tiny four-stage
# recipe, reruns, and checks that the store verifies clean, no finished stage is recomputed and every
# result is byte-identical to an uninterrupted run.
#
#   scripts/kill-campaign.sh                     # 200 trials on .build/release/lathe
#   scripts/kill-campaign.sh --short             # 10 trials (what CI runs, on the debug binary)
#   scripts/kill-campaign.sh --trials 50 --seed 7 --bin .build/debug/lathe --keep
#
# Prints one line per trial and a summary (trials, failures, seed, kill-point distribution, time);
# exit status 1 if any trial failed (its folder is kept under $TMPDIR/lathe-kill-*).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/lathe
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --short) args+=(--trials 10); shift ;;
        --bin) bin="$2"; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) args+=("$1"); shift ;;
    esac
done
[ -x "$bin" ] || { echo "kill-campaign.sh: no binary at $bin; build it (swift build -c release --product lathe) or pass --bin" >&2; exit 64; }
exec python3 scripts/reliability/kill_campaign.py --bin "$bin" "${args[@]}"
