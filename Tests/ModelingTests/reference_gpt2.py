#!/usr/bin/env python3
"""Independent GPT-2 reference for Lathe's HF export tests (numpy only, float64).

Usage: reference_gpt2.py MODEL_DIR IDS
  MODEL_DIR  an HF GPT-2 directory (config.json + model.safetensors)
  IDS        comma-separated token ids, e.g. 3,1,4,1,5

Prints JSON {"logits": [[...] * T], "loss": float}: logits for every position (T x vocab) and the mean
cross-entropy of predicting IDS[t+1] from position t (T-1 terms).

The safetensors file is parsed by hand (8-byte little-endian header length, JSON header, raw data) so this
check shares no code with Lathe's reader or the `safetensors` package. The math follows HF
`modeling_gpt2.py`: pre-LayerNorm blocks, Conv1D y = x @ W + b with W stored [in, out], fused c_attn
split into q, k, v along the last axis, causal attention scaled by 1/sqrt(head size), gelu_new, tied head.
"""
import json
import struct
import sys

import numpy as np


def load_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    base = 8 + n
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        chunk = raw[base + begin:base + end]
        dtype = entry["dtype"]
        if dtype == "BF16":
            array = (np.frombuffer(chunk, "<u2").astype("<u4") << 16).view("<f4")
        elif dtype in ("F32", "F16", "F64"):
            array = np.frombuffer(chunk, {"F32": "<f4", "F16": "<f2", "F64": "<f8"}[dtype])
        else:
            continue  # integer/bool buffers (causal masks) are not weights
        if name.startswith("transformer."):
            name = name[len("transformer."):]
        tensors[name] = array.astype(np.float64).reshape(entry["shape"])
    return tensors


def layer_norm(x, weight, bias, eps):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)  # biased variance, as torch.nn.LayerNorm
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def gelu_new(x):
    return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x ** 3)))


def forward(config, w, ids):
    d, n_head, eps = config["n_embd"], config["n_head"], config.get("layer_norm_epsilon", 1e-5)
    hs = d // n_head
    T = len(ids)
    x = w["wte.weight"][ids] + w["wpe.weight"][np.arange(T)]
    mask = np.triu(np.ones((T, T), dtype=bool), k=1)  # True above the diagonal = future positions
    for layer in range(config["n_layer"]):
        p = "h.%d." % layer
        h = layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps)
        qkv = h @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = (a.reshape(T, n_head, hs).transpose(1, 0, 2) for a in np.split(qkv, 3, axis=-1))
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(hs)
        scores = np.where(mask, -np.inf, scores)
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        att = scores / scores.sum(axis=-1, keepdims=True)
        y = (att @ v).transpose(1, 0, 2).reshape(T, d)
        x = x + y @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        h = layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps)
        m = gelu_new(h @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"])
        x = x + m @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    x = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], eps)
    return x @ w["wte.weight"].T  # tied LM head


def mean_loss(logits, ids):
    if len(ids) < 2:
        return float("nan")
    z = logits[:-1]
    log_probs = z - z.max(axis=-1, keepdims=True)
    log_probs = log_probs - np.log(np.exp(log_probs).sum(axis=-1, keepdims=True))
    return float(-log_probs[np.arange(len(ids) - 1), ids[1:]].mean())


def main():
    model_dir, ids_text = sys.argv[1], sys.argv[2]
    config = json.load(open(model_dir + "/config.json"))
    weights = load_safetensors(model_dir + "/model.safetensors")
    ids = np.array([int(t) for t in ids_text.split(",")], dtype=np.int64)
    logits = forward(config, weights, ids)
    print(json.dumps({"logits": logits.tolist(), "loss": mean_loss(logits, ids)}))


if __name__ == "__main__":
    main()
