#!/usr/bin/python3
"""The scikit-learn/NumPy equivalent of `clapaudit analyze BUNDLE` (no t-SNE), timed as a whole
process by tools/bench_analyze.sh: zero-shot top-1/top-5, silhouette (cosine) of audio and
audio_backbone, topological similarity of the three class-level comparisons (k in 2..10)."""
import json
import os
import sys

import numpy as np
from sklearn.metrics import silhouette_score
from sklearn.metrics.pairwise import cosine_distances


def topology(p, q, k_min=2, k_max=10):
    m = p.shape[0]

    def orders(x):
        d = cosine_distances(x)
        np.fill_diagonal(d, -np.inf)  # the point itself first
        return np.argsort(d, axis=1, kind="stable")  # stable: ties by lower index

    op, oq = orders(p), orders(q)
    curve = []
    for k in range(1, m):
        inter = [len(set(op[i, :k]) & set(oq[i, :k])) for i in range(m)]
        curve.append(float(np.mean(inter)) / k)
    hi = min(k_max, m - 1)
    k = max(range(k_min, hi + 1), key=lambda k: (curve[k - 1], -k))
    return {"s": curve[k - 1], "k": k, "curve": curve}


def main(folder):
    load = lambda name: np.load(os.path.join(folder, name))
    audio, text, labels = load("audio.npy"), load("text.npy"), load("labels.npy")
    ab, tb = load("audio_backbone.npy"), load("text_backbone.npy")
    a = audio / np.linalg.norm(audio, axis=1, keepdims=True)
    t = text / np.linalg.norm(text, axis=1, keepdims=True)
    s = a @ t.T
    top1 = float(np.mean(np.argmax(s, axis=1) == labels))
    own = s[np.arange(len(labels)), labels][:, None]
    cls = np.arange(s.shape[1])[None, :]
    above = np.sum((s > own) | ((s == own) & (cls < labels[:, None])), axis=1)
    top5 = float(np.mean(above < 5))
    sil = {"audio": float(silhouette_score(audio, labels, metric="cosine")),
           "audio_backbone": float(silhouette_score(ab, labels, metric="cosine"))}
    present = np.unique(labels)
    means = np.vstack([audio[labels == c].mean(0) for c in present])
    bmeans = np.vstack([ab[labels == c].mean(0) for c in present])
    topo = {"audio_backbone_vs_audio": topology(bmeans, means)["s"],
            "text_backbone_vs_text": topology(tb[present], text[present])["s"],
            "audio_vs_text": topology(means, text[present])["s"]}
    print(json.dumps({"top1": top1, "top5": top5, "silhouette": sil, "topology": topo}))


if __name__ == "__main__":
    main(sys.argv[1])
