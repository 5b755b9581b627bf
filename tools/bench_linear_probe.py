#!/usr/bin/python3
"""The scikit-learn half of tools/bench_linear_probe.sh: the linear probe as issue 13 defines it, timed in process.

    tools/openblas_env.sh /usr/bin/python3 tools/bench_linear_probe.py BUNDLE [REPEATS=3]

For audio.npy and audio_backbone.npy: per fold of folds.npy (PredefinedSplit), StandardScaler fitted on the training
part, LogisticRegression(C=1, max_iter=1000) (lbfgs, multinomial), accuracy pooled over the held-out predictions.
One line per run: seconds and top-1 of each representation.
"""
import os
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import PredefinedSplit
from sklearn.preprocessing import StandardScaler


def probe(x, y, folds):
    predictions = np.empty_like(y)
    for train, test in PredefinedSplit(folds).split(x):
        scaler = StandardScaler().fit(x[train])
        clf = LogisticRegression(C=1.0, max_iter=1000).fit(scaler.transform(x[train]), y[train])
        predictions[test] = clf.predict(scaler.transform(x[test]))
    return float(np.mean(predictions == y))


def main():
    bundle = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    y = np.load(os.path.join(bundle, "labels.npy"))
    folds = np.load(os.path.join(bundle, "folds.npy"))
    reps = {name: np.load(os.path.join(bundle, name + ".npy")) for name in ("audio", "audio_backbone")}
    warnings.simplefilter("ignore", ConvergenceWarning)  # counted like ours: max_iter is the same
    for r in range(repeats):
        parts = []
        for name, x in reps.items():
            start = time.perf_counter()
            top1 = probe(x, y, folds)
            parts.append("%s_s=%.2f %s_top1=%.4f" % (name, time.perf_counter() - start, name, top1))
        print("sklearn run=%d %s" % (r + 1, " ".join(parts)), flush=True)


if __name__ == "__main__":
    main()
