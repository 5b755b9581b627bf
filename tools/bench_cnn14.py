"""The PyTorch half of tools/bench_cnn14.sh: full-size PANNs CNN14 (the reference module of
tools/make_model_fixtures.py) forward in eval mode on a (batch, 1, 690, 64) log-mel input.
Usage: /usr/bin/python3 tools/bench_cnn14.py BATCH REPEATS THREADS"""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_model_fixtures import Cnn14  # noqa: E402

batch, repeats, threads = (int(a) for a in (sys.argv[1:] + ['32', '3', '2'][len(sys.argv) - 1:]))
torch.set_num_threads(threads)
torch.manual_seed(0)
model = Cnn14(64, [64, 128, 256, 512, 1024, 2048], 527).eval()
x = torch.randn(batch, 1, 690, 64)
times = []
with torch.no_grad():
    for i in range(repeats + 1):
        t = time.perf_counter()
        y, _ = model(x)
        float(y.sum())
        if i > 0:
            times.append(time.perf_counter() - t)  # the first run is warm-up
times.sort()
print('pytorch batch=%d median_s=%.3f runs=[%s]' % (batch, times[len(times) // 2], ', '.join('%.3f' % t for t in times)))
