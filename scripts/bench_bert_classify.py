"""The transformers peer of `lathe-bench model --labels 2` on a BERT folder: BertForSequenceClassification
training tokens/s, fp32 on CPU (issue 17's benchmark).

usage: bench_bert_classify.py HF_FOLDER [B T STEPS THREADS]   (defaults 16 64 8 2)

Same work as Lathe's: AdamW (lr 1e-4, no weight decay, no clipping), one fixed batch of B × T uniform random
ids below min(8192, V) with labels r % 2, dropout off (Lathe has none), the median step time after 2
warm-up steps. Prints one `RESULT` JSON line.
"""
import json
import resource
import statistics
import sys
import time

import torch
from transformers import BertForSequenceClassification

folder = sys.argv[1]
b, t, steps, threads = (int(x) for x in (sys.argv[2:6] + ["16", "64", "8", "2"][len(sys.argv) - 2:]))
torch.set_num_threads(threads)
torch.manual_seed(0)
model = BertForSequenceClassification.from_pretrained(folder, num_labels=2, hidden_dropout_prob=0.0,
                                                      attention_probs_dropout_prob=0.0, torch_dtype=torch.float32)
model.train()
v = min(8192, model.config.vocab_size)
row = torch.randint(0, v, (t,))
ids = row.repeat(b, 1)
labels = torch.arange(b) % 2
opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)
times = []
for k in range(steps + 2):
    t0 = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    loss = model(input_ids=ids, labels=labels).loss
    loss.backward()
    opt.step()
    if k >= 2:
        times.append(time.perf_counter() - t0)
median = statistics.median(times)
print("RESULT " + json.dumps({
    "peer": "transformers-classify", "tokens_per_s": round(b * t / median, 1), "step_s": round(median, 3),
    "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1), "threads": threads,
    "batch": b, "seq": t, "torch": torch.__version__,
}, sort_keys=True))
