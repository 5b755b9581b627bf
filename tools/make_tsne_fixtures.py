#!/usr/bin/python3
"""Writes tests/fixtures/tsne/: small clustered data sets, scikit-learn's own TSNE maps of them and
their trustworthiness / KL, plus a fixed (high, low) pair with sklearn.manifold.trustworthiness values.

Run with Debian's Python (scikit-learn 1.2.1): /usr/bin/python3 tools/make_tsne_fixtures.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn.manifold import TSNE, trustworthiness

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "tsne")


def gaussian_blobs(rng, n, d, classes, spread, scale_jitter):
    """Class centres on a sphere of radius 1, each point centre + spread * noise, rows scaled by a random
    factor (so cosine and Euclidean neighbourhoods differ), plus a shared low-rank drift for structure."""
    centres = rng.standard_normal((classes, d))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    labels = np.arange(n) % classes
    rng.shuffle(labels)
    drift = rng.standard_normal((3, d)) * 0.3
    x = centres[labels] + spread * rng.standard_normal((n, d)) / np.sqrt(d) * 2.0
    x += rng.standard_normal((n, 3)) @ drift
    x *= np.exp(scale_jitter * rng.standard_normal((n, 1)))
    return x.astype(np.float64), labels.astype(np.int64)


DATASETS = [
    # name, n, d, classes, spread, scale jitter, metric, method
    ("blobs300_euclidean", 300, 20, 6, 0.6, 0.0, "euclidean", "barnes_hut"),
    ("blobs450_euclidean", 450, 32, 10, 0.7, 0.0, "euclidean", "barnes_hut"),
    ("blobs600_cosine", 600, 64, 12, 0.8, 0.5, "cosine", "barnes_hut"),
    ("blobs120_cosine_exact", 120, 16, 4, 0.7, 0.5, "cosine", "exact"),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261125)
    expected = {
        "generator": "tools/make_tsne_fixtures.py",
        "sklearn_version": sklearn.__version__,
        "settings": "TSNE(n_components=2, perplexity=30, early_exaggeration=12, learning_rate='auto', "
                    "n_iter=1000, init='pca', angle=0.5, random_state=0, metric=<metric>, method=<method>)",
        "datasets": {},
    }
    for name, n, d, classes, spread, jitter, metric, method in DATASETS:
        x, labels = gaussian_blobs(rng, n, d, classes, spread, jitter)
        tsne = TSNE(n_components=2, perplexity=30.0, early_exaggeration=12.0, learning_rate="auto",
                    n_iter=1000, init="pca", angle=0.5, random_state=0, metric=metric, method=method)
        emb = tsne.fit_transform(x).astype(np.float64)
        np.save(os.path.join(OUT, f"{name}.npy"), x)
        np.save(os.path.join(OUT, f"{name}_labels.npy"), labels)
        np.save(os.path.join(OUT, f"{name}_sklearn_map.npy"), emb)
        expected["datasets"][name] = {
            "n": n, "d": d, "classes": classes, "metric": metric, "method": method,
            "trustworthiness_5": float(trustworthiness(x, emb, n_neighbors=5, metric=metric)),
            "kl_divergence": float(tsne.kl_divergence_),
            "n_iter": int(tsne.n_iter_),
        }
        print(name, expected["datasets"][name])

    # A fixed pair for the trustworthiness formula itself: a noisy 2-D projection of 8-D data.
    high = rng.standard_normal((90, 8))
    low = high[:, :2] @ np.array([[1.0, 0.3], [-0.2, 0.9]]) + 0.4 * rng.standard_normal((90, 2))
    np.save(os.path.join(OUT, "trust_high.npy"), high)
    np.save(os.path.join(OUT, "trust_low.npy"), low)
    expected["trustworthiness_pair"] = {
        "euclidean_5": float(trustworthiness(high, low, n_neighbors=5, metric="euclidean")),
        "euclidean_12": float(trustworthiness(high, low, n_neighbors=12, metric="euclidean")),
        "cosine_5": float(trustworthiness(high, low, n_neighbors=5, metric="cosine")),
    }
    print(expected["trustworthiness_pair"])
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
