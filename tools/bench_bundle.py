#!/usr/bin/python3
"""The generated bundle of the analyze and linear-probe benchmarks (tools/bench_analyze.sh, tools/bench_linear_probe.sh).

    /usr/bin/python3 tools/bench_bundle.py OUT N C [NOISE=1.6] [--folds]

N items of C classes (labels cycle through the classes): E_a 1024-d (class centres plus NOISE x item noise), x_a
2048-d (a ReLU of a random map of E_a plus noise), E_t 1024-d and x_t 768-d per class, all float32, classes.txt;
with --folds, a stratified folds.npy of 5 folds (1..5).
"""
import os
import sys

import numpy as np

args = [a for a in sys.argv[1:] if a != "--folds"]
out, n, C = args[0], int(args[1]), int(args[2])
noise = float(args[3]) if len(args) > 3 else 1.6
os.makedirs(out)
rng = np.random.default_rng(0)
d = 1024
labels = np.arange(n) % C
centres = rng.standard_normal((C, d))
audio = centres[labels] + noise * rng.standard_normal((n, d))
ab = np.maximum(audio.astype(np.float32) @ rng.standard_normal((d, 2048)).astype(np.float32) / 32
                + rng.standard_normal((n, 2048), dtype=np.float32), 0)
text = centres + 1.2 * rng.standard_normal((C, d))
tb = text @ rng.standard_normal((d, 768)) / 32
for name, x in [("audio", audio), ("audio_backbone", ab), ("text", text), ("text_backbone", tb)]:
    np.save(os.path.join(out, name + ".npy"), x.astype(np.float32))
np.save(os.path.join(out, "labels.npy"), labels.astype(np.int64))
if "--folds" in sys.argv:
    np.save(os.path.join(out, "folds.npy"), ((np.arange(n) // C) % 5 + 1).astype(np.int64))  # stratified: labels cycle
with open(os.path.join(out, "classes.txt"), "w") as f:
    f.write("\n".join(f"class {c}" for c in range(C)) + "\n")
