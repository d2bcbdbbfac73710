"""transformers' BertModel as the reference for Lathe's encoder (Tests/ModelingTests/BertParityTests.swift).

  reference_bert.py make FOLDER             a tiny random BertModel (seed 0, every weight perturbed) saved as safetensors
  reference_bert.py run FOLDER INPUT.json   last_hidden_state, pooler_output and, when INPUT has "g", the gradients
                                            of sum(pooler_output * g) for every named parameter, as JSON on stdout
  reference_bert.py make-mlm FOLDER         the same tiny BERT as a BertForMaskedLM (tied decoder)
  reference_bert.py make-tokenizer FOLDER WORDS   a WordPiece tokenizer.json of the tiny BERT's 53 ids: [PAD] [UNK]
                                            [CLS] [SEP] [MASK], then WORDS (comma-separated), then "##a", "##b", …
  reference_bert.py mlm FOLDER INPUT.json   loss of the folder loaded by AutoModelForMaskedLM for INPUT["labels"]
                                            (-100 = none), the labelled positions' logits, every gradient and the
                                            class transformers chose
"""
import json
import sys

import torch
from transformers import AutoModelForMaskedLM, BertConfig, BertForMaskedLM, BertModel

torch.set_num_threads(1)
mode, folder = sys.argv[1], sys.argv[2]
if mode == "make-tokenizer":
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + sys.argv[3].split(",")
    vocab += ["##" + chr(ord("a") + i) for i in range(53 - len(vocab))]
    tok = Tokenizer(models.WordPiece({w: i for i, w in enumerate(vocab)}, unk_token="[UNK]"))
    tok.add_special_tokens(vocab[:5])
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
                                                       special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tok.decoder = decoders.WordPiece()
    tok.save(folder + "/tokenizer.json")
    sys.exit(0)
if mode in ("make", "make-mlm"):
    torch.manual_seed(0)
    config = BertConfig(vocab_size=53, hidden_size=16, num_hidden_layers=2, num_attention_heads=4, intermediate_size=24,
                        max_position_embeddings=12, type_vocab_size=2, hidden_act="gelu", layer_norm_eps=1e-12)
    model = BertModel(config) if mode == "make" else BertForMaskedLM(config)
    with torch.no_grad():
        for _, p in model.named_parameters():
            p.add_(torch.randn_like(p) * 0.2)
    model.save_pretrained(folder, safe_serialization=True)
    sys.exit(0)

inp = json.load(open(sys.argv[3]))
if mode == "mlm":
    model = AutoModelForMaskedLM.from_pretrained(folder, attn_implementation="eager").float().eval()
    labels = torch.tensor(inp["labels"], dtype=torch.long)
    out = model(input_ids=torch.tensor(inp["tokens"]), token_type_ids=torch.tensor(inp["types"]),
                attention_mask=torch.tensor(inp["mask"]), labels=labels)
    out.loss.backward()
    named = dict(model.named_parameters())
    grads = {n: p.grad.flatten().tolist() for n, p in named.items() if p.grad is not None}
    json.dump({"loss": out.loss.item(), "logits": out.logits[labels != -100].flatten().tolist(), "grads": grads,
               "class": type(model).__name__}, sys.stdout)
    sys.exit(0)
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
