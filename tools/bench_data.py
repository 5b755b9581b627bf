#!/usr/bin/python3
"""Metadata benchmark for `clapaudit data prepare`: a Clotho + AudioCaps 2.0 + FSD50K + MACS-sized
collection (about 200,000 pairs), read, checked for audio, cleaned against ESC-50 and split.

    dotnet build src/ClapAudit.Cli -c Release
    /usr/bin/python3 tools/bench_data.py [--keep DIR]

Writes the published layouts with every audio file present but empty (the readers only check
existence, from one directory listing per folder), then times, end to end as a user would run them:
  1. .NET: `ClapAudit.Cli.dll data prepare ... --clean-against ESC50` (process start included);
  2. Python: the same work with the standard csv module, PyYAML (libyaml), os.listdir, a seeded
     shuffle and json lines, as a reference point for the ratio (not a reimplementation of every check).
Each is run 3 times; the best wall time is reported.
"""
import argparse
import csv
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
CLI = os.path.join(HERE, "..", "src", "ClapAudit.Cli", "bin", "Release", "net10.0", "ClapAudit.Cli.dll")

WORDS = ("a the man woman dog car engine water rain wind birds people talk talking walks slowly loudly far away "
         "in on with and then while metal door opens closes bell rings crowd cheers machine hums music plays "
         "footsteps train passes traffic street stream leaves rustle quiet distant background voices child laughs").split()
ESC50 = ["dog", "rooster", "pig", "cow", "frog", "cat", "hen", "insects", "sheep", "crow", "rain", "sea_waves",
         "crackling_fire", "crickets", "chirping_birds", "water_drops", "wind", "pouring_water", "toilet_flush",
         "thunderstorm", "crying_baby", "sneezing", "clapping", "breathing", "coughing", "footsteps", "laughing",
         "brushing_teeth", "snoring", "drinking_sipping", "door_wood_knock", "mouse_click", "keyboard_typing",
         "door_wood_creaks", "can_opening", "washing_machine", "vacuum_cleaner", "clock_alarm", "clock_tick",
         "glass_breaking", "helicopter", "chainsaw", "siren", "car_horn", "engine", "train", "church_bells",
         "airplane", "fireworks", "hand_saw"]
FSD_LABELS = ["Electric_guitar", "Guitar", "Music", "Speech", "Human_voice", "Dog", "Bark", "Animal", "Water", "Rain",
              "Vehicle", "Car", "Door", "Knock", "Walk_and_footsteps", "Typing", "Computer_keyboard", "Bell", "Wind", "Crowd"]


def sentence(rng):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize()


def touch_all(folder, names):
    os.makedirs(folder, exist_ok=True)
    for n in names:
        open(os.path.join(folder, n), "wb").close()


def generate(root, rng):
    counts = {}
    # Clotho v2.1: development 3839, validation 1045, evaluation 1045 files, 5 captions each.
    clotho = os.path.join(root, "clotho")
    for split, n in [("development", 3839), ("validation", 1045), ("evaluation", 1045)]:
        names = [f"{split}_{i:05d} clip, take {i % 7}.wav" for i in range(n)]
        with open(os.path.join(clotho, f"clotho_captions_{split}.csv") if os.path.isdir(clotho) else _mk(clotho, f"clotho_captions_{split}.csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["file_name"] + [f"caption_{k}" for k in range(1, 6)])
            for name in names:
                w.writerow([name] + [sentence(rng) + ", café" if k == 0 else sentence(rng) for k in range(5)])
        touch_all(os.path.join(clotho, split), names)
    counts["clotho"] = 5929 * 5
    # AudioCaps 2.0: train 91,256 (1 caption), val 2,475 and test 4,875 (5 per clip).
    ac = os.path.join(root, "audiocaps")
    os.makedirs(ac, exist_ok=True)
    ids, yts, cid = [], [], 0
    for split, rows, per in [("train", 91256, 1), ("val", 2475, 5), ("test", 4875, 5)]:
        with open(os.path.join(ac, f"{split}.csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["audiocap_id", "youtube_id", "start_time", "caption"])
            for r in range(rows):
                yt = f"{split[:2]}{r // per:09d}"
                cid += 1
                w.writerow([cid, yt, 30, sentence(rng)])
                if r % per == 0:
                    yts.append(yt)
    touch_all(os.path.join(ac, "audio"), [f"{yt}.wav" for yt in yts])
    counts["audiocaps"] = 91256 + 2475 + 4875
    # FSD50K: dev 40,966 (train/val), eval 10,231.
    fsd = os.path.join(root, "fsd50k")
    gt = os.path.join(fsd, "FSD50K.ground_truth")
    os.makedirs(gt, exist_ok=True)
    for name, n, audio in [("dev", 40966, "FSD50K.dev_audio"), ("eval", 10231, "FSD50K.eval_audio")]:
        with open(os.path.join(gt, f"{name}.csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["fname", "labels", "mids", "split"] if name == "dev" else ["fname", "labels", "mids"])
            for i in range(n):
                labels = rng.sample(FSD_LABELS, rng.randint(1, 4))
                row = [i + (0 if name == "dev" else 500000), ",".join(labels), ",".join(f"/m/{j:05d}" for j in range(len(labels)))]
                if name == "dev":
                    row.append("val" if i % 10 == 0 else "train")
                w.writerow(row)
        touch_all(os.path.join(fsd, audio), [f"{i + (0 if name == 'dev' else 500000)}.wav" for i in range(n)])
    counts["fsd50k"] = 40966 + 10231
    # MACS: 3,930 files, 2-5 captions (17,275 in total in the release).
    macs = os.path.join(root, "macs")
    os.makedirs(macs, exist_ok=True)
    files, total = [], 0
    for i in range(3930):
        k = 4 if i % 4 else 5
        total += k
        files.append({"filename": f"scene-city-{i}-{i * 37}-a.wav",
                      "annotations": [{"annotator_id": j, "sentence": sentence(rng), "tags": ["t"]} for j in range(k)]})
    with open(os.path.join(macs, "MACS.yaml"), "w", encoding="utf-8") as f:
        yaml.safe_dump({"files": files}, f, sort_keys=False, allow_unicode=True)
    touch_all(os.path.join(macs, "audio"), [x["filename"] for x in files])
    counts["macs"] = total
    # ESC-50 metadata only (class names).
    esc = os.path.join(root, "esc50", "meta")
    os.makedirs(esc, exist_ok=True)
    with open(os.path.join(esc, "esc50.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["filename", "fold", "target", "category", "esc10", "src_file", "take"])
        for t, c in enumerate(ESC50):
            w.writerow([f"1-{t}-A-{t}.wav", 1, t, c, "False", t, "A"])
    return counts


def _mk(folder, name):
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, name)


def python_reference(root, out):
    """The same pipeline in plain Python: read, check audio by listing, clean, split 80/20, write jsonl."""
    listing = {}

    def exists(path):
        d, n = os.path.split(path)
        if d not in listing:
            listing[d] = set(os.listdir(d)) if os.path.isdir(d) else set()
        return n in listing[d]

    pairs = []
    c = os.path.join(root, "clotho")
    for split in ["development", "validation", "evaluation"]:
        with open(os.path.join(c, f"clotho_captions_{split}.csv"), encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                a = os.path.join(c, split, row["file_name"])
                if exists(a):
                    pairs += [("clotho", a, row[f"caption_{k}"], f"{row['file_name']}#{k}") for k in range(1, 6) if row[f"caption_{k}"]]
    ac = os.path.join(root, "audiocaps")
    for split in ["train", "val", "test"]:
        with open(os.path.join(ac, f"{split}.csv"), encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                a = os.path.join(ac, "audio", row["youtube_id"] + ".wav")
                if exists(a):
                    pairs.append(("audiocaps", a, row["caption"], row["audiocap_id"]))
    fsd = os.path.join(root, "fsd50k")
    for name, audio in [("dev", "FSD50K.dev_audio"), ("eval", "FSD50K.eval_audio")]:
        with open(os.path.join(fsd, "FSD50K.ground_truth", f"{name}.csv"), encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                a = os.path.join(fsd, audio, row["fname"] + ".wav")
                if exists(a):
                    items = [x.replace("_", " ") for x in row["labels"].split(",")]
                    joined = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
                    pairs.append(("fsd50k", a, "The sounds of " + joined, row["fname"]))
    m = os.path.join(root, "macs")
    with open(os.path.join(m, "MACS.yaml"), encoding="utf-8") as f:
        doc = yaml.load(f, Loader=yaml.CSafeLoader)
    for item in doc["files"]:
        a = os.path.join(m, "audio", item["filename"])
        if exists(a):
            pairs += [("macs", a, ann["sentence"], f"{item['filename']}#{k + 1}") for k, ann in enumerate(item["annotations"]) if ann.get("sentence")]
    words = {w for c in ESC50 for w in c.split("_")}
    token = re.compile(r"\w+|[^\w\s]")
    leaky = {p[1] for p in pairs if any(t in words for t in token.findall(p[2].lower()))}
    clean = [p for p in pairs if p[1] not in leaky]
    idx = list(range(len(clean)))
    random.Random(0).shuffle(idx)
    val = set(idx[: round(len(clean) * 0.2)])
    os.makedirs(out, exist_ok=True)
    for name, keep in [("train", False), ("val", True)]:
        with open(os.path.join(out, name + ".jsonl"), "w", encoding="utf-8") as f:
            for i, p in enumerate(clean):
                if (i in val) == keep:
                    f.write(json.dumps({"dataset": p[0], "audio": p[1], "caption": p[2], "id": p[3]}, ensure_ascii=False) + "\n")
    return len(pairs), len(clean)


def cpu_seconds():
    """CPU time (user + system) of this process and of its finished children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def best_of(n, fn):
    """Best wall time and best CPU time over n runs (the machine may be shared: CPU time is the steadier figure)."""
    walls, cpus = [], []
    for _ in range(n):
        t, c = time.perf_counter(), cpu_seconds()
        result = fn()
        walls.append(time.perf_counter() - t)
        cpus.append(cpu_seconds() - c)
    return min(walls), min(cpus), result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default=CLI)
    ap.add_argument("--keep", help="generate into this folder and keep it")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    root = args.keep or tempfile.mkdtemp(prefix="clapaudit-bench-data-")
    try:
        t = time.perf_counter()
        counts = generate(root, random.Random(1))
        print(f"generated {sum(counts.values())} pairs ({counts}) in {time.perf_counter() - t:.1f} s under {root}")
        cmd = ["dotnet", args.cli, "data", "prepare", "--clotho", f"{root}/clotho", "--audiocaps", f"{root}/audiocaps",
               "--fsd50k", f"{root}/fsd50k", "--macs", f"{root}/macs", "--clean-against", f"{root}/esc50",
               "--out", f"{root}/out-dotnet", "--json", f"{root}/out-dotnet.json"]

        def run_dotnet():
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return json.load(open(f"{root}/out-dotnet.json"))

        t_net, c_net, doc = best_of(args.runs, run_dotnet)
        s = doc["summary"]
        print(f".NET   data prepare: wall {t_net:.2f} s, cpu {c_net:.2f} s  ({s['pairs']['train'] + s['pairs']['val']} clean pairs, "
              f"{doc['leakage']['before']['pairs']} read, {doc['leakage']['removed']['pairs']} removed)")
        t_py, c_py, (read, clean) = best_of(args.runs, lambda: python_reference(root, f"{root}/out-python"))
        print(f"Python reference:    wall {t_py:.2f} s, cpu {c_py:.2f} s  ({clean} clean pairs, {read} read)")
        print(f"ratio Python/.NET:   wall {t_py / t_net:.2f}, cpu {c_py / c_net:.2f}")
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
