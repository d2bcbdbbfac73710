#!/usr/bin/env python3
"""Hostile inputs (RELIABILITY.md section 5): each case is a recipe or an HF model folder built to
attack the loader -- paths out of the project, alias bombs, a million stages, absurd numbers, model
files whose headers claim huge sizes, and (round two, issue 23) links out of dataset and model folders,
FIFOs and devices, a 15,000-part --set key, catastrophic regexes, aliased long strings, a 2 GB recipe,
gc pointed at a folder that is not a store -- run through `lathe run` (or the command a case names).
Every case must end in a clear error (exit 64 for a bad recipe, 1 for a bad input or model file) naming
the problem, within the time and memory limits, never by a signal. Peak RSS is the child's own
(os.wait4), time is wall time. Escape cases are also run under strace (when installed): the file
outside the project must never be opened.

  python3 scripts/reliability/hostile_inputs.py --bin .build/release/lathe [--only NAME] [--table]
"""
import argparse, json, os, resource, shutil, struct, subprocess, sys, tempfile, time

LIMIT_SECONDS = 20.0
LIMIT_RSS_MB = 512.0

BASE = """\
name: h
seed: 1
stages:
  tok: {kind: tokenize, datasets: [{path: data/a.txt, type: completion}], vocab_size: 280}
  base:
    kind: pretrain-continue
    from: %(from)s
%(extra)s    datasets: [{path: data/a.txt, type: completion}]
    sequence_len: 16
    micro_batch_size: 2
    max_steps: 2
"""
SCRATCH_MODEL = "    tokenizer: tok\n    model: {n_layer: 1, n_head: 2, n_embd: 16, n_positions: 16}\n"


def recipe(frm="scratch", extra=SCRATCH_MODEL, **subs):
    text = BASE % {"from": frm, "extra": extra}
    for k, v in subs.items():
        text = text.replace(k, v)
    return text


def safetensors(tensors, header_len=None, raw_header=None):
    header = raw_header if raw_header is not None else json.dumps(tensors).encode()
    n = len(header) if header_len is None else header_len
    return struct.pack("<Q", n) + header


def cases(template_hf):
    """(name, files {relative path: bytes or str or ('symlink', target)}, recipe text, expected exit, message fragment)."""
    c = []
    c.append(("path with ../", {}, recipe(**{"path: data/a.txt, type: completion}]\n    seq": "path: ../../../../etc/passwd, type: completion}]\n    seq"}), 64, "leaves the project root"))
    c.append(("absolute path", {}, recipe(**{"path: data/a.txt, type: completion}]\n    seq": "path: /etc/passwd, type: completion}]\n    seq"}), 64, "is absolute"))
    c.append(("symlink out of the project", {"pipelines/data/link.txt": ("symlink", "/etc/passwd")},
              recipe(**{"path: data/a.txt, type: completion}]\n    seq": "path: data/link.txt, type: completion}]\n    seq"}), 64, "outside the project root"))
    bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        "a%d: &a%d [%s]\n" % (i, i, ", ".join(["*a%d" % (i - 1)] * 10)) for i in range(1, 10))
    c.append(("YAML alias bomb (10^10 nodes)", {}, bomb + "name: h\nstages: {s: {kind: tokenize, datasets: *a9}}\n", 64, "alias bomb"))
    c.append(("10^6 stages (13 MiB)", {}, "name: h\nstages:\n" + "".join("  s%d: {}\n" % i for i in range(1_000_000)), 64, "the limit is 4096 KiB"))
    c.append(("100,000 stages (1.3 MiB, under the size limit)", {}, "name: h\nstages:\n" + "".join("  s%d: {}\n" % i for i in range(100_000)), 64, "the limit is 10000"))
    c.append(("learning_rate 1e308", {}, recipe(extra=SCRATCH_MODEL + "    learning_rate: 1e308\n"), 64, "learning_rate"))
    c.append(("max_steps 2^63", {}, recipe(**{"max_steps: 2": "max_steps: 9223372036854775808"}), 64, "max_steps"))
    c.append(("max_steps 2^63-1", {}, recipe(**{"max_steps: 2": "max_steps: 9223372036854775807"}), 64, "max_steps"))
    c.append(("n_embd 10^9", {}, recipe(extra="    tokenizer: tok\n    model: {n_layer: 1, n_head: 2, n_embd: 1000000000, n_positions: 16}\n"), 64, "n_embd"))
    c.append(("n_layer 10^6", {}, recipe(extra="    tokenizer: tok\n    model: {n_layer: 1000000, n_head: 2, n_embd: 16, n_positions: 16}\n"), 64, "n_layer"))
    c.append(("vocab_size 10^12", {}, recipe(**{"vocab_size: 280": "vocab_size: 1000000000000"}), 64, "vocab_size"))
    c.append(("sequence_len 10^9", {}, recipe(**{"sequence_len: 16": "sequence_len: 1000000000"}), 64, "sequence_len"))
    c.append(("micro_batch_size 10^12", {}, recipe(**{"micro_batch_size: 2": "micro_batch_size: 1000000000000"}), 64, "micro_batch_size"))

    # HF model folders (from: ./hf), each a copy of a valid tiny model with one part made hostile.
    hf_recipe = recipe(frm="./hf", extra="")
    config = json.load(open(os.path.join(template_hf, "config.json")))
    def hf(name, expect, fragment, config_changes=None, weights=None):
        cfg = dict(config); cfg.update(config_changes or {})
        files = {"pipelines/hf/config.json": json.dumps(cfg), "pipelines/hf/tokenizer.json": open(os.path.join(template_hf, "tokenizer.json")).read()}
        files["pipelines/hf/model.safetensors"] = weights if weights is not None else open(os.path.join(template_hf, "model.safetensors"), "rb").read()
        c.append((name, files, hf_recipe, expect, fragment))
    hf("config.json vocab_size 10^12", 1, "vocab_size", {"vocab_size": 10**12})
    hf("config.json n_layer 10^6", 1, "n_layer", {"n_layer": 10**6})
    hf("config.json n_embd 10^9", 1, "n_embd", {"n_embd": 10**9, "n_head": 1})
    hf("config.json n_positions 2^62", 1, "n_positions", {"n_positions": 2**62, "n_ctx": 2**62})
    hf("safetensors header length 2^63", 1, "model.safetensors", weights=safetensors({}, header_len=2**63))
    hf("safetensors header length 100 MB, file 1 KB", 1, "model.safetensors", weights=safetensors({}, header_len=99_000_000) + b" " * 1000)
    hf("safetensors tensor of 10^12 x 10^12 floats", 1, "model.safetensors",
       weights=safetensors({"wte.weight": {"dtype": "F32", "shape": [10**12, 10**12], "data_offsets": [0, 4 * 10**24]}}))
    hf("safetensors offsets past the end", 1, "model.safetensors",
       weights=safetensors({"wte.weight": {"dtype": "F32", "shape": [2**40], "data_offsets": [0, 2**42]}}))
    hf("safetensors shapes mismatch config", 1, "wte", weights=reshaped(open(os.path.join(template_hf, "model.safetensors"), "rb").read()))
    c.extend(round_two(template_hf))
    return c


OUTSIDE = "/tmp/lathe-hostile-outside-secret.txt"  # written by main(); escape cases must never open it
FOLDER_RECIPE = recipe().replace("tok: {kind: tokenize, datasets: [{path: data/a.txt, type: completion}]",
                                 "tok: {kind: tokenize, datasets: [{path: data/corpus, type: completion}]")


def round_two(template_hf):
    """Issue 23. Extra fields: args (default run), files may hold ('fifo',), ('sparse', size), ('dir',)."""
    c = []
    corpus = {"pipelines/data/corpus/a.txt": "the lathe turns bowls.\n\n" * 50}
    def case(name, files, text, expect, fragment, args=None, escape=False):
        c.append((name, files, text, expect, fragment, args, escape))
    case("symlink inside a dataset folder to a file outside", dict(corpus, **{"pipelines/data/corpus/b.txt": ("symlink", OUTSIDE)}),
         FOLDER_RECIPE, 1, "outside the project root", escape=True)
    case("/dev/zero symlink inside a dataset folder", dict(corpus, **{"pipelines/data/corpus/z.txt": ("symlink", "/dev/zero")}),
         FOLDER_RECIPE, 1, "outside the project root")
    case("FIFO inside a dataset folder", dict(corpus, **{"pipelines/data/corpus/p.txt": ("fifo",)}), FOLDER_RECIPE, 1, "FIFO")
    case("FIFO as the dataset file", {"pipelines/data/p.txt": ("fifo",)},
         recipe(**{"path: data/a.txt, type: completion}]\n    seq": "path: data/p.txt, type: completion}]\n    seq"}), 64, "FIFO")
    case("FIFO as the dataset file (status)", {"pipelines/data/p.txt": ("fifo",)},
         recipe(**{"path: data/a.txt, type: completion}]\n    seq": "path: data/p.txt, type: completion}]\n    seq"}), 64, "FIFO",
         args=["status", "pipelines/h.yaml"])
    hf_files = {"pipelines/hf/config.json": open(os.path.join(template_hf, "config.json")).read(),
                "pipelines/hf/model.safetensors": open(os.path.join(template_hf, "model.safetensors"), "rb").read(),
                "pipelines/hf/tokenizer.json": ("symlink", OUTSIDE)}
    case("HF folder: tokenizer.json symlink outside", hf_files, recipe(frm="./hf", extra=""), 1, "outside the project root", escape=True)
    hf_weights = dict(hf_files, **{"pipelines/hf/tokenizer.json": open(os.path.join(template_hf, "tokenizer.json")).read(),
                                   "pipelines/hf/model.safetensors": ("symlink", OUTSIDE)})
    case("HF folder: model.safetensors symlink outside", hf_weights, recipe(frm="./hf", extra=""), 1, "outside the project root", escape=True)
    case("--set key of 15,000 parts", {}, recipe(), 64, "no recipe key is deeper than 32",
         args=["status", "pipelines/h.yaml", "--set", "stages.base.model." + ".".join(["a"] * 15000) + ".b=1"])
    case("catastrophic regex in unfrozen_parameters", {}, recipe(extra=SCRATCH_MODEL + '    unfrozen_parameters: ["(a+)+$"]\n'), 64, "nested quantifier")
    big = "x" * 3_000_000
    case("3 MB string aliased 10^4 times (4 MiB recipe)", {}, "big: &b \"%s\"\n" % big + recipe().replace(
        "    max_steps: 2\n", "    max_steps: 2\n    prompts: [%s]\n" % ", ".join(["*b"] * 10000)), 64, "MiB of text")
    case("2 GB recipe (sparse)", {"pipelines/h.yaml": ("sparse", 2 << 30)}, None, 64, "the limit is 4096 KiB")
    case("stage name ending in a newline", {}, recipe().replace("  tok: {", '  "tok\\n": {').replace("tokenizer: tok\n", 'tokenizer: "tok\\n"\n'), 64, "stage")
    case("recipe name ending in a newline", {}, recipe().replace("name: h\n", 'name: "h\\n"\n'), 64, "name")
    case("NUL in a dataset path", {}, recipe(**{"path: data/a.txt, type: completion}]\n    seq": 'path: "data/a.txt\\0.png", type: completion}]\n    seq'}), 64, "control character")
    case("folder given for an alpaca file", {"pipelines/data/alp": ("dir",)},
         recipe(**{"path: data/a.txt, type: completion}]\n    seq": "path: data/alp, type: alpaca}]\n    seq"}), 64, "names the folder")
    case("3 MB token in the recipe", {}, recipe().replace("kind: pretrain-continue", "kind: " + "k" * 3_000_000), 64, "characters)")
    case("config.json n_positions 0", {"pipelines/hf/config.json": json.dumps(dict(json.load(open(os.path.join(template_hf, "config.json"))), n_positions=0, n_ctx=0)),
                                       "pipelines/hf/tokenizer.json": open(os.path.join(template_hf, "tokenizer.json")).read(),
                                       "pipelines/hf/model.safetensors": open(os.path.join(template_hf, "model.safetensors"), "rb").read()},
         recipe(frm="./hf", extra=""), 64, "needs at least 1 position")
    case("gc --datasets with the project folder as the store", {"datasets/mine.csv": "a,b\n", "tmp/work-notes/todo.txt": "keep\n"},
         recipe(), 1, "is not a Lathe store", args=["gc", "--datasets", "--store", "."])
    case("run with the project folder as the store", {"datasets/mine.csv": "a,b\n"}, recipe(), 1, "is not a Lathe store",
         args=["run", "pipelines/h.yaml", "--store", "."])
    return c


def reshaped(data):
    """The template's weights with wte declared one row shorter (and its data trimmed to match)."""
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    body = bytearray(data[8 + n:])
    names = sorted((k for k in header if k != "__metadata__"), key=lambda k: header[k]["data_offsets"][0])
    out, new_body, offset = {}, bytearray(), 0
    for k in names:
        info = dict(header[k]); a, b = info["data_offsets"]; chunk = body[a:b]
        if k.endswith("wte.weight"):
            row = 4 * info["shape"][1]
            info["shape"] = [info["shape"][0] - 1, info["shape"][1]]; chunk = chunk[:-row]
        info["data_offsets"] = [offset, offset + len(chunk)]; offset += len(chunk)
        out[k] = info; new_body += chunk
    if "__metadata__" in header: out["__metadata__"] = header["__metadata__"]
    h = json.dumps(out).encode()
    return struct.pack("<Q", len(h)) + h + bytes(new_body)


def make_project(root, files, recipe_text, text):
    os.makedirs(os.path.join(root, "pipelines/data")); os.makedirs(os.path.join(root, "artifacts"))
    with open(os.path.join(root, "pipelines/data/a.txt"), "w") as f: f.write(text)
    if recipe_text is not None:
        with open(os.path.join(root, "pipelines/h.yaml"), "w") as f: f.write(recipe_text)
    for rel, content in files.items():
        path = os.path.join(root, rel); os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(content, tuple):
            kind = content[0]
            if kind == "symlink": os.symlink(content[1], path)
            elif kind == "fifo": os.mkfifo(path)
            elif kind == "dir": os.makedirs(path, exist_ok=True)
            elif kind == "sparse":
                with open(path, "wb") as f: f.truncate(content[1])
        else:
            with open(path, "wb" if isinstance(content, bytes) else "w") as f: f.write(content)


def run(binary, root, timeout, args=None, prefix=()):
    env = dict(os.environ); env.pop("LATHE_STORE", None)
    err = tempfile.TemporaryFile()
    start = time.time()
    p = subprocess.Popen(list(prefix) + [binary] + (args or ["run", "pipelines/h.yaml"]), cwd=root, env=env,
                         stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid: break
        if time.time() > deadline:
            p.kill(); pid, status, usage = os.wait4(p.pid, 0); break
        time.sleep(0.005)
    seconds = time.time() - start
    err.seek(0)
    message = err.read().decode("utf-8", "replace")
    code = os.waitstatus_to_exitcode(status)
    return code, seconds, usage.ru_maxrss / 1024.0, message


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--only", default=None)
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    work = tempfile.mkdtemp(prefix="lathe-hostile-")
    with open(OUTSIDE, "w") as f: f.write("SECRET OUTSIDE THE PROJECT\n")
    strace = shutil.which("strace")
    text = "".join("the lathe turns bowl number %d.\n\n" % i for i in range(200))
    template = os.path.join(work, "template")
    make_project(template, {}, recipe(), text)
    code, _, _, message = run(binary, template, 300)
    if code != 0:
        print("template run failed:\n" + message); return 2
    lock = json.load(open(os.path.join(template, "pipelines/h.lock")))
    key = lock["stages"]["base"]["key"]
    template_hf = os.path.join(template, "artifacts", key[:2], key, "out")

    failures = 0
    print("| case | exit | time (s) | peak RSS (MiB) | message (first line) |")
    print("|---|---|---|---|---|")
    for i, entry in enumerate(cases(template_hf)):
        name, files, recipe_text, expect, fragment = entry[:5]
        extra_args, escape = (entry[5], entry[6]) if len(entry) > 5 else (None, False)
        if args.only and args.only not in name: continue
        root = os.path.join(work, "c%02d" % i)
        make_project(root, files, recipe_text, text)
        code, seconds, rss, message = run(binary, root, LIMIT_SECONDS * 3, extra_args)
        problems = []
        if escape and strace:
            log = os.path.join(work, "strace-%02d.log" % i)
            run(binary, root, LIMIT_SECONDS * 3, extra_args, prefix=(strace, "-f", "-qq", "-e", "trace=open,openat", "-o", log))
            opened = [l for l in open(log) if OUTSIDE in l]
            if opened: problems.append("opened the outside file: " + opened[0].strip()[:120])
            os.remove(log)
        elif escape:
            print("  (strace is not installed: what '%s' opens was not checked)" % name, file=sys.stderr)
        if code < 0: problems.append("killed by signal %d" % -code)
        elif code != expect: problems.append("exit %d, expected %d" % (code, expect))
        if fragment.lower() not in message.lower(): problems.append("message lacks '%s'" % fragment)
        if seconds > LIMIT_SECONDS: problems.append("took %.1f s (limit %.0f)" % (seconds, LIMIT_SECONDS))
        if rss > LIMIT_RSS_MB: problems.append("peak RSS %.0f MiB (limit %.0f)" % (rss, LIMIT_RSS_MB))
        lines = [l for l in message.splitlines() if l.strip() and "warning" not in l and not l.startswith(("▸", "  "))]
        first = next((l for l in lines if l.startswith("✘")), lines[0] if lines else "").strip()
        first = first.replace(os.path.realpath(root), "<project>").replace(root, "<project>").replace("|", "\\|")[:150]
        print("| %s | %d | %.2f | %.0f | %s%s |" % (name, code, seconds, rss, first, "" if not problems else " **FAIL: " + "; ".join(problems) + "**"), flush=True)
        failures += bool(problems)
        if not problems: shutil.rmtree(root, ignore_errors=True)
    print("\nhostile inputs: failures %d" % failures)
    os.remove(OUTSIDE)
    if not failures: shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
