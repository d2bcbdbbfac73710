"""Renders chat-template cases with transformers (the renderer apply_chat_template calls).

stdin: JSON list of {"template": jinja text, "bos": str, "eos": str, "messages": [...],
"add_generation_prompt": bool}; or {"folder": path, ...} to call AutoTokenizer.apply_chat_template on a
model folder's own template. stdout: JSON list of rendered strings.
"""
import json
import sys

from transformers.utils.chat_template_utils import render_jinja_template

out = []
tokenizers = {}
for case in json.load(sys.stdin):
    if "folder" in case:
        from transformers import AutoTokenizer
        tok = tokenizers.setdefault(case["folder"], AutoTokenizer.from_pretrained(case["folder"]))
        out.append(tok.apply_chat_template(case["messages"], tokenize=False,
                                           add_generation_prompt=case["add_generation_prompt"]))
        continue
    rendered, _ = render_jinja_template(
        conversations=[case["messages"]], chat_template=case["template"],
        add_generation_prompt=case["add_generation_prompt"],
        bos_token=case["bos"], eos_token=case["eos"])
    out.append(rendered[0])
print(json.dumps(out))
