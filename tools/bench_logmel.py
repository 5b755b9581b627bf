#!/usr/bin/python3
"""The PyTorch half of tools/bench_logmel.sh: writes the clips, then times the reference log-mel
(torch.stft, periodic Hann 1024, hop 320, centre/reflect, |X|^2, Slaney mel 64 bins 50-14000 Hz,
10*log10(max(x, 1e-10))) on CLIPS five-second 44.1 kHz clips in batches.

  /usr/bin/python3 tools/bench_logmel.py write INPUT.npy DISTINCT
  /usr/bin/python3 tools/bench_logmel.py time INPUT.npy CLIPS BATCH THREADS REPEATS
"""
import sys
import time

import numpy as np
import torch
import torchaudio

SR, WIN, HOP, MELS, FMIN, FMAX = 44100, 1024, 320, 64, 50.0, 14000.0

if sys.argv[1] == "write":
    rng = np.random.default_rng(1)
    n = int(sys.argv[3])
    x = (0.1 * rng.standard_normal((n, SR * 5))).astype(np.float32)
    np.save(sys.argv[2], x)
    sys.exit(0)

path, clips, batch, threads, repeats = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
torch.set_num_threads(threads)
allx = torch.from_numpy(np.load(path))
distinct = allx.shape[0]
melw = torchaudio.functional.melscale_fbanks(WIN // 2 + 1, FMIN, FMAX, MELS, SR, norm="slaney", mel_scale="slaney")
window = torch.hann_window(WIN, periodic=True)


def logmel(x):
    spec = torch.stft(x, WIN, HOP, WIN, window, center=True, pad_mode="reflect", normalized=False,
                      onesided=True, return_complex=True)
    power = spec.real ** 2 + spec.imag ** 2
    mel = torch.matmul(power.transpose(1, 2), melw)
    return (10.0 * torch.log10(torch.clamp(mel, min=1e-10)))[:, None]


def run(count):
    s = 0.0
    for done in range(0, count, batch):
        start = done % distinct
        y = logmel(allx[start:start + min(batch, distinct - start)])
        s += float(y[0, 0, 0, 0])
    return s


with torch.no_grad():
    run(batch)  # warm-up: one batch
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        checksum = run(clips)
        best = min(best, time.perf_counter() - t)
print(f"python_seconds {best:.4f} checksum {checksum:.6g} torch {torch.__version__}")
