#!/usr/bin/env python3
"""Kill campaign: SIGKILL `lathe run` at seeded random moments, rerun, and check the store.

Each trial copies a tiny four-stage project (tokenize -> pretrain -> domain-adapt -> instruct, every
training stage checkpointing with save_steps) into a fresh folder, starts `lathe run --log-format json`,
SIGKILLs it after a random delay drawn from [0, 1.1 x the reference run's wall time), then checks:

  1. `lathe verify` is clean right after the kill (the store is consistent mid-crash);
  2. the rerun exits 0 and starts no stage that had published before the kill;
  3. `lathe verify` is clean after the rerun;
  4. every output file except logs/ (timings differ) is byte-identical to an uninterrupted reference
     run, and so is the lock file's digest of every stage.

Where the kill landed is classified from the killed run's last event and the files it left behind:
startup, <stage>:<phase> with phase in running|training|checkpointing|publishing, or finishing (all
stages published; lock file or summary being written). Usage: see scripts/kill-campaign.sh.
"""
import argparse, glob, hashlib, json, os, random, shutil, signal, subprocess, sys, tempfile, time
from collections import Counter

RECIPE = """\
name: kc
seed: 5
defaults: {threads: 1, sequence_len: 16, micro_batch_size: 4, learning_rate: 3.0e-3, logging_steps: 1}
stages:
  tok: {kind: tokenize, datasets: [{path: data/a.txt, type: completion}, {path: data/qa.jsonl, type: alpaca}], vocab_size: 300}
  base:
    kind: pretrain-continue
    from: scratch
    tokenizer: tok
    model: {n_layer: 1, n_head: 2, n_embd: 16, n_positions: 16}
    datasets: [{path: data/a.txt, type: completion}]
    max_steps: %(base)d
    save_steps: 3
  domain: {kind: domain-adapt, from: base, datasets: [{path: data/b.txt, type: completion}], max_steps: %(domain)d, save_steps: 4}
  chat: {kind: instruct, from: domain, datasets: [{path: data/qa.jsonl, type: alpaca}], truncation: split, max_steps: %(chat)d, save_steps: 5}
"""
STAGES = ["tok", "base", "domain", "chat"]


def make_project(base_dir, steps):
    rng = random.Random(9)
    words = "lathe gouge spindle bowl grain chisel wood turns cuts the a between centres".split()
    def text(n):
        return "".join(" ".join(rng.choice(words) for _ in range(8)) + ".\n\n" for _ in range(n))
    os.makedirs(os.path.join(base_dir, "pipelines/data"))
    os.makedirs(os.path.join(base_dir, "artifacts"))
    with open(os.path.join(base_dir, "pipelines/data/a.txt"), "w") as f: f.write(text(120))
    with open(os.path.join(base_dir, "pipelines/data/b.txt"), "w") as f: f.write(text(60))
    with open(os.path.join(base_dir, "pipelines/data/qa.jsonl"), "w") as f:
        for i in range(40):
            f.write(json.dumps({"instruction": "What turns %d bowls?" % i, "input": "", "output": "the lathe " + rng.choice(words)}) + "\n")
    with open(os.path.join(base_dir, "pipelines/kc.yaml"), "w") as f: f.write(RECIPE % steps)


def lathe(binary, project, *args, timeout=600):
    env = dict(os.environ); env.pop("LATHE_STORE", None)
    return subprocess.run([binary, *args], cwd=project, env=env, capture_output=True, text=True, timeout=timeout)


def events(text):
    out = []
    for line in text.splitlines():
        try: out.append(json.loads(line))
        except ValueError: pass
    return out


def outputs(project):
    """{stage: {relative output path: sha256}} of the published results the lock file names (logs/ excluded)."""
    lock = json.load(open(os.path.join(project, "pipelines/kc.lock")))
    result = {}
    for stage, entry in lock["stages"].items():
        key = entry["key"]
        out = os.path.join(project, "artifacts", key[:2], key, "out")
        files = {}
        for path in sorted(glob.glob(out + "/**", recursive=True)):
            rel = os.path.relpath(path, out)
            if os.path.isfile(path) and not rel.startswith("logs/"):
                files[rel] = hashlib.sha256(open(path, "rb").read()).hexdigest()
        result[stage] = {"digest": entry["outputs"]["digest"], "files": files}
    return result


def classify(project, killed_events):
    finished = [e["stage"] for e in killed_events if e.get("event") == "finished"]
    if len(finished) == len(STAGES):
        return "finishing"
    running = [e for e in killed_events if e.get("event") in ("started", "progress")]
    if not running:
        return "startup"
    stage = running[-1]["stage"]
    tmp = os.path.join(project, "artifacts/tmp")
    if glob.glob(tmp + "/work-*/manifest.json") or glob.glob(tmp + "/work-*/.manifest.json.tmp-*"):
        return stage + ":publishing"
    if glob.glob(tmp + "/resume/*/.checkpoint.tmp-*"):
        return stage + ":checkpointing"
    if "step" in running[-1]:
        return stage + ":training"
    return stage + ":running"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--steps", default="24,16,20", help="max_steps of base,domain,chat")
    ap.add_argument("--keep", action="store_true", help="keep the trial folders")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else int(time.time()) % 100000
    rng = random.Random(seed)
    b, d, c = (int(x) for x in args.steps.split(","))
    steps = {"base": b, "domain": d, "chat": c}
    binary = os.path.abspath(args.bin)
    work = tempfile.mkdtemp(prefix="lathe-kill-")
    print("kill campaign: %d trials, seed %d, binary %s, work %s" % (args.trials, seed, binary, work), flush=True)

    started = time.time()
    ref = os.path.join(work, "reference")
    make_project(ref, steps)
    t0 = time.time()
    r = lathe(binary, ref, "run", "pipelines/kc.yaml", "--log-format", "json")
    ref_seconds = time.time() - t0
    if r.returncode != 0:
        print("reference run failed:\n" + r.stderr); return 2
    reference = outputs(ref)
    print("reference run: %.2f s" % ref_seconds, flush=True)

    points, failures, resumed, trial_seconds = Counter(), [], 0, []
    for trial in range(args.trials):
        t_trial = time.time()
        project = os.path.join(work, "t%04d" % trial)
        make_project(project, steps)
        delay = rng.uniform(0, ref_seconds * 1.1)
        env = dict(os.environ); env.pop("LATHE_STORE", None)
        log = open(os.path.join(project, "killed.jsonl"), "w")
        proc = subprocess.Popen([binary, "run", "pipelines/kc.yaml", "--log-format", "json"], cwd=project, env=env,
                                stdout=log, stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=delay)
            completed = True
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL); proc.wait(); completed = False
        log.close()
        killed = events(open(os.path.join(project, "killed.jsonl")).read())
        point = "completed" if completed else classify(project, killed)
        points[point] += 1
        problems = []
        published = {e["stage"] for e in killed if e.get("event") == "finished"}
        # Entries on disk count too: a kill between rename and the event still published the stage.
        v = lathe(binary, project, "verify")
        if v.returncode != 0: problems.append("verify after the kill: " + (v.stdout + v.stderr).strip())
        rerun = lathe(binary, project, "run", "pipelines/kc.yaml", "--log-format", "json")
        if rerun.returncode != 0: problems.append("rerun exited %d: %s" % (rerun.returncode, rerun.stderr.strip()[-500:]))
        again = events(rerun.stdout)
        recomputed = sorted(published & {e["stage"] for e in again if e.get("event") == "started"})
        if recomputed: problems.append("finished before the kill but recomputed: " + ", ".join(recomputed))
        if any("resumed from step" in (e.get("note") or "") for e in again): resumed += 1
        v = lathe(binary, project, "verify")
        if v.returncode != 0: problems.append("verify after the rerun: " + (v.stdout + v.stderr).strip())
        if rerun.returncode == 0:
            got = outputs(project)
            for stage in STAGES:
                if got.get(stage) != reference.get(stage):
                    diff = [f for f in set(got.get(stage, {}).get("files", {})) | set(reference[stage]["files"])
                            if got.get(stage, {}).get("files", {}).get(f) != reference[stage]["files"].get(f)]
                    problems.append("stage %s differs from the reference (%s)" % (stage, ", ".join(sorted(diff)) or "digest"))
        trial_seconds.append(time.time() - t_trial)
        status = "ok" if not problems else "FAIL"
        print("trial %4d  kill at %.3f s  %-22s %s" % (trial, delay, point, status), flush=True)
        if problems:
            failures.append((trial, delay, point, problems))
            for p in problems: print("    " + p, flush=True)
        elif not args.keep:
            shutil.rmtree(project, ignore_errors=True)

    total = time.time() - started
    print("\nsummary: trials %d, failures %d, seed %d, resumed from a checkpoint %d, reference run %.2f s, "
          "mean trial %.2f s, total %.1f s" % (args.trials, len(failures), seed, resumed, ref_seconds,
                                               sum(trial_seconds) / max(1, len(trial_seconds)), total))
    print("kill points: " + ", ".join("%s %d" % (k, points[k]) for k in sorted(points)))
    if not failures and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
