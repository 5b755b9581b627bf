#!/usr/bin/python3
"""t-SNE of 2000 x 1024 clustered points (cosine), .NET (ClapAudit.Analysis.Tsne) vs scikit-learn 1.2 TSNE,
in the same run: wall time of the fit alone and trustworthiness (5 neighbours, cosine) of both maps.
Usage: /usr/bin/python3 tools/bench_tsne.py [--n 2000] [--d 1024] [--classes 50] [--method auto|barnes_hut|fft]
(see tools/bench_tsne.sh)
"""
import argparse
import os
import re
import subprocess
import tempfile
import time

import numpy as np
from sklearn.manifold import TSNE, trustworthiness

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--d", type=int, default=1024)
    ap.add_argument("--classes", type=int, default=50)
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--skip-sklearn", action="store_true")
    ap.add_argument("--method", default="auto", help=".NET gradient: auto, exact, barnes_hut or fft (scikit-learn: Barnes-Hut)")
    ap.add_argument("--noise", type=float, default=2.5, help="item noise per dimension (class centres have unit variance)")
    args = ap.parse_args()

    # Clustered synthetic embeddings, as a CLAP audio bundle: class directions plus item noise, float32.
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((args.classes, args.d))
    labels = np.arange(args.n) % args.classes
    x = (centres[labels] + args.noise * rng.standard_normal((args.n, args.d))).astype(np.float32)

    with tempfile.TemporaryDirectory() as tmp:
        data, out = os.path.join(tmp, "x.npy"), os.path.join(tmp, "map.npy")
        np.save(data, x)
        dll = os.path.join(ROOT, "benchmarks", "ClapAudit.Benchmarks", "bin", "Release", "net10.0",
                           "ClapAudit.Benchmarks.dll")
        run = subprocess.run(["dotnet", dll, "tsne", data, out, "cosine", args.method], check=True,
                             capture_output=True, text=True, env=dict(os.environ, CLAPAUDIT_TSNE_PHASES="1"))
        line = run.stdout
        print(run.stderr.strip())
        net_seconds = float(re.search(r"seconds=([0-9.]+)", line).group(1))
        net_cpu = float(re.search(r"cpu=([0-9.]+)", line).group(1))
        net_kl = float(re.search(r"kl=([0-9.]+)", line).group(1))
        net_map = np.load(out)

    if args.skip_sklearn:
        print(f"t-SNE {args.n} x {args.d}: .NET {net_seconds:.2f} s wall, {net_cpu:.2f} s CPU, KL {net_kl:.4f}, "
              f"trustworthiness {trustworthiness(x, net_map, n_neighbors=5, metric='cosine'):.4f}")
        return
    t0, c0 = time.perf_counter(), time.process_time()
    tsne = TSNE(n_components=2, perplexity=30.0, learning_rate="auto", init="pca", n_iter=1000,
                metric="cosine", random_state=0, n_jobs=args.n_jobs)
    sk_map = tsne.fit_transform(x)
    sk_seconds, sk_cpu = time.perf_counter() - t0, time.process_time() - c0

    net_t = trustworthiness(x, net_map, n_neighbors=5, metric="cosine")
    sk_t = trustworthiness(x, sk_map, n_neighbors=5, metric="cosine")
    print(f"t-SNE {args.n} x {args.d}, {args.classes} classes, cosine, 1000 iterations, .NET method {args.method}")
    print(f"  .NET    : {net_seconds:8.2f} s wall {net_cpu:8.2f} s CPU  trustworthiness {net_t:.4f}  KL {net_kl:.4f}")
    print(f"  sklearn : {sk_seconds:8.2f} s wall {sk_cpu:8.2f} s CPU  trustworthiness {sk_t:.4f}  KL {tsne.kl_divergence_:.4f}"
          f"  (n_jobs={args.n_jobs})")
    print(f"  speed-up (sklearn / .NET): wall {sk_seconds / net_seconds:.2f}x, CPU {sk_cpu / net_cpu:.2f}x;"
          f"  trustworthiness difference (.NET - sklearn): {net_t - sk_t:+.4f}")


if __name__ == "__main__":
    main()
