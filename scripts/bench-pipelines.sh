#!/usr/bin/env bash
# Runner benchmark of issue #2, end to end (figures in BENCHMARKS.md, section "Runner").
#
#   scripts/bench-pipelines.sh                 # N = 10 100 1000, 5 runs + 1 warm-up, 1 GiB hash file
#   NS="10 100" RUNS=9 HASH_MIB=256 scripts/bench-pipelines.sh
#   DVC=1 scripts/bench-pipelines.sh           # also DVC/Snakemake (scripts/peers/pipelines/run.sh, minutes)
#
# 1. builds the release `lathe` and `lathe-bench` (under the shared build lock);
# 2. per N: `lathe-bench pipelines gen N DIR` (N stages, 1 MiB of generated text each), `seed DIR`
#    (every stage once through the real Executor with a trivial runner: per-stage bookkeeping), `time DIR`
#    (no-op `lathe run` and `lathe status` as whole processes, plus the no-op checks: no file under DIR
#    changed, and under strace no pipelines/data/*.txt opened);
# 3. the same commands once more with scripts/peers/pipelines/bench.py, the timer of the DVC figures;
# 4. `lathe-bench pipelines hash`: ContentHasher vs sha256sum on a 1 GiB file (deleted afterwards);
# 5. with DVC=1: run.sh (NS="10 100") for DVC and Snakemake on this machine, same session.
# JSON lines from lathe-bench go to $OUT/lathe-bench.jsonl; everything is echoed too.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
ANCHOR=${ANCHOR:-$HERE/scripts/peers/pipelines}
WORK=${WORK:-/tmp/lathe-bench-pipelines}
OUT=${OUT:-$WORK-out}
NS=${NS:-"10 100 1000"}
RUNS=${RUNS:-5}
HASH_MIB=${HASH_MIB:-1024}
DVC=${DVC:-0}

cd "$HERE"
flock /tmp/build.lock swift build -c release --product lathe 2>&1 | tail -1
flock /tmp/build.lock swift build -c release --product lathe-bench 2>&1 | tail -1
BIN=$HERE/.build/release
LATHE=$BIN/lathe
BENCH=$BIN/lathe-bench

rm -rf "$WORK" "$OUT"
mkdir -p "$WORK" "$OUT"
JSONL=$OUT/lathe-bench.jsonl
echo "# $(date -u +%FT%TZ) $(nproc) cores; $(swift --version 2>&1 | head -1); lathe $(git -C "$HERE" rev-parse --short HEAD)"
for N in $NS; do
  D=$WORK/p$N
  "$BENCH" pipelines gen "$N" "$D" | tee -a "$JSONL"
  "$BENCH" pipelines seed "$D" | tee -a "$JSONL"
  "$BENCH" pipelines time "$D" --lathe "$LATHE" --runs "$RUNS" --warmup 1 | tee -a "$JSONL"
  python3 "$ANCHOR/bench.py" -n "$RUNS" --warmup 1 --cwd "$D" --label "lathe N=$N (a) no-op run" -- "$LATHE" run pipelines/bench.yaml
  python3 "$ANCHOR/bench.py" -n "$RUNS" --warmup 1 --cwd "$D" --label "lathe N=$N (b) status" -- "$LATHE" status pipelines/bench.yaml
done
python3 "$ANCHOR/bench.py" -n "$RUNS" --warmup 1 --cwd "$WORK" --label "floor: lathe --help" -- "$LATHE" --help
if [ "$HASH_MIB" -gt 0 ]; then
  "$BENCH" pipelines hash --size-mib "$HASH_MIB" --dir "$WORK" --repeats 3 | tee -a "$JSONL"
fi
if [ "$DVC" = 1 ]; then
  NS="10 100" RUNS="$RUNS" bash "$ANCHOR/run.sh" | tee "$OUT/dvc-run.txt"
fi
rm -rf "$WORK"   # N=1000 alone holds 1 GiB of generated text
echo "# JSON lines: $JSONL"
