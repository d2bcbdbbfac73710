#!/usr/bin/env python3
"""PEFT reference for Lathe's LoRA adapter export (needs torch, transformers, peft).

Usage: peft_reference.py BASE_DIR ADAPTER_DIR IDS
  BASE_DIR     an HF GPT-2 or Llama-family directory written by Lathe (the adapter's base)
  ADAPTER_DIR  a PEFT LoRA directory written by Lathe
  IDS          comma-separated token ids

Loads the base with AutoModelForCausalLM, attaches the adapter with PeftModel.from_pretrained (PEFT's own
key mapping, shape checks and Conv1D fan_in_fan_out handling), and prints JSON
{"logits": [[...] * T], "merged_logits": [[...] * T]}: the adapter model's logits in float64, and those of
`merge_and_unload()`.
"""
import json
import sys

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM


def main():
    base_dir, adapter_dir, ids = sys.argv[1], sys.argv[2], [int(t) for t in sys.argv[3].split(",")]
    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(base_dir, torch_dtype=torch.float64, attn_implementation="eager")
    model = PeftModel.from_pretrained(base, adapter_dir).eval()
    x = torch.tensor([ids])
    with torch.no_grad():
        logits = model(x).logits[0]
        merged = model.merge_and_unload()(x).logits[0]
    print(json.dumps({"logits": logits.tolist(), "merged_logits": merged.tolist()}))


if __name__ == "__main__":
    main()
