"""Loads a Lathe-exported sequence-classification folder with transformers' AutoModelForSequenceClassification
and prints, as JSON, the logits of right-padded texts (with the attention mask) and the id2label it read.

usage: classifier_reference.py FOLDER ROWS   (ROWS: texts separated by ';', ids by ',')
"""
import json
import sys

import torch
from transformers import AutoModelForSequenceClassification

folder, rows = sys.argv[1], [[int(i) for i in r.split(",")] for r in sys.argv[2].split(";")]
model = AutoModelForSequenceClassification.from_pretrained(folder, torch_dtype=torch.float32)
model.eval()
pad = model.config.pad_token_id
width = max(len(r) for r in rows)
ids = torch.tensor([r + [pad] * (width - len(r)) for r in rows])
mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
with torch.no_grad():
    batch = model(input_ids=ids, attention_mask=mask).logits
    single = [model(input_ids=torch.tensor([r])).logits[0].tolist() for r in rows]
print(json.dumps({
    "class": type(model).__name__,
    "logits": batch.tolist(),
    "single": single,
    "id2label": {str(k): v for k, v in model.config.id2label.items()},
}))
