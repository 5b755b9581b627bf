#!/usr/bin/python3
"""Writes tests/fixtures/retrieval/: a retrieval bundle and the metrics computed with NumPy.

Run from the repository root: /usr/bin/python3 tools/make_retrieval_fixtures.py

40 clips (d = 16), 1-5 captions each (text = own audio + noise, so ranks vary from 1 to beyond 10); clips 3 and 7
are exact copies of clip 2 and caption rows 10 and 11 are equal, so the tie rule (lower index first) decides
ranks. The reference ranks come from a stable argsort of -cosine (np.argsort(kind="stable") keeps the lower
index first among equal scores), an implementation independent of the C# counting. expected.json holds
t2a/a2t r1, r5, r10, map10 (a2t: the best-ranked own caption, LAION-CLAP's get_metrics convention).
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "retrieval")


def ranks(sim, targets_per_row):
    order = np.argsort(-sim, axis=1, kind="stable")
    pos = np.empty_like(order)
    rows = np.arange(sim.shape[0])[:, None]
    pos[rows, order] = np.arange(sim.shape[1])[None, :]
    return np.array([min(pos[r, t] for t in ts) + 1 for r, ts in enumerate(targets_per_row)])


def metrics(r):
    return {"r1": float(np.mean(r <= 1)), "r5": float(np.mean(r <= 5)), "r10": float(np.mean(r <= 10)),
            "map10": float(np.mean(np.where(r <= 10, 1.0 / r, 0.0)))}


def main():
    rng = np.random.default_rng(14)
    n, d = 40, 16
    audio = rng.standard_normal((n, d)).astype(np.float32)
    audio[3] = audio[2]
    audio[7] = audio[2]
    cap_audio = np.concatenate([np.full(rng.integers(1, 6), i) for i in range(n)]).astype(np.int64)
    text = (audio[cap_audio] + rng.uniform(0.3, 2.0, (len(cap_audio), 1)) * rng.standard_normal((len(cap_audio), d))).astype(np.float32)
    text[11] = text[10]
    os.makedirs(OUT, exist_ok=True)
    np.save(os.path.join(OUT, "audio.npy"), audio)
    np.save(os.path.join(OUT, "text.npy"), text)
    np.save(os.path.join(OUT, "caption_audio.npy"), cap_audio)
    with open(os.path.join(OUT, "items.txt"), "w") as f:
        f.writelines(f"clip{i:02d}.wav\n" for i in range(n))
    with open(os.path.join(OUT, "captions.txt"), "w") as f:
        f.writelines(f"caption {j} of clip{a:02d}\n" for j, a in enumerate(cap_audio))
    a = audio.astype(np.float64)
    t = text.astype(np.float64)
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    t /= np.linalg.norm(t, axis=1, keepdims=True)
    sim = t @ a.T
    t2a = ranks(sim, [[x] for x in cap_audio])
    a2t = ranks(sim.T, [np.flatnonzero(cap_audio == i) for i in range(n)])
    expected = {"t2a": metrics(t2a), "a2t": metrics(a2t), "t2a_ranks": t2a.tolist(), "a2t_ranks": a2t.tolist()}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print(expected["t2a"], expected["a2t"])


if __name__ == "__main__":
    main()
