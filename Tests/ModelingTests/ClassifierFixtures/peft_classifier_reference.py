"""PEFT as the reference for Lathe's LoRA classifiers (Tests/StagesTests/LoRAClassifyStageTests.swift).

  peft_classifier_reference.py make-llama FOLDER VOCAB EOS
      a tiny random LlamaForCausalLM (seed 0, every weight perturbed; VOCAB ids, end of text EOS) saved by
      save_pretrained into FOLDER (which holds the tokenizer.json the test wrote)
  peft_classifier_reference.py run BASE ADAPTER ROWS
      AutoModelForSequenceClassification.from_pretrained(BASE, **ADAPTER/classifier.json), then
      PeftModel.from_pretrained(model, ADAPTER); prints as JSON the logits of every row run alone (ROWS: texts
      separated by ';', ids by ','), the wrapped model's class and the adapter's trainable parameter count
"""
import json
import sys

import torch

torch.set_num_threads(1)
mode = sys.argv[1]
if mode == "make-llama":
    from transformers import LlamaConfig, LlamaForCausalLM
    folder, vocab, eos = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=vocab, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
                         num_key_value_heads=2, max_position_embeddings=64, rms_norm_eps=1e-5, rope_theta=10000.0,
                         bos_token_id=eos, eos_token_id=eos, tie_word_embeddings=False)
    model = LlamaForCausalLM(config)
    with torch.no_grad():
        for _, p in model.named_parameters():
            p.add_(torch.randn_like(p) * 0.05)
    model.save_pretrained(folder, safe_serialization=True)
    sys.exit(0)

from peft import PeftModel
from transformers import AutoModelForSequenceClassification

base, adapter = sys.argv[2], sys.argv[3]
rows = [[int(i) for i in r.split(",")] for r in sys.argv[4].split(";")]
labels = json.load(open(adapter + "/classifier.json"))
model = AutoModelForSequenceClassification.from_pretrained(base, dtype=torch.float32, attn_implementation="eager", **labels)
model = PeftModel.from_pretrained(model, adapter)
model.eval()
with torch.no_grad():
    logits = [model(input_ids=torch.tensor([r])).logits[0].tolist() for r in rows]
print(json.dumps({
    "class": type(model.base_model.model).__name__,
    "task_type": model.peft_config["default"].task_type,
    "logits": logits,
}))
