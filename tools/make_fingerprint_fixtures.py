#!/usr/bin/python3
"""Writes tests/fixtures/fingerprint/: reference dB spectrograms and landmark peaks for LandmarkFingerprinter.

Run from the repository root with the system Python (numpy 1.24, scipy 1.10):
    /usr/bin/python3 tools/make_fingerprint_fixtures.py

For each case, NAME.in.npy is a float32 signal at 11025 Hz (the fingerprint rate), NAME.db.npy the float64
(frames, 257) dB magnitude of its STFT (periodic Hann 512, hop 256, no padding or centring; numpy's rfft in
float64; 20 log10(max(|X| / (512/4), 1e-12)), i.e. relative to a full-scale sine), and NAME.peaks.npy the int32
peaks packed as frame << 8 | bin, found with scipy.ndimage on that spectrogram by FingerprintOptions' defaults:
a peak is the maximum of its 7-frame x 17-bin neighbourhood (clipped at the edges), is not below -90 dB, stands
at least 6 dB above the neighbourhood's mean (clipped window), lies in bins 1..255, and is among the frame's 5
loudest such peaks. The C# test compares its own float32 spectrogram to NAME.db.npy and its peaks (computed from
NAME.db.npy, so that float32 rounding cannot move a peak) to NAME.peaks.npy exactly.
"""
import os

import numpy as np
from scipy.ndimage import maximum_filter, uniform_filter
from scipy.signal import get_window

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "fingerprint")
SR, N, HOP = 11025, 512, 256
RT, RF, PROMINENCE, FLOOR, PER_FRAME = 3, 8, 6.0, -90.0, 5


def spectrogram_db(x):
    frames = 0 if len(x) < N else 1 + (len(x) - N) // HOP
    window = get_window("hann", N)  # periodic
    framed = np.stack([x[t * HOP:t * HOP + N].astype(np.float64) * window for t in range(frames)])
    magnitude = np.abs(np.fft.rfft(framed, axis=1))
    return 20 * np.log10(np.maximum(magnitude / (N / 4), 1e-12))


def peaks(db):
    frames, bins = db.shape
    size = (2 * RT + 1, 2 * RF + 1)
    local_max = maximum_filter(db, size=size, mode="nearest")
    area = np.prod(size)
    # The mean over the window clipped to the spectrogram: window sums over in-bounds counts.
    sums = uniform_filter(db, size=size, mode="constant", cval=0.0) * area
    counts = uniform_filter(np.ones_like(db), size=size, mode="constant", cval=0.0) * area
    mean = sums / np.round(counts)
    out = []
    last_bin = min(bins - 2, 255)
    for t in range(frames):
        cands = [(db[t, f], f) for f in range(1, last_bin + 1)
                 if db[t, f] >= FLOOR and db[t, f] >= local_max[t, f] and db[t, f] - mean[t, f] >= PROMINENCE]
        if len(cands) > PER_FRAME:
            cands = sorted(cands, key=lambda c: -c[0])[:PER_FRAME]
        out.extend(t << 8 | f for _, f in sorted(cands, key=lambda c: c[1]))
    return np.array(out, dtype=np.int32)


def tones(seed, seconds):
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    t = np.arange(n) / SR
    x = 0.01 * rng.standard_normal(n)
    for _ in range(12):
        start, length = rng.uniform(0, seconds - 0.3), rng.uniform(0.1, 0.3)
        f0, gain = rng.uniform(200, 3000), rng.uniform(0.05, 0.3)
        env = np.clip((t - start) / 0.01, 0, 1) * np.clip((start + length - t) / 0.05, 0, 1)
        for h in range(1, 4):
            x += gain / h * env * np.sin(2 * np.pi * f0 * h * t)
    return x.astype(np.float32)


def main():
    os.makedirs(ROOT, exist_ok=True)
    cases = {
        "tones": tones(1, 3.0),
        # Digital silence then a tone: the -90 dB floor and the 1e-12 magnitude floor.
        "silence_then_tone": np.concatenate([np.zeros(4000, np.float32),
                                             (0.5 * np.sin(2 * np.pi * 1000 * np.arange(8000) / SR)).astype(np.float32)]),
    }
    for name, x in cases.items():
        db = spectrogram_db(x)
        np.save(os.path.join(ROOT, f"{name}.in.npy"), x)
        np.save(os.path.join(ROOT, f"{name}.db.npy"), db)
        np.save(os.path.join(ROOT, f"{name}.peaks.npy"), peaks(db))
        print(name, x.shape, db.shape, len(peaks(db)), "peaks")


if __name__ == "__main__":
    main()
