"""Turns a GGUF file into an fp32 Hugging Face folder (config.json, model.safetensors, tokenizer files)
with transformers' own GGUF loader, the peer Lathe's GGUF-free tests compare against.

    python3 gguf_to_hf.py DIR FILE.gguf     # writes DIR/config.json, DIR/model.safetensors, tokenizer

transformers refuses save_pretrained on a GGUF-loaded model, so the weights go through
safetensors.torch.save_model and the config through to_dict without quantization_config.
"""
import json
import os
import sys

import torch
from safetensors.torch import save_model
from transformers import AutoModelForCausalLM, AutoTokenizer

directory, name = sys.argv[1], sys.argv[2]
model = AutoModelForCausalLM.from_pretrained(directory, gguf_file=name, dtype=torch.float32)
tokenizer = AutoTokenizer.from_pretrained(directory, gguf_file=name)
save_model(model, os.path.join(directory, "model.safetensors"), metadata={"format": "pt"})
config = model.config.to_dict()
config.pop("quantization_config", None)
config.pop("_name_or_path", None)
config["torch_dtype"] = "float32"
with open(os.path.join(directory, "config.json"), "w") as f:
    json.dump(config, f, indent=2, sort_keys=True)
tokenizer.save_pretrained(directory)

# transformers' GGUF tokenizer conversion keeps only GPT-2's ByteLevel pre-tokenizer, but llama.cpp's
# `tokenizer.ggml.pre` "smollm" (the hub's tokenizer.json) splits every digit first: put it back, so
# numbers are tokenized the way the model was trained.
import gguf  # noqa: E402

reader = gguf.GGUFReader(os.path.join(directory, name))
field = reader.get_field("tokenizer.ggml.pre")
pre = bytes(field.parts[field.data[0]]).decode() if field is not None else ""
if pre == "smollm":
    path = os.path.join(directory, "tokenizer.json")
    with open(path) as f:
        data = json.load(f)
    if data.get("pre_tokenizer", {}).get("type") == "ByteLevel":
        data["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
            {"type": "Digits", "individual_digits": True}, data["pre_tokenizer"]]}
        with open(path, "w") as f:
            json.dump(data, f, ensure_ascii=False, indent=2)
