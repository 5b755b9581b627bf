"""The PyTorch half of tools/bench_checkpoint_load.sh: torch.load of one checkpoint (map_location='cpu'), or
safetensors.torch.load_file of a .safetensors file where that module is installed.

Prints "pytorch file=F bytes=N load_s=T baseline_rss_mb=B peak_rss_mb=P peak_over_file=R" (ru_maxrss: the
whole process's high-water mark; the baseline is after `import torch`; torch.load's tensors are resident when it
returns, while the .NET side touches every page after its read, since a memory-mapped read defers its page faults
to the first use). torch 1.13's default is the full unpickler (weights_only=False), as a user of the published files would run it.
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
load = lambda p: torch.load(p, map_location='cpu')
if path.endswith('.safetensors'):
    try:
        from safetensors.torch import load_file as load
    except ImportError:
        print(f'pytorch file={os.path.basename(path)} skipped: torch.load cannot read safetensors and the safetensors '
              'module is not installed')
        sys.exit(0)
baseline = rss_mb('VmRSS')
t0 = time.perf_counter()
obj = load(path)

dt = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
size = os.path.getsize(path)
print(f'pytorch file={os.path.basename(path)} bytes={size} load_s={dt:.2f} baseline_rss_mb={baseline:.0f} '
      f'peak_rss_mb={peak:.0f} peak_over_file={peak * 1048576 / size:.2f}')
