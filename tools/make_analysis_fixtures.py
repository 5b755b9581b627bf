#!/usr/bin/python3
"""Writes the embedding-audit fixtures: small bundles and their reference values.

Run from the repository root with Debian's Python (numpy, scipy, scikit-learn):
    /usr/bin/python3 tools/make_analysis_fixtures.py
Output: tests/fixtures/analysis/<bundle>/ and tests/fixtures/analysis/expected.json.
References: silhouette from sklearn.metrics.silhouette_score, topology curves from a brute-force loop
over the definition (issue 3 / paper section 3.2), Pearson from scipy.stats.pearsonr, zero-shot from numpy.
"""
import json
import math
import os
import shutil

import numpy as np
from scipy.stats import pearsonr
from sklearn.metrics import silhouette_score

OUT = os.path.join("tests", "fixtures", "analysis")
rng = np.random.default_rng(20240603)


def clustered(n_per_class, centres, spread):
    """Items around class centres; returns X, labels."""
    xs, ls = [], []
    for c, count in enumerate(n_per_class):
        if count == 0:
            continue
        xs.append(centres[c] + spread * rng.standard_normal((count, centres.shape[1])))
        ls += [c] * count
    return np.vstack(xs), np.array(ls, dtype=np.int64)


def write_bundle(name, audio, text, labels, classes, audio_backbone=None, text_backbone=None, labels_dtype=np.int64):
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    np.save(os.path.join(d, "audio.npy"), audio)
    np.save(os.path.join(d, "text.npy"), text)
    np.save(os.path.join(d, "labels.npy"), labels.astype(labels_dtype) if labels.dtype.kind in "iu" else labels)
    if audio_backbone is not None:
        np.save(os.path.join(d, "audio_backbone.npy"), audio_backbone)
    if text_backbone is not None:
        np.save(os.path.join(d, "text_backbone.npy"), text_backbone)
    with open(os.path.join(d, "classes.txt"), "w") as f:
        f.write("\n".join(classes) + "\n")
    return d


def distances(x, metric):
    if metric == "cosine":
        nx = np.linalg.norm(x, axis=1)
        return 1.0 - (x @ x.T) / np.outer(nx, nx)
    return np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(-1))


def neighbours(dist, i, k):
    """N_k(p_i): the point itself, then the nearest others by (distance, index)."""
    others = sorted((j for j in range(dist.shape[0]) if j != i), key=lambda j: (dist[i, j], j))
    return set(([i] + others)[:k])


def topology(p, q, metric, k_min=2, k_max=10):
    m = p.shape[0]
    dp, dq = distances(p, metric), distances(q, metric)
    curve = []
    for k in range(1, m):
        total = 0.0
        for i in range(m):
            total += len(neighbours(dp, i, k) & neighbours(dq, i, k)) / k
        curve.append(total / m)
    chance = [(1 + (k - 1) ** 2 / (m - 1)) / k for k in range(1, m)]
    hi = min(k_max, m - 1)
    ks = list(range(k_min, hi + 1))
    best_k = max(ks, key=lambda k: (curve[k - 1], -k))
    adj = {k: (curve[k - 1] - chance[k - 1]) / (1 - chance[k - 1]) for k in ks}
    adj_k = max(ks, key=lambda k: (adj[k], -k))
    return {"curve": curve, "chance": chance, "s": curve[best_k - 1], "k": best_k,
            "s_adjusted": adj[adj_k], "k_adjusted": adj_k, "m": m}


def zero_shot(audio, text, labels):
    a = audio / np.linalg.norm(audio, axis=1, keepdims=True)
    t = text / np.linalg.norm(text, axis=1, keepdims=True)
    s = a @ t.T
    top1 = float(np.mean(np.argmax(s, axis=1) == labels))
    hits5 = 0
    for i, l in enumerate(labels):
        above = np.sum(s[i] > s[i, l]) + np.sum((s[i] == s[i, l]) & (np.arange(s.shape[1]) < l))
        hits5 += above < 5
    return {"top1": top1, "top5": hits5 / len(labels)}


def references(audio, text, labels, audio_backbone, text_backbone):
    ref = {"zero_shot": zero_shot(audio, text, labels), "silhouette": {}, "topology": {}}
    for metric in ("cosine", "euclidean"):
        sil = {"audio": float(silhouette_score(audio, labels, metric=metric))}
        if audio_backbone is not None:
            sil["audio_backbone"] = float(silhouette_score(audio_backbone, labels, metric=metric))
        ref["silhouette"][metric] = sil
        present = sorted(set(labels.tolist()))
        means = np.vstack([audio[labels == c].mean(0) for c in present])
        topo = {"audio_vs_text": topology(means, text[present], metric)}
        if audio_backbone is not None:
            bmeans = np.vstack([audio_backbone[labels == c].mean(0) for c in present])
            topo["audio_backbone_vs_audio"] = topology(bmeans, means, metric)
        if text_backbone is not None:
            topo["text_backbone_vs_text"] = topology(text_backbone[present], text[present], metric)
        ref["topology"][metric] = topo
    return ref


expected = {"generator": "tools/make_analysis_fixtures.py", "bundles": {}, "pearson": []}
names10 = ["dog", "rooster", "rain", "sea waves", "crackling fire", "crying baby", "sneezing", "clock tick", "helicopter", "chainsaw"]

# 1. clusters: n = 300, d = 32, C = 10, every optional file present.
C, d = 10, 32
centres = rng.standard_normal((C, d)) * 2.0
audio, labels = clustered([30] * C, centres, 1.3)
mix = rng.standard_normal((d, 48))
audio_backbone = np.maximum(audio @ mix + 0.8 * rng.standard_normal((audio.shape[0], 48)), 0)
text = centres + 1.5 * rng.standard_normal((C, d))
text_backbone = text @ rng.standard_normal((d, 24)) + 0.5 * rng.standard_normal((C, 24))
write_bundle("clusters", audio, text, labels, names10, audio_backbone, text_backbone)
expected["bundles"]["clusters"] = references(audio, text, labels, audio_backbone, text_backbone)

# 2. empty_class: class 7 has no items; int32 labels; float32 embeddings; no backbones.
counts = [25] * C
counts[7] = 0
centres2 = rng.standard_normal((C, 16)) * 1.5
audio2, labels2 = clustered(counts, centres2, 1.2)
text2 = centres2 + 1.0 * rng.standard_normal((C, 16))
audio2, text2 = audio2.astype(np.float32), text2.astype(np.float32)
write_bundle("empty_class", audio2, text2, labels2, names10, labels_dtype=np.int32)
expected["bundles"]["empty_class"] = references(audio2.astype(np.float64), text2.astype(np.float64), labels2, None, None)
expected["bundles"]["empty_class"]["empty_classes"] = [names10[7]]

# 3. singletons: 12 classes, two of them with a single item.
C3 = 12
centres3 = rng.standard_normal((C3, 8)) * 2.0
audio3, labels3 = clustered([6] * 10 + [1, 1], centres3, 1.0)
text3 = centres3 + 1.0 * rng.standard_normal((C3, 8))
ab3 = audio3 @ rng.standard_normal((8, 12))
names12 = [f"class {i}" for i in range(C3)]
write_bundle("singletons", audio3, text3, labels3, names12, audio_backbone=ab3)
expected["bundles"]["singletons"] = references(audio3, text3, labels3, ab3, None)

# Correlations over the three bundles as `analyze` computes them (cosine, default k range).
top1 = [expected["bundles"][b]["zero_shot"]["top1"] for b in ("clusters", "empty_class", "singletons")]
sil = [expected["bundles"][b]["silhouette"]["cosine"]["audio"] for b in ("clusters", "empty_class", "singletons")]
topo = [expected["bundles"][b]["topology"]["cosine"]["audio_vs_text"]["s"] for b in ("clusters", "empty_class", "singletons")]
r1 = pearsonr(top1, sil)
expected["cli_correlations"] = {"top1_vs_silhouette_audio": {"rho": float(r1[0]), "p": float(r1[1]), "n": 3}}
if all(t > 0 for t in top1) and len(set(topo)) > 1:
    r2 = pearsonr(np.log(top1), topo)
    expected["cli_correlations"]["log_top1_vs_topology_audio_vs_text"] = {"rho": float(r2[0]), "p": float(r2[1]), "n": 3}

# Bad inputs, each small: n = 20, d = 4, C = 3.
def small():
    a = rng.standard_normal((20, 4))
    t = rng.standard_normal((3, 4))
    l = np.arange(20, dtype=np.int64) % 3
    return a, t, l

names3 = ["cat", "cow", "frog"]
a, t, l = small(); a[17, 2] = np.nan
write_bundle("bad_nan", a, t, l, names3)
a, t, l = small(); t[1, 0] = np.inf
write_bundle("bad_inf_text", a, t, l, names3)
a, t, l = small(); l[5] = 3
write_bundle("bad_label_range", a, t, l, names3)
a, t, l = small()
write_bundle("bad_length", a, t, l[:19], names3)
a, t, l = small()
write_bundle("bad_dim", a, rng.standard_normal((3, 5)), l, names3)
a, t, l = small()
dd = write_bundle("bad_truncated", a, t, l, names3)
with open(os.path.join(dd, "audio.npy"), "rb") as f:
    raw = f.read()
with open(os.path.join(dd, "audio.npy"), "wb") as f:
    f.write(raw[:-40])
a, t, l = small()
write_bundle("bad_label_dtype", a, t, l.astype(np.float64), names3)
a, t, l = small()
write_bundle("bad_shape", a.reshape(-1), t, l, names3)
a, t, l = small()
dd = write_bundle("bad_missing_audio", a, t, l, names3)
os.remove(os.path.join(dd, "audio.npy"))
a, t, l = small()
write_bundle("bad_text_rows", a, t[:2], l, names3)

# Pearson cases: the paper's Tables 1-3 (six setups), and edge cases.
top1_paper = [0.73, 0.61, 0.31, 0.48, 0.40, 0.14]
sil_ea_paper = [0.34, 0.20, 0.08, 0.14, 0.15, -0.05]
sil_xa_paper = [0.35, 0.20, 0.11, 0.27, 0.16, 0.01]
topo_paper = [0.46, 0.47, 0.44, 0.50, 0.45, 0.38]
cases = [
    ("paper top1 vs silhouette E_a", top1_paper, sil_ea_paper),
    ("paper top1 vs silhouette x_a", top1_paper, sil_xa_paper),
    ("paper log top1 vs topology E_a-E_t", list(np.log(top1_paper)), topo_paper),
    ("n=3", [1.0, 2.0, 4.0], [0.3, 0.1, 0.7]),
    ("n=3 negative", [0.2, 0.5, 0.9], [3.0, 2.5, 0.1]),
    ("perfect", [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0]),
    ("anti perfect", [1.0, 2.0, 3.0, 4.0, 5.0], [5.0, 4.0, 3.0, 2.0, 1.0]),
    ("strong n=40", list(rng.standard_normal(40)), None),
    ("weak n=25", list(rng.standard_normal(25)), list(rng.standard_normal(25))),
]
for name, x, y in cases:
    if y is None:
        y = list(np.array(x) * 0.9 + 0.1 * rng.standard_normal(len(x)))
    r, p = pearsonr(x, y)
    expected["pearson"].append({"name": name, "x": [float(v) for v in x], "y": [float(v) for v in y],
                                "rho": float(r), "p": float(p)})

with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
print("wrote", OUT)
