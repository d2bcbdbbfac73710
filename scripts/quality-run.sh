#!/usr/bin/env bash
# Issue #5 quality run: trains the chain of scripts/quality/quality.yaml on ../shared/data in a scratch
# project (default /tmp/lathe-quality; the data are copied there, never into this repository), then
# measures every model with `lathe-bench quality`. Prints the lock file and the bench's JSON lines;
# QUALITY.md records the figures. About 12 minutes on 2 cores in a release build.
#   scripts/quality-run.sh [SHARED_DATA_DIR] [SCRATCH_DIR]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-$repo/../shared/data}"
scratch="${2:-/tmp/lathe-quality}"
lathe="$repo/.build/release/lathe"
bench="$repo/.build/release/lathe-bench"
[ -x "$lathe" ] && [ -x "$bench" ] || { echo "build first: swift build -c release --product lathe --product lathe-bench" >&2; exit 64; }

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

dir() {  # output folder of a stage, from the lock file
    python3 -c "import json,sys; k=json.load(open('pipelines/quality.lock'))['stages'][sys.argv[1]]['key']; print(f'artifacts/{k[:2]}/{k}/out')" "$1"
}
d=pipelines/data
start=$(date +%s)
"$bench" quality --model base="$(dir base)" --model med="$(dir med)" --model med_replay="$(dir med_replay)" \
    --model instruct="$(dir instruct)" \
    --text shakespeare_test=$d/shakespeare-test.txt --text medquad_test=$d/medquad-test.txt | tee results/text.jsonl
"$bench" quality --model med="$(dir med)" --model instruct="$(dir instruct)" \
    --alpaca alpaca_test=$d/alpaca-test.json --max-records 100 --max-new 64 | tee results/alpaca.jsonl
"$bench" quality --model base="$(dir base)" --model senti="$(dir senti)" --model senti_amazon="$(dir senti_amazon)" \
    --model base_amazon="$(dir base_amazon)" --alpaca amazon_test=$d/amazon-test.jsonl --max-records 300 --max-new 8 \
    | tee results/sentiment.jsonl
echo "bench wall: $(( $(date +%s) - start )) s" | tee results/bench.wall

# Longer sentiment budgets (QUALITY.md §3b), then restore the main chain so quality.lock describes it.
"$lathe" run pipelines/quality.yaml --set stages.senti.max_steps=500 2>> results/run.stderr
"$bench" quality --model senti500="$(dir senti)" --model senti500_amazon="$(dir senti_amazon)" \
    --alpaca amazon_test=$d/amazon-test.jsonl --max-records 300 --max-new 8 | tee results/senti500.jsonl
"$lathe" run pipelines/quality.yaml --set stages.base_amazon.max_steps=150 2>> results/run.stderr
"$bench" quality --model base_amazon150="$(dir base_amazon)" \
    --alpaca amazon_test=$d/amazon-test.jsonl --max-records 300 --max-new 8 | tee results/base150.jsonl
"$lathe" run pipelines/quality.yaml 2>> results/run.stderr
