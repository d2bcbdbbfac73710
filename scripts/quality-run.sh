#!/usr/bin/env bash
# Issue #5 quality run: trains the chain of scripts/quality/quality.yaml on ../shared/data in a scratch
# project (default /tmp/lathe-quality; the data are copied there, never into this repository), then
# its evaluate stages score every model; prints `lathe report --format md` (also written to
# SCRATCH/results/). QUALITY.md records the figures. About 15 minutes on 2 cores in a release build.
#   scripts/quality-run.sh [SHARED_DATA_DIR] [SCRATCH_DIR]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-$repo/../shared/data}"
scratch="${2:-/tmp/lathe-quality}"
lathe="$repo/.build/release/lathe"
[ -x "$lathe" ] || { echo "build first: swift build -c release --product lathe" >&2; exit 64; }

mkdir -p "$scratch/pipelines/data" "$scratch/artifacts" "$scratch/results"
cp "$repo/scripts/quality/quality.yaml" "$scratch/pipelines/quality.yaml"
mkdir -p "$scratch/schemas" && cp "$repo/schemas/"*.json "$scratch/schemas/" 2>/dev/null || true

# Derived data sets: seeded, deterministic splits (held-out tails for perplexity, amazon few-shot/test).
python3 - "$data" "$scratch/pipelines/data" <<'PY'
import json, random, sys, os
src, out = sys.argv[1], sys.argv[2]
def w(name, text):
    with open(os.path.join(out, name), "w", encoding="utf-8") as f: f.write(text)
# tinyshakespeare: first 90 % to train, last 10 % held out (cut at a blank line)
t = open(os.path.join(src, "tinyshakespeare/input.txt"), encoding="utf-8").read()
cut = t.rfind("\n\n", 0, int(len(t) * 0.9)) + 2
w("shakespeare-train.txt", t[:cut]); w("shakespeare-test.txt", t[cut:])
# medquad answers: one answer per line; last 10 % of the lines held out. Train on the first 1.2 MB only
# (budget); blank lines between answers make each one a document.
lines = [l for l in open(os.path.join(src, "medquad-medical/medquad_answers.txt"), encoding="utf-8").read().split("\n") if l.strip()]
k = int(len(lines) * 0.9)
train, size = [], 0
for l in lines[:k]:
    if size > 1_200_000: break
    train.append(l); size += len(l) + 2
w("medquad-train.txt", "\n\n".join(train) + "\n"); w("medquad-test.txt", "\n\n".join(lines[k:]) + "\n")
# Alpaca instruction set (rasbt, 1,100 records): seeded shuffle, 1,000 train / 100 test
recs = json.load(open(os.path.join(src, "instruct-alpaca-rasbt/instruction-data.json"), encoding="utf-8"))
random.Random(1234).shuffle(recs)
w("alpaca-train.json", json.dumps(recs[:1000], indent=1)); w("alpaca-test.json", json.dumps(recs[1000:], indent=1))
# sentiment sentences as instructions
def sentiment(name):
    rows = []
    for line in open(os.path.join(src, "sentiment-labelled-sentences", name), encoding="utf-8"):
        s, _, label = line.rstrip("\n").rpartition("\t")
        if s.strip() and label.strip() in ("0", "1"):
            rows.append({"instruction": "Is this review positive or negative?", "input": s.strip(),
                         "output": "positive" if label.strip() == "1" else "negative"})
    return rows
jl = lambda rows: "".join(json.dumps(r) + "\n" for r in rows)
iy = sentiment("imdb_labelled.txt") + sentiment("yelp_labelled.txt")
random.Random(1234).shuffle(iy)
w("sentiment-imdb-yelp.jsonl", jl(iy))
am = sentiment("amazon_cells_labelled.txt")
random.Random(1234).shuffle(am)
w("amazon-train.jsonl", jl(am[:100])); w("amazon-test.jsonl", jl(am[100:400]))
print("data:", {f: os.path.getsize(os.path.join(out, f)) for f in sorted(os.listdir(out))})
PY

cd "$scratch"
start=$(date +%s)
/usr/bin/time -v "$lathe" run pipelines/quality.yaml 2> results/run.stderr | tee results/run.stdout
echo "lathe run wall: $(( $(date +%s) - start )) s" | tee results/run.wall

# The evaluate stages of the recipe measured every model; the report gathers their metrics.json
# and each stage's cost record.
"$lathe" report pipelines/quality.yaml --format md -o results/report.md
"$lathe" report pipelines/quality.yaml -o results/report.html
cat results/report.md
