"""transformers' BertModel as the reference for Lathe's encoder (Tests/ModelingTests/BertParityTests.swift).

  reference_bert.py make FOLDER             a tiny random BertModel (seed 0, every weight perturbed) saved as safetensors
  reference_bert.py run FOLDER INPUT.json   last_hidden_state, pooler_output and, when INPUT has "g", the gradients
                                            of sum(pooler_output * g) for every named parameter, as JSON on stdout
"""
import json
import sys

import torch
from transformers import BertConfig, BertModel

torch.set_num_threads(1)
mode, folder = sys.argv[1], sys.argv[2]
if mode == "make":
    torch.manual_seed(0)
    config = BertConfig(vocab_size=53, hidden_size=16, num_hidden_layers=2, num_attention_heads=4, intermediate_size=24,
                        max_position_embeddings=12, type_vocab_size=2, hidden_act="gelu", layer_norm_eps=1e-12)
    model = BertModel(config)
    with torch.no_grad():
        for _, p in model.named_parameters():
            p.add_(torch.randn_like(p) * 0.2)
    model.save_pretrained(folder, safe_serialization=True)
    sys.exit(0)

inp = json.load(open(sys.argv[3]))
model = BertModel.from_pretrained(folder, attn_implementation="eager").float().eval()
ids = torch.tensor(inp["tokens"], dtype=torch.long)
types = torch.tensor(inp["types"], dtype=torch.long)
mask = torch.tensor(inp["mask"], dtype=torch.long)
out = model(input_ids=ids, token_type_ids=types, attention_mask=mask)
result = {"hidden": out.last_hidden_state.flatten().tolist(), "pooled": out.pooler_output.flatten().tolist()}
if inp.get("g") is not None:
    g = torch.tensor(inp["g"], dtype=torch.float32).reshape(out.pooler_output.shape)
    (out.pooler_output * g).sum().backward()
    result["grads"] = {n: p.grad.flatten().tolist() for n, p in model.named_parameters() if p.grad is not None}
json.dump(result, sys.stdout)
