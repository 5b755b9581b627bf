#!/usr/bin/python3
"""Writes the fixtures of the reviewer's audit (issue 13): a small bundle with folds and its reference values.

Run from the repository root with Debian's Python (numpy 1.24, scipy 1.10, scikit-learn 1.2):
    /usr/bin/python3 tools/make_audit_fixtures.py
Output: tests/fixtures/audit/folds/ (a bundle with folds.npy) and tests/fixtures/audit/expected.json.
References, each independent of ClapAudit's code:
  probe.knn       sklearn LeaveOneOut + KNeighborsClassifier(n_neighbors=5, algorithm="brute", metric=...)
  probe.linear    sklearn StandardScaler fitted per training fold + LogisticRegression(C=1, max_iter=1000) (lbfgs,
                  multinomial), folds from folds.npy (PredefinedSplit), accuracy pooled over the held-out predictions
  per_class       sklearn silhouette_samples averaged per class; zero-shot predictions by numpy argmax of cosines
  alignment       linear CKA in numpy (Kornblith et al. 2019, centred columns); mutual kNN (k=10) in numpy
  spearman        scipy.stats.spearmanr; p_permutation: exact over all n! pairings by itertools (n <= 8)
"""
import itertools
import json
import math
import os
import shutil

import numpy as np
from scipy.stats import pearsonr, spearmanr
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import silhouette_samples
from sklearn.model_selection import LeaveOneOut, PredefinedSplit
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

OUT = os.path.join("tests", "fixtures", "audit")
rng = np.random.default_rng(20261203)
CLASSES = ["dog", "rooster", "rain", "sea waves", "crackling fire", "crying baby"]
C, PER_CLASS, D, D_A, D_T = len(CLASSES), 25, 8, 12, 10


def bundle():
    """Overlapping class clouds (so that probes and zero-shot make mistakes) with five folds per class."""
    centres = rng.standard_normal((C, D)) * 1.2
    labels = np.repeat(np.arange(C), PER_CLASS)
    audio = centres[labels] + rng.standard_normal((len(labels), D))
    mix = rng.standard_normal((D, D_A))
    audio_backbone = np.tanh(audio @ mix) + 0.6 * rng.standard_normal((len(labels), D_A))
    text = centres + 0.5 * rng.standard_normal((C, D))
    text_backbone = np.tanh(text @ rng.standard_normal((D, D_T))) + 0.3 * rng.standard_normal((C, D_T))
    folds = np.tile(np.arange(1, 6), len(labels) // 5)
    perm = rng.permutation(len(labels))  # rows in a shuffled order: folds and classes interleave
    return (audio[perm].astype(np.float32), audio_backbone[perm].astype(np.float32), text.astype(np.float32),
            text_backbone.astype(np.float32), labels[perm].astype(np.int64), folds[perm].astype(np.int64))


def knn_loo(x, y, metric, k):
    hits = 0
    for train, test in LeaveOneOut().split(x):
        clf = KNeighborsClassifier(n_neighbors=k, algorithm="brute", metric=metric).fit(x[train], y[train])
        hits += int(clf.predict(x[test])[0] == y[test][0])
    return hits / len(y)


def linear_probe(x, y, folds):
    predictions = np.empty_like(y)
    per_fold = {}
    for train, test in PredefinedSplit(folds).split(x):
        scaler = StandardScaler().fit(x[train])
        clf = LogisticRegression(C=1.0, max_iter=1000).fit(scaler.transform(x[train]), y[train])
        predictions[test] = clf.predict(scaler.transform(x[test]))
        per_fold[int(folds[test][0])] = float(np.mean(predictions[test] == y[test]))
    return float(np.mean(predictions == y)), per_fold


def cosine_distances(x):
    u = x / np.linalg.norm(x, axis=1, keepdims=True)
    return np.clip(1.0 - u @ u.T, 0.0, 2.0)


def linear_cka(x, y):
    x = x - x.mean(axis=0)
    y = y - y.mean(axis=0)
    return float(np.linalg.norm(y.T @ x) ** 2 / (np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y)))


def mutual_knn(x, y, k, metric):
    def neighbours(z):
        d = cosine_distances(z) if metric == "cosine" else np.sqrt(((z[:, None] - z[None]) ** 2).sum(-1))
        np.fill_diagonal(d, np.inf)
        return [set(np.argsort(d[i], kind="stable")[:k]) for i in range(len(z))]
    nx, ny = neighbours(x), neighbours(y)
    return float(np.mean([len(a & b) / k for a, b in zip(nx, ny)]))


def exact_permutation_p(x, y):
    r0 = abs(pearsonr(x, y)[0])
    count = total = 0
    for perm in itertools.permutations(range(len(y))):
        r = abs(pearsonr(x, np.asarray(y)[list(perm)])[0])
        count += r >= r0 - 1e-12
        total += 1
    return count / total


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    d = os.path.join(OUT, "folds")
    os.makedirs(d)
    audio, audio_backbone, text, text_backbone, labels, folds = bundle()
    for name, arr in [("audio", audio), ("audio_backbone", audio_backbone), ("text", text), ("text_backbone", text_backbone),
                      ("labels", labels), ("folds", folds)]:
        np.save(os.path.join(d, f"{name}.npy"), arr)
    with open(os.path.join(d, "classes.txt"), "w") as f:
        f.write("\n".join(CLASSES) + "\n")

    a64, b64, t64, tb64 = (z.astype(np.float64) for z in (audio, audio_backbone, text, text_backbone))
    expected = {"bundle": "folds", "probe_k": 5, "knn": {}, "linear": {}, "per_class": {}, "alignment": {}}
    for metric in ["cosine", "euclidean"]:
        expected["knn"][metric] = {"audio": knn_loo(a64, labels, metric, 5), "audio_backbone": knn_loo(b64, labels, metric, 5)}
    for rep, x in [("audio", a64), ("audio_backbone", b64)]:
        top1, per_fold = linear_probe(x, labels, folds)
        expected["linear"][rep] = {"top1": top1, "per_fold": per_fold}

    # Zero-shot and per-class view (cosine).
    au = a64 / np.linalg.norm(a64, axis=1, keepdims=True)
    tu = t64 / np.linalg.norm(t64, axis=1, keepdims=True)
    predictions = np.argmax(au @ tu.T, axis=1)
    expected["zero_shot_top1"] = float(np.mean(predictions == labels))
    expected["per_fold_zero_shot"] = {int(f): float(np.mean(predictions[folds == f] == labels[folds == f])) for f in range(1, 6)}
    for metric in ["cosine", "euclidean"]:
        s = silhouette_samples(a64, labels, metric=metric)
        rows = []
        dt = cosine_distances(t64) if metric == "cosine" else np.sqrt(((t64[:, None] - t64[None]) ** 2).sum(-1))
        for c in range(C):
            mask = labels == c
            wrong = predictions[mask & (predictions != labels)]
            confused = None
            if len(wrong):
                counts = np.bincount(wrong, minlength=C)
                confused = int(np.argmax(counts))  # the lowest index on ties
            others = [j for j in range(C) if j != c]
            neighbour = min(others, key=lambda j: (dt[c, j], j))
            rows.append({"index": c, "n": int(mask.sum()), "top1": float(np.mean(predictions[mask] == c)),
                         "silhouette_audio": float(s[mask].mean()), "confused_with": confused, "text_neighbour": neighbour})
        expected["per_class"][metric] = rows
    means = np.stack([a64[labels == c].mean(axis=0) for c in range(C)])
    expected["alignment"]["cka"] = {"audio_backbone_vs_audio": linear_cka(b64, a64), "text_backbone_vs_text": linear_cka(tb64, t64),
                                    "audio_vs_text": linear_cka(means, t64)}
    expected["alignment"]["mutual_knn"] = {m: mutual_knn(b64, a64, 10, m) for m in ["cosine", "euclidean"]}

    # Correlations across six "setups": values with a tie, for spearman's average ranks.
    x = [0.31, 0.12, 0.45, 0.12, 0.28, 0.52]
    y = [0.61, 0.20, 0.70, 0.35, 0.33, 0.83]
    rho_s, _ = spearmanr(x, y)
    expected["correlation"] = {"x": x, "y": y, "pearson": float(pearsonr(x, y)[0]), "spearman": float(rho_s),
                               "p_permutation": exact_permutation_p(x, y)}
    x8 = [0.1, 0.4, 0.35, 0.8, 0.5, 0.2, 0.9, 0.65]
    y8 = [0.3, 0.2, 0.5, 0.7, 0.4, 0.1, 0.6, 0.8]
    expected["correlation8"] = {"x": x8, "y": y8, "spearman": float(spearmanr(x8, y8)[0]), "p_permutation": exact_permutation_p(x8, y8)}

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write("Written by tools/make_audit_fixtures.py (numpy 1.24, scipy 1.10, scikit-learn 1.2); do not edit by hand.\n")


if __name__ == "__main__":
    main()
