"""Markdown table of scripts/bench-engine.sh's paired runs: per-pair tokens/s and ratio, median ratio,
MFU (Lathe: median of per-step ratios to the sgemm peak measured between steps; PyTorch: against the
median peak of the Lathe run of its pair), sgemm peak, peak RSS. Usage: bench_engine_summary.py pairs.jsonl"""
import json
import statistics
import sys

rows = {}
for line in open(sys.argv[1]):
    if line.strip():
        r = json.loads(line)
        rows.setdefault((r["config"], r["mode"]), []).append(r)

print("| config | mode | Lathe tok/s (per pair) | PyTorch tok/s (per pair) | ratio per pair | **median ratio** "
      "| MFU Lathe / PyTorch (median) | sgemm peak GFLOP/s (median, min–max) | Lathe RSS MiB (÷ needed) | PyTorch RSS MiB |")
print("|---|---|---|---|---|---|---|---|---|---|")
for (c, m), pairs in rows.items():
    lt = [p["lathe"]["tokens_per_s_median"] for p in pairs]
    tt = [p["torch"]["tokens_per_s_median"] for p in pairs]
    ratios = [a / b for a, b in zip(lt, tt)]
    peaks = [p["lathe"]["sgemm_peak_gflops"] for p in pairs]
    lo = min(p["lathe"]["sgemm_peak_min_max"][0] for p in pairs)
    hi = max(p["lathe"]["sgemm_peak_min_max"][1] for p in pairs)
    lm = statistics.median(p["lathe"]["mfu"] for p in pairs)
    tm = statistics.median(p["torch"]["mfu"] for p in pairs)
    rss = statistics.median(p["lathe"]["rss_peak_mib"] for p in pairs)
    over = statistics.median(p["lathe"]["rss_over_needed"] for p in pairs)
    trss = statistics.median(p["torch"]["rss_peak_mib"] for p in pairs)
    print(f"| {c} | {m} | {' / '.join(f'{x:,.0f}' for x in lt)} | {' / '.join(f'{x:,.0f}' for x in tt)} "
          f"| {' / '.join(f'{x:.2f}' for x in ratios)} | **{statistics.median(ratios):.2f}×** | {lm:.2f} / {tm:.2f} "
          f"| {statistics.median(peaks):.0f} ({lo:.0f}–{hi:.0f}) | {rss:.0f} ({over:.2f}) | {trss:,.0f} |")
cpus = {p["lathe"].get("cpu", "?") for v in rows.values() for p in v}
print(f"\nCPU: {', '.join(sorted(cpus))}")
