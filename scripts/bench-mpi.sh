#!/usr/bin/env bash
# Data-parallel benchmark of issue 18 (figures in BENCHMARKS.md, "Data-parallel training (Open MPI)").
#
#   scripts/bench-mpi.sh                     # 5 pairs, GPT-2 124M shape, 4 rows × 256 tokens per step
#   PAIRS=3 ROWS=2 SEQ=128 BIN=.build/debug/lathe-bench scripts/bench-mpi.sh
#
# 1. Paired and alternated: `mpirun -np 2 lathe-bench mpi step --threads 1` against
#    `lathe-bench mpi step --threads 2` (one process) on the same global batch; pair k runs MPI first
#    when k is odd, the process first when even. The summary prints each pair's MPI/threads ratio and
#    the medians.
# 2. `mpirun -np 2 lathe-bench mpi allreduce`: in-place MPI_Allreduce over loopback (shared memory
#    between the two ranks), 4 B … 498 MB.
# 3. `lathe-bench mpi project`: the cost model for 2–16 machines on 10 and 25 GbE from the one-process
#    step time and the gradient size.
# Raw JSON in $OUT. The machine may be shared: the load average is printed before and after.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-/tmp/lathe-bench-mpi}
PAIRS=${PAIRS:-5}
ROWS=${ROWS:-4}
SEQ=${SEQ:-256}
STEPS=${STEPS:-5}
LATENCY_US=${LATENCY_US:-50}   # one TCP message over Ethernet (the loopback figure is far lower)
cd "$HERE"
if [ -z "${BIN:-}" ]; then
  flock -o /tmp/lathe-build.lock swift build -c release --product lathe-bench > "$OUT.build.log" 2>&1 || { tail "$OUT.build.log"; exit 1; }
  BIN=.build/release/lathe-bench
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader
mkdir -p "$OUT"
: > "$OUT/pairs.jsonl"
mpi() { mpirun --oversubscribe --bind-to none -np 2 "$BIN" mpi step --threads 1 --rows "$ROWS" --seq "$SEQ" --steps "$STEPS" | sed -n 's/^RESULT //p'; }
threads() { "$BIN" mpi step --threads 2 --rows "$ROWS" --seq "$SEQ" --steps "$STEPS" | sed -n 's/^RESULT //p'; }
echo "load before: $(cat /proc/loadavg)"
for k in $(seq 1 "$PAIRS"); do
  if [ $((k % 2)) -eq 1 ]; then a=$(mpi); b=$(threads); else b=$(threads); a=$(mpi); fi
  echo "{\"pair\":$k,\"mpi\":$a,\"threads\":$b}" | tee -a "$OUT/pairs.jsonl"
done
mpirun --oversubscribe --bind-to none -np 2 "$BIN" mpi allreduce | sed -n 's/^RESULT //p' | tee "$OUT/allreduce.jsonl"
echo "load after: $(cat /proc/loadavg)"
python3 - "$OUT" "$ROWS" "$SEQ" "$LATENCY_US" "$BIN" <<'PY'
import json, statistics, subprocess, sys
out, rows, seq, latency, binary = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
pairs = [json.loads(l) for l in open(f"{out}/pairs.jsonl")]
ratios = [p["mpi"]["tokens_per_s"] / p["threads"]["tokens_per_s"] for p in pairs]
print("pair ratios (2 ranks x 1 thread / 1 process x 2 threads):", " ".join(f"{r:.3f}" for r in ratios))
mpi = statistics.median(p["mpi"]["tokens_per_s"] for p in pairs)
thr = statistics.median(p["threads"]["tokens_per_s"] for p in pairs)
print(f"median tokens/s: mpirun -np 2 x 1 thread {mpi:.1f}, 1 process x 2 threads {thr:.1f}; median ratio {statistics.median(ratios):.3f}")
print("cpu:", pairs[0]["threads"]["cpu"])
step = statistics.median(p["threads"]["step_s"] for p in pairs)
grad = pairs[0]["threads"]["gradient_mib"]
for l in open(f"{out}/allreduce.jsonl"):
    r = json.loads(l)
    print(f"allreduce {r['bytes']:>11} B: {r['median_s']*1e6:10.1f} us  bus {r['bus_gb_per_s']:.3f} GB/s")
res = subprocess.run([binary, "mpi", "project", "--step-s", str(step), "--tokens-per-step", str(rows * seq),
                      "--grad-mib", str(grad), "--latency-us", latency], capture_output=True, text=True).stdout
print(f"projection (one machine: {step:.3f} s per step of {rows*seq} tokens, {grad:.0f} MiB of gradients, {latency} us per message):")
for l in res.splitlines():
    r = json.loads(l[7:])
    print(f"  {r['link']:6} {r['machines']:2} machines: {r['tokens_per_s']:>9.0f} tokens/s, step {r['step_s']:.3f} s (allreduce {r['allreduce_s']:.3f} s), efficiency {r['efficiency']:.3f}")
PY
