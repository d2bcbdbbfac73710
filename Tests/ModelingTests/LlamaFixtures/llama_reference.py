"""Reference outputs of transformers' Llama-family models for Lathe's parity tests.

    python3 llama_reference.py tiny KIND OUT_DIR IDS   # builds a seeded tiny random model of KIND
                                                       # (llama, qwen2, mistral, llama3-rope, untied) and
                                                       # saves it to OUT_DIR with save_pretrained
    python3 llama_reference.py real MODEL_DIR OUT_DIR IDS

Both write OUT_DIR/reference.json: the mean next-token loss, greedy continuation ids (argmax over a full
forward per step, 8 tokens, no EOS stop) and, for tiny models, every parameter's gradient of that loss;
and OUT_DIR/logits.f64, the (T, V) logits as little-endian float64 (for real models also logits64.f64,
the same model run in float64).
"""
import json
import os
import sys

import torch
import transformers

torch.manual_seed(0)
mode, ids = sys.argv[1], [int(x) for x in sys.argv[-1].split(",")]


def tiny(kind):
    common = dict(vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
                  num_key_value_heads=2, max_position_embeddings=64, rms_norm_eps=1e-5, rope_theta=10000.0,
                  bos_token_id=1, eos_token_id=2, tie_word_embeddings=True)
    if kind == "qwen2":
        config = transformers.Qwen2Config(**common)
        cls = transformers.Qwen2ForCausalLM
    elif kind == "mistral":
        common.update(num_key_value_heads=1, head_dim=16, sliding_window=None)
        config = transformers.MistralConfig(**common)
        cls = transformers.MistralForCausalLM
    else:
        if kind == "llama3-rope":
            common.update(rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                        "high_freq_factor": 4.0, "original_max_position_embeddings": 16},
                          num_key_value_heads=4, rope_theta=500000.0)
        if kind == "untied":
            common.update(tie_word_embeddings=False, attention_bias=True, mlp_bias=True)
        config = transformers.LlamaConfig(**common)
        cls = transformers.LlamaForCausalLM
    model = cls(config).float()
    g = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for name, p in model.named_parameters():
            r = torch.rand(p.shape, generator=g) - 0.5
            p.copy_(1 + 0.4 * r if name.endswith("norm.weight") else 0.6 * r)
    return model


out_dir = sys.argv[3]
os.makedirs(out_dir, exist_ok=True)
if mode == "tiny":
    model = tiny(sys.argv[2])
    model.save_pretrained(out_dir)
else:
    model = transformers.AutoModelForCausalLM.from_pretrained(sys.argv[2], dtype=torch.float32)
model.eval()
x = torch.tensor([ids])
out = model(x, labels=x)
result = {"loss": out.loss.item()}
out.logits[0].detach().double().numpy().astype("<f8").tofile(os.path.join(out_dir, "logits.f64"))
if mode == "real":
    # transformers' own float32 error: the same model in float64 (Lathe is held to the same scale)
    with torch.no_grad():
        model.double()
        model(x).logits[0].numpy().astype("<f8").tofile(os.path.join(out_dir, "logits64.f64"))
        model.float()
if mode == "tiny":
    out.loss.backward()
    result["grads"] = {n: p.grad.detach().double().flatten().tolist() for n, p in model.named_parameters()}
with torch.no_grad():
    seq = list(ids)
    for _ in range(8):
        logits = model(torch.tensor([seq])).logits[0, -1]
        seq.append(int(torch.argmax(logits)))
result["greedy"] = seq[len(ids):]
with open(os.path.join(out_dir, "reference.json"), "w") as f:
    json.dump(result, f)
