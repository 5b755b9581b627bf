#!/usr/bin/python3
"""Writes a synthetic overlap benchmark set: N_TEST 5 s ESC-50-style clips and N_TRAIN 10 s FSD50K-style
recordings (44.1 kHz mono PCM 16, the synthetic classes of make_overlap_fixtures.py), every tenth recording
holding a test clip. Usage: bench_overlap.py OUT_DIR [N_TEST] [N_TRAIN]; then time
    clapaudit data overlap --esc50 OUT/esc50 --fsd50k OUT/fsd50k --out OUT/result --content --threads 2
The extrapolation to 2,000 x 5 s vs 50,000 x 10 s is in docs/benchmarks.md."""
import csv
import os
import sys

import numpy as np
import soundfile as sf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_overlap_fixtures import synth, plant  # noqa: E402


def main():
    out = sys.argv[1]
    n_test = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    n_train = int(sys.argv[3]) if len(sys.argv) > 3 else 500
    os.makedirs(os.path.join(out, "esc50", "audio"), exist_ok=True)
    os.makedirs(os.path.join(out, "esc50", "meta"), exist_ok=True)
    os.makedirs(os.path.join(out, "fsd50k", "FSD50K.dev_audio"), exist_ok=True)
    os.makedirs(os.path.join(out, "fsd50k", "FSD50K.ground_truth"), exist_ok=True)
    clips, rows = [], []
    for i in range(n_test):
        name = f"{1 + i % 5}-{500000 + i}-A-{i % 3}.wav"
        x = synth(i % 3, 1000 + i, 5.0)
        clips.append(x)
        sf.write(os.path.join(out, "esc50", "audio", name), x.astype(np.float32), 44100, subtype="PCM_16")
        rows.append([name, str(1 + i % 5), str(i % 3), ["dog", "rooster", "pig"][i % 3], "False", str(500000 + i), "A"])
    with open(os.path.join(out, "esc50", "meta", "esc50.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["filename", "fold", "target", "category", "esc10", "src_file", "take"])
        w.writerows(rows)
    dev = []
    for j in range(n_train):
        x = synth(j % 3, 50000 + j, 10.0)
        if j % 10 == 0:
            x = plant(x, clips[(j // 10) % n_test], 2.0 + (j % 7) * 0.37, -6)
        sf.write(os.path.join(out, "fsd50k", "FSD50K.dev_audio", f"{900000 + j}.wav"), x.astype(np.float32), 44100, subtype="PCM_16")
        dev.append([str(900000 + j), "Bark", "/m/05tny_", "train"])
    with open(os.path.join(out, "fsd50k", "FSD50K.ground_truth", "dev.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["fname", "labels", "mids", "split"])
        w.writerows(dev)
    with open(os.path.join(out, "fsd50k", "FSD50K.ground_truth", "eval.csv"), "w", newline="") as f:
        f.write("fname,labels,mids\n")


if __name__ == "__main__":
    main()
