#!/usr/bin/env bash
# Engine benchmark of issue #3 (figures in BENCHMARKS.md, section "Engine"): Lathe's engine against the
# PyTorch peer, in paired runs.
#
#   scripts/bench-engine.sh                         # 3 pairs each of M:train S:train M:infer S:infer
#   PAIRS=5 ROWS="M:train" THREADS=2 scripts/bench-engine.sh
#
# A pair is one `lathe-bench engine` run and one `bench_gpt.py` run back to back, in alternating order
# (Lathe first in odd pairs, PyTorch first in even ones), so a host that drifts over a minute is seen by
# both. Lathe measures the 2048³ sgemm peak between its steps (its `mfu` is the median of per-step
# ratios); PyTorch's MFU is taken against that run's median peak (`--peak-gflops`). The summary gives
# the per-pair tokens/s ratios and their median. Raw JSON: $OUT/pairs.jsonl.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
PEER=${PEER:-$HERE/scripts/peers/engine/bench_gpt.py}
OUT=${OUT:-/tmp/lathe-bench-engine}
PAIRS=${PAIRS:-3}
ROWS=${ROWS:-"M:train S:train M:infer S:infer"}
THREADS=${THREADS:-2}
STEPS=${STEPS:-15}

cd "$HERE"
flock /tmp/build.lock swift build -c release --product lathe-bench 2>&1 | tail -1
mkdir -p "$OUT"
: > "$OUT/pairs.jsonl"
lathe() { .build/release/lathe-bench engine --config "$1" --mode "$2" --threads "$THREADS" --steps "$STEPS" | sed -n 's/^RESULT //p'; }
torch() {
  python3 "$PEER" --config "$1" --mode "$2" --threads "$THREADS" --steps "$STEPS" --max-seconds 30 \
    --peak-gflops "$3" 2>/dev/null | sed -n 's/^RESULT //p'
}
peak_of() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])["sgemm_peak_gflops"])' "$1"; }
for row in $ROWS; do
  c=${row%:*}; m=${row#*:}
  for p in $(seq 1 "$PAIRS"); do
    start=$(date -u +%H:%M:%S)
    if (( p % 2 == 1 )); then
      l=$(lathe "$c" "$m"); t=$(torch "$c" "$m" "$(peak_of "$l")")
    else
      # PyTorch first: its MFU uses the peak of the previous pair's Lathe run
      t=$(torch "$c" "$m" "$(peak_of "$l")"); l=$(lathe "$c" "$m")
    fi
    echo "{\"config\":\"$c\",\"mode\":\"$m\",\"pair\":$p,\"start_utc\":\"$start\",\"lathe\":$l,\"torch\":$t}" | tee -a "$OUT/pairs.jsonl"
  done
done
python3 "$HERE/scripts/bench_engine_summary.py" "$OUT/pairs.jsonl"
