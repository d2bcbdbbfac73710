#!/usr/bin/env python3
"""Regenerates tiny-gpt2/ (run once by hand; needs `pip install torch transformers`).

A 2-layer GPT-2 (vocab 11, 8 positions, width 8, 2 heads) saved by `GPT2LMHeadModel.save_pretrained`,
plus expected.json: transformers' float32 logits (8 x 11) and mean next-token loss for the ids below.
Weights are GPT-2's init plus N(0, 0.3) noise so every logit is O(1).
"""
import json, os, sys
import torch
from transformers import GPT2Config, GPT2LMHeadModel

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tiny-gpt2")
torch.manual_seed(1234)
config = GPT2Config(vocab_size=11, n_positions=8, n_embd=8, n_layer=2, n_head=2, bos_token_id=10, eos_token_id=10)
model = GPT2LMHeadModel(config).eval()
with torch.no_grad():
    for p in model.parameters():
        p.add_(torch.randn_like(p) * 0.3)
model.save_pretrained(out)
ids = [3, 1, 4, 1, 5, 9, 2, 6]
with torch.no_grad():
    result = model(torch.tensor([ids]), labels=torch.tensor([ids]))
import transformers
json.dump({"ids": ids, "logits": result.logits[0].tolist(), "loss": float(result.loss),
           "transformers_version": transformers.__version__, "torch_version": torch.__version__},
          open(os.path.join(out, "expected.json"), "w"), indent=1)
