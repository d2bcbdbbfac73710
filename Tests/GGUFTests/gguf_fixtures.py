"""gguf-py and transformers references for Lathe's GGUF tests.

    python3 gguf_fixtures.py quants OUT_DIR          # OUT_DIR/quants.gguf: random blocks of every type
                                                     # Lathe dequantises (gguf.quants.quantize where it
                                                     # exists, else random bytes with finite f16 scales),
                                                     # and OUT_DIR/<TYPE>.f32, gguf.quants.dequantize of each
    python3 gguf_fixtures.py tiny KIND OUT_DIR IDS   # a seeded tiny random transformers model of KIND
                                                     # (llama, llama3 [rope scaling], mistral, qwen2, gpt2) saved to OUT_DIR/hf, converted
                                                     # to OUT_DIR/model.gguf as llama.cpp's converter does
                                                     # (F32; q/k rows permuted for llama; Conv1D transposed
                                                     # for gpt2), and transformers' logits of that GGUF
    python3 gguf_fixtures.py logits GGUF IDS OUT     # transformers loads GGUF (gguf_file=): logits → OUT
    python3 gguf_fixtures.py inspect GGUF OUT_JSON   # gguf-py's GGUFReader: fields, tensors, q8_0 check

Logits are (T, V) little-endian float64.
"""
import json
import os
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q

mode = sys.argv[1]


def quants(out_dir):
    rng = np.random.default_rng(11)
    writer = gguf.GGUFWriter(os.path.join(out_dir, "quants.gguf"), "llama")
    names = []
    for qtype in [Q.F32, Q.F16, Q.BF16, Q.Q4_0, Q.Q4_1, Q.Q5_0, Q.Q5_1, Q.Q8_0, Q.Q2_K, Q.Q3_K, Q.Q4_K, Q.Q5_K, Q.Q6_K]:
        block, size = gguf.GGML_QUANT_SIZES[qtype]
        rows, cols = 3, 512
        values = (rng.standard_normal((rows, cols)) * rng.uniform(0.01, 3)).astype(np.float32)
        values[0, :7] = [0.0, -0.0, 1e-8, -65504.0, 3.0e-5, 1.0, -1.0]
        if qtype in (Q.F32, Q.F16, Q.BF16, Q.Q4_0, Q.Q4_1, Q.Q5_0, Q.Q5_1, Q.Q8_0):
            data = gguf.quants.quantize(values, qtype)
            if qtype == Q.F32:
                data = values
        else:
            data = rng.integers(0, 256, size=(rows, cols // block * size), dtype=np.uint8)
            blocks = data.reshape(-1, size)
            # finite f16 scales where each K-quant keeps them (d, dmin)
            offsets = {Q.Q2_K: [80, 82], Q.Q3_K: [108], Q.Q4_K: [0, 2], Q.Q5_K: [0, 2], Q.Q6_K: [208]}[qtype]
            for o in offsets:
                scales = (rng.standard_normal(blocks.shape[0]) * 0.05).astype(np.float16)
                blocks[:, o:o + 2] = scales.view(np.uint8).reshape(-1, 2)
        if qtype in (Q.F32, Q.F16):
            writer.add_tensor(qtype.name, data)
        else:
            writer.add_tensor(qtype.name, np.ascontiguousarray(data).view(np.uint8), raw_dtype=qtype)
        raw = np.ascontiguousarray(data).view(np.uint8)
        expected = gguf.quants.dequantize(raw if qtype not in (Q.F32, Q.F16) else np.ascontiguousarray(data).view(np.uint8), qtype)
        np.asarray(expected, dtype=np.float32).reshape(-1).astype("<f4").tofile(os.path.join(out_dir, qtype.name + ".f32"))
        names.append(qtype.name)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    print(json.dumps(names))


def tiny_model(kind):
    import torch
    import transformers
    torch.manual_seed(0)
    if kind == "gpt2":
        # n_positions 1024: transformers maps context_length to n_ctx, not n_positions, so others fail to load
        config = transformers.GPT2Config(vocab_size=64, n_positions=1024, n_embd=32, n_layer=2, n_head=4,
                                         bos_token_id=1, eos_token_id=2)
        model = transformers.GPT2LMHeadModel(config)
    else:
        common = dict(vocab_size=64, hidden_size=64, intermediate_size=96, num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, max_position_embeddings=64, rms_norm_eps=1e-5, rope_theta=10000.0,
                      bos_token_id=1, eos_token_id=2, tie_word_embeddings=kind == "qwen2")
        if kind == "qwen2":
            model = transformers.Qwen2ForCausalLM(transformers.Qwen2Config(**common))
        elif kind == "llama3":
            common.update(max_position_embeddings=16384, rope_theta=500000.0, rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                                             "high_freq_factor": 4.0, "original_max_position_embeddings": 8192})
            model = transformers.LlamaForCausalLM(transformers.LlamaConfig(**common))
        elif kind == "mistral":
            # head_dim 32 ≠ hidden / heads, one KV head: llama.cpp writes attention.key_length
            common.update(head_dim=32, num_key_value_heads=1, sliding_window=None)
            model = transformers.MistralForCausalLM(transformers.MistralConfig(**common))
        else:
            model = transformers.LlamaForCausalLM(transformers.LlamaConfig(**common))
    model = model.float()
    g = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for name, p in model.named_parameters():
            r = torch.rand(p.shape, generator=g) - 0.5
            p.copy_(1 + 0.4 * r if name.endswith("norm.weight") or ".ln_" in name else 0.6 * r)
    return model


def permute(w, n_head):
    # llama.cpp convert_hf_to_gguf.py LlamaModel.permute
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def to_gguf(model, kind, path):
    c = model.config
    arch = "llama" if kind in ("mistral", "llama3") else kind
    head_dim = getattr(c, "head_dim", None) or c.hidden_size // c.num_attention_heads
    w = gguf.GGUFWriter(path, arch)
    w.add_name("tiny " + kind)
    w.add_context_length(c.max_position_embeddings if kind != "gpt2" else c.n_positions)
    w.add_embedding_length(c.hidden_size)
    w.add_block_count(c.num_hidden_layers)
    w.add_head_count(c.num_attention_heads)
    w.add_file_type(0)
    w.add_vocab_size(c.vocab_size)
    if kind == "gpt2":
        w.add_feed_forward_length(4 * c.hidden_size)
        w.add_layer_norm_eps(c.layer_norm_epsilon)
    else:
        w.add_feed_forward_length(c.intermediate_size)
        w.add_head_count_kv(c.num_key_value_heads)
        w.add_layer_norm_rms_eps(c.rms_norm_eps)
        rope = dict(getattr(c, "rope_parameters", None) or {})
        theta = rope.get("rope_theta", getattr(c, "rope_theta", 10000.0))
        w.add_rope_freq_base(theta)
        if kind == "llama3":
            # convert_hf_to_gguf.py LlamaModel.generate_extra_tensors: one divisor per rotary frequency
            import math
            import torch
            freqs = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
            factor, low, high, old = 8.0, 1.0, 4.0, 8192
            factors = []
            for freq in freqs:
                wavelen = 2 * math.pi / freq
                if wavelen < old / high:
                    factors.append(1)
                elif wavelen > old / low:
                    factors.append(factor)
                else:
                    smooth = (old / wavelen - low) / (high - low)
                    factors.append(1 / ((1 - smooth) / factor + smooth))
            w.add_tensor("rope_freqs.weight", np.array(factors, dtype=np.float32))
        w.add_rope_dimension_count(head_dim)
        if head_dim * c.num_attention_heads != c.hidden_size:
            w.add_key_length(head_dim)
            w.add_value_length(head_dim)
    w.add_tokenizer_model("gpt2")
    w.add_token_list(["t%d" % i for i in range(c.vocab_size)])
    w.add_token_types([1] * c.vocab_size)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    sd = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    if kind == "gpt2":
        table = {"transformer.wte.weight": "token_embd.weight", "transformer.wpe.weight": "position_embd.weight",
                 "transformer.ln_f.weight": "output_norm.weight", "transformer.ln_f.bias": "output_norm.bias"}
        block = {"ln_1": "attn_norm", "ln_2": "ffn_norm", "attn.c_attn": "attn_qkv", "attn.c_proj": "attn_output",
                 "mlp.c_fc": "ffn_up", "mlp.c_proj": "ffn_down"}
        for k, v in sd.items():
            if k == "lm_head.weight" or k.endswith(".attn.bias") or k.endswith("masked_bias"):
                continue
            if k in table:
                w.add_tensor(table[k], v)
                continue
            parts = k.split(".")
            module, suffix = ".".join(parts[3:-1]), parts[-1]
            if suffix == "weight" and module in ("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"):
                v = np.ascontiguousarray(v.T)
            w.add_tensor("blk.%s.%s.%s" % (parts[2], block[module], suffix), v)
        w.add_tensor("output.weight", sd["transformer.wte.weight"])
    else:
        table = {"model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
                 "lm_head.weight": "output.weight"}
        block = {"input_layernorm": "attn_norm", "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k",
                 "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output", "post_attention_layernorm": "ffn_norm",
                 "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down"}
        for k, v in sd.items():
            if k == "lm_head.weight" and c.tie_word_embeddings:
                continue
            if k in table:
                w.add_tensor(table[k], v)
                continue
            parts = k.split(".")
            module, suffix = ".".join(parts[3:-1]), parts[-1]
            if arch == "llama" and module == "self_attn.q_proj":
                v = permute(v, c.num_attention_heads)
            if arch == "llama" and module == "self_attn.k_proj":
                v = permute(v, c.num_key_value_heads)
            w.add_tensor("blk.%s.%s.%s" % (parts[2], block[module], suffix), np.ascontiguousarray(v))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def logits(path, ids, out):
    import torch
    import transformers
    model = transformers.AutoModelForCausalLM.from_pretrained(os.path.dirname(path), gguf_file=os.path.basename(path),
                                                              dtype=torch.float32)
    model.eval()
    with torch.no_grad():
        model(torch.tensor([ids])).logits[0].double().numpy().astype("<f8").tofile(out)


def inspect(path, out):
    r = gguf.GGUFReader(path)
    fields = {}
    for name, f in r.fields.items():
        if name.startswith("GGUF."):
            continue
        types = [t.name for t in f.types]
        if f.types[0] == gguf.GGUFValueType.ARRAY:
            value = [f.contents(i) for i in range(len(f.data))] if len(f.data) <= 8 else len(f.data)
        else:
            value = f.contents()
        if isinstance(value, float):
            value = float(np.float32(value)) if f.types[0] == gguf.GGUFValueType.FLOAT32 else value
        fields[name] = {"types": types, "value": value}
    tensors = {}
    for t in r.tensors:
        entry = {"type": t.tensor_type.name, "shape": [int(x) for x in t.shape]}
        if t.tensor_type == Q.Q8_0 and (t.name + ".source") in [u.name for u in r.tensors]:
            source = [u for u in r.tensors if u.name == t.name + ".source"][0]
            expected = gguf.quants.quantize(np.asarray(source.data, dtype=np.float32), Q.Q8_0)
            entry["q8_0_matches_gguf_py"] = bool(np.array_equal(expected.reshape(-1), np.asarray(t.data).reshape(-1)))
        if t.tensor_type in (Q.F32, Q.F16, Q.Q8_0):
            entry["sum"] = float(np.asarray(gguf.quants.dequantize(np.asarray(t.data).reshape(-1).view(np.uint8) if t.tensor_type != Q.F32 else np.asarray(t.data), t.tensor_type), dtype=np.float64).sum())
        tensors[t.name] = entry
    with open(out, "w") as f:
        json.dump({"fields": fields, "tensors": tensors}, f, default=str)


if mode == "quants":
    quants(sys.argv[2])
elif mode == "tiny":
    kind, out_dir, ids = sys.argv[2], sys.argv[3], [int(x) for x in sys.argv[4].split(",")]
    os.makedirs(out_dir + "/hf", exist_ok=True)
    model = tiny_model(kind)
    model.save_pretrained(out_dir + "/hf")
    to_gguf(model, kind, out_dir + "/model.gguf")
    if kind == "llama3":
        # transformers' GGUF loader ignores rope_freqs: the reference is the transformers model itself
        import torch
        model.eval()
        with torch.no_grad():
            model(torch.tensor([ids])).logits[0].double().numpy().astype("<f8").tofile(out_dir + "/logits.f64")
    else:
        logits(out_dir + "/model.gguf", ids, out_dir + "/logits.f64")
elif mode == "logits":
    logits(sys.argv[2], [int(x) for x in sys.argv[3].split(",")], sys.argv[4])
elif mode == "inspect":
    inspect(sys.argv[2], sys.argv[3])
else:
    sys.exit("unknown mode " + mode)
