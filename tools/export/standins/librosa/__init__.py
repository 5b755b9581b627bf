"""Stand-in for `librosa.load(path, sr=...)` as laion_clap 1.1.6 calls it (hook.py:139): mono float32
at `sr`. Read with soundfile, channels averaged (librosa's mono=True), resampled with SciPy's
resample_poly (librosa's default is soxr; the exporter test needs only a deterministic resampler).
"""
from math import gcd

import numpy as np
import soundfile
from scipy.signal import resample_poly


def load(path, sr=22050):
    y, rate = soundfile.read(path, dtype="float32", always_2d=True)
    y = y.mean(axis=1)
    if sr is not None and rate != sr:
        g = gcd(int(rate), int(sr))
        y = resample_poly(y, sr // g, rate // g).astype(np.float32)
        rate = sr
    return y, rate
