#!/usr/bin/env bash
# Real-model training benchmark (issue #14; figures in BENCHMARKS.md, "Real models"): Lathe against
# transformers / PEFT on the same HF folder, fp32, same threads, batch and length, in paired runs
# alternating which goes first. Needs scripts/fetch-models.sh first.
#
#   scripts/bench-models.sh                     # SmolLM2-135M, B=4, T=256, 2 threads, full and LoRA, 3 pairs
#   PAIRS=5 MODES="lora" scripts/bench-models.sh
#
# Raw JSON lines: $OUT/pairs.jsonl; the summary prints per-pair ratios and their median.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
CACHE="${LATHE_MODEL_CACHE:-$HOME/.cache/lathe/models}"
DIR=${DIR:-$CACHE/smollm2-135m-instruct}
OUT=${OUT:-/tmp/lathe-bench-models}
PAIRS=${PAIRS:-3}; MODES=${MODES:-"full lora"}; B=${B:-4}; T=${T:-256}; THREADS=${THREADS:-2}; STEPS=${STEPS:-5}
cd "$HERE"
flock -o /tmp/lathe-build.lock swift build -c release --product lathe-bench > /tmp/lathe-bench-build.log 2>&1
mkdir -p "$OUT"; : > "$OUT/pairs.jsonl"
lathe() { .build/release/lathe-bench model --dir "$DIR" --mode "$1" --batch "$B" --seq "$T" --steps "$STEPS" --threads "$THREADS" | sed -n 's/^RESULT //p'; }
peer() { python3 "$HERE/scripts/bench/hf_train.py" "$DIR" "$1" "$B" "$T" "$STEPS" "$THREADS" 2>/dev/null | sed -n 's/^RESULT //p'; }
for m in $MODES; do
  for p in $(seq 1 "$PAIRS"); do
    if (( p % 2 == 1 )); then l=$(lathe "$m"); h=$(peer "$m"); else h=$(peer "$m"); l=$(lathe "$m"); fi
    echo "{\"mode\":\"$m\",\"pair\":$p,\"lathe\":$l,\"peer\":$h}" | tee -a "$OUT/pairs.jsonl"
  done
done
python3 - "$OUT/pairs.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for mode in dict.fromkeys(r["mode"] for r in rows):
    rs = [r for r in rows if r["mode"] == mode]
    ratios = [r["lathe"]["tokens_per_s"] / r["peer"]["tokens_per_s"] for r in rs]
    print(f"{mode}: Lathe/peer tokens/s per pair {[round(x, 2) for x in ratios]}, median {statistics.median(ratios):.2f}x; "
          f"Lathe {statistics.median(r['lathe']['tokens_per_s'] for r in rs):.1f} tok/s, peak RSS {max(r['lathe']['peak_rss_mib'] for r in rs):.0f} MiB; "
          f"peer {statistics.median(r['peer']['tokens_per_s'] for r in rs):.1f} tok/s, peak RSS {max(r['peer']['peak_rss_mib'] for r in rs):.0f} MiB")
PY
