"""The PyTorch half of tools/bench_checkpoint_load.sh: torch.load of one checkpoint (map_location='cpu').

Prints "pytorch file=F bytes=N load_s=T baseline_rss_mb=B peak_rss_mb=P peak_over_file=R" (ru_maxrss: the
whole process's high-water mark; the baseline is after `import torch`). torch 1.13's default is the full
unpickler (weights_only=False), as a user of the published files would run it.
"""
import os
import resource
import sys
import time

import torch


def rss_mb(field):
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1]) / 1024


path = sys.argv[1]
baseline = rss_mb('VmRSS')
t0 = time.perf_counter()
obj = torch.load(path, map_location='cpu')
dt = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
size = os.path.getsize(path)
print(f'pytorch file={os.path.basename(path)} bytes={size} load_s={dt:.2f} baseline_rss_mb={baseline:.0f} '
      f'peak_rss_mb={peak:.0f} peak_over_file={peak * 1048576 / size:.2f}')
