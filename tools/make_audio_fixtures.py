#!/usr/bin/python3
"""Writes tests/fixtures/audio/: decoder, resampler and log-mel reference files for the Audio tests.

Run with Debian's /usr/bin/python3 (numpy, scipy, soundfile/libsndfile 1.2, torch 1.13,
torchaudio 0.13) and the `flac` CLI (1.4). Every random signal is seeded, so a rerun gives the same
arrays; encoded files may differ in metadata if the encoder versions change.

  /usr/bin/python3 tools/make_audio_fixtures.py
"""
import json
import os
import subprocess
import tempfile

import numpy as np
import scipy.signal
import soundfile as sf
import torch
import torchaudio

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "audio")
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(20261125)
manifest = {"generator": "tools/make_audio_fixtures.py"}


def p(name):
    return os.path.join(OUT, name)


def test_signal(frames, channels, rate):
    """Sines + noise, a silent stretch (CONSTANT subframes) and a full-scale noise burst (VERBATIM)."""
    t = np.arange(frames) / rate
    x = np.empty((channels, frames))
    for c in range(channels):
        x[c] = 0.5 * np.sin(2 * np.pi * (220 * (c + 1)) * t) + 0.05 * rng.standard_normal(frames)
    q = frames // 8
    x[:, q:2 * q] = 0.0
    x[:, 3 * q:3 * q + q // 2] = rng.uniform(-1, 1, (channels, q // 2))
    if channels >= 2:
        x[1, 5 * q:6 * q] = x[0, 5 * q:6 * q]  # identical channels: side = 0
    return np.clip(x, -1, 1)


def to_int(x, bits):
    full = 2 ** (bits - 1)
    return np.clip(np.round(x * full), -full, full - 1).astype(np.int64)


# ---------------------------------------------------------------- WAV (libsndfile writes, reads)
wav = {}
frames, rate = 800, 8000
x = test_signal(frames, 2, rate)
for name, fmt, subtype in [
        ("wav_u8.wav", "WAV", "PCM_U8"), ("wav_s16.wav", "WAV", "PCM_16"), ("wav_s24.wav", "WAV", "PCM_24"),
        ("wav_s32.wav", "WAV", "PCM_32"), ("wav_f32.wav", "WAV", "FLOAT"), ("wav_f64.wav", "WAV", "DOUBLE"),
        ("wavex_s24.wav", "WAVEX", "PCM_24"), ("wavex_f32.wav", "WAVEX", "FLOAT"), ("wavex_s16_mono.wav", "WAVEX", "PCM_16")]:
    data = x[:1] if "mono" in name else x
    sf.write(p(name), data.T, rate, format=fmt, subtype=subtype)
    back, r = sf.read(p(name), dtype="float64", always_2d=True)
    np.save(p(name + ".npy"), back.T.astype(np.float32))  # planar (channels, frames), as soundfile decodes it
    wav[name] = {"subtype": subtype, "format": fmt, "rate": r, "channels": back.shape[1], "frames": back.shape[0]}
manifest["wav"] = wav

# ---------------------------------------------------------------- FLAC (libsndfile and the flac CLI)
flac = {}
for name, subtype, ch, rate, frames in [
        ("flac_sf_s16_stereo.flac", "PCM_16", 2, 16000, 6000),
        ("flac_sf_s24_mono.flac", "PCM_24", 1, 22050, 5000),
        ("flac_sf_s8_3ch.flac", "PCM_S8", 3, 8000, 3000)]:
    bits = {"PCM_16": 16, "PCM_24": 24, "PCM_S8": 8}[subtype]
    ints = to_int(test_signal(frames, ch, rate), bits)
    sf.write(p(name), (ints.T / 2.0 ** (bits - 1)), rate, format="FLAC", subtype=subtype)
    back, _ = sf.read(p(name), dtype="int32", always_2d=True)
    assert np.array_equal(back.T.astype(np.int64) >> (32 - bits), ints), name
    np.save(p(name + ".npy"), ints.astype(np.int32))
    flac[name] = {"bits": bits, "channels": ch, "rate": rate, "frames": frames, "writer": "libsndfile"}

with tempfile.TemporaryDirectory() as tmp:
    for name, bits, ch, rate, frames, args, wasted in [
            ("flac_cli_s16_stereo_b1152.flac", 16, 2, 44100, 7000, ["-8", "-b", "1152"], 0),
            ("flac_cli_s24_stereo_b4096_lax.flac", 24, 2, 48000, 9000, ["-8", "-b", "4096", "--lax", "-l", "32", "-e"], 0),
            ("flac_cli_s32_mono.flac", 32, 1, 16000, 5000, ["-5"], 0),
            ("flac_cli_s8_stereo_b192.flac", 8, 2, 8000, 2000, ["-5", "-b", "192"], 0),
            ("flac_cli_s16_6ch_fixed_b256.flac", 16, 6, 16000, 3000, ["-0", "-b", "256"], 0),
            ("flac_cli_s16_wasted.flac", 16, 2, 16000, 4000, ["-8", "-b", "1024"], 3),
            ("flac_cli_s24_mono_rice2.flac", 24, 1, 32000, 6000, ["-8", "-e", "-p", "-r", "8"], 0)]:
        ints = to_int(test_signal(frames, ch, rate), bits)
        if wasted:
            ints = (ints >> wasted) << wasted
        raw = os.path.join(tmp, "in.raw")
        nbytes = (bits + 7) // 8
        inter = ints.T.reshape(-1)
        if nbytes == 3:
            u = (inter & 0xFFFFFF).astype(np.uint32)
            b = np.stack([(u & 0xFF), (u >> 8) & 0xFF, (u >> 16) & 0xFF], axis=1).astype(np.uint8)
            b.tofile(raw)
        else:
            inter.astype({1: np.int8, 2: "<i2", 4: "<i4"}[nbytes]).tofile(raw)
        subprocess.run(["flac", "-s", "-f", "--force-raw-format", "--endian=little", "--sign=signed",
                        f"--channels={ch}", f"--bps={bits}", f"--sample-rate={rate}", *args,
                        "-o", p(name), raw], check=True)
        np.save(p(name + ".npy"), ints.astype(np.int32))
        flac[name] = {"bits": bits, "channels": ch, "rate": rate, "frames": frames, "writer": "flac " + " ".join(args)}
manifest["flac"] = flac

# ---------------------------------------------------------------- lossy: OGG Vorbis and MP3 via libsndfile
rate = 22050
x = test_signal(rate // 2, 2, rate) * 0.8
sf.write(p("ogg_stereo.ogg"), x.T, rate, format="OGG", subtype="VORBIS")
back, _ = sf.read(p("ogg_stereo.ogg"), dtype="float32", always_2d=True)
np.save(p("ogg_stereo.ogg.npy"), back.T.copy())
rate = 44100
t = np.arange(rate) / rate
x = 0.4 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 1250 * t) + 0.02 * rng.standard_normal(rate)
sf.write(p("mp3_mono.mp3"), x[:, None], rate, format="MP3", subtype="MPEG_LAYER_III")
np.save(p("mp3_mono.source.npy"), x.astype(np.float32))
back, _ = sf.read(p("mp3_mono.mp3"), dtype="float32", always_2d=True)
np.save(p("mp3_mono.mp3.npy"), back.T.copy())
manifest["lossy"] = {"ogg_stereo.ogg": "libsndfile OGG/VORBIS, 22050 Hz stereo; .npy = soundfile decode",
                     "mp3_mono.mp3": "libsndfile MP3 Layer III, 44100 Hz mono; .npy = soundfile (mpg123) decode, .source.npy = input"}

# ---------------------------------------------------------------- resampler: scipy.signal.resample_poly
res = []
for src, dst in [(16000, 44100), (22050, 44100), (32000, 44100), (48000, 44100), (44100, 16000), (44100, 32000)]:
    n = src // 10
    t = np.arange(n) / src
    sweep = np.sin(2 * np.pi * (50 * t + 0.5 * (src / 2 - 50) / t[-1] * t * t)).astype(np.float32)  # 50 Hz -> Nyquist
    noise = (0.3 * rng.standard_normal(n)).astype(np.float32)
    g = np.gcd(src, dst)
    for kind, sig in [("sweep", sweep), ("noise", noise)]:
        y = scipy.signal.resample_poly(sig.astype(np.float64), dst // g, src // g)
        stem = f"resample_{kind}_{src}_{dst}"
        np.save(p(stem + ".in.npy"), sig)
        np.save(p(stem + ".out.npy"), y)
        res.append({"stem": stem, "from": src, "to": dst})
manifest["resample"] = res


# ---------------------------------------------------------------- mel filters and log-mel (PyTorch reference)
def hz_to_mel(f):  # librosa, htk=False (Slaney)
    f = np.asarray(f, dtype=np.float64)
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-300) / min_log_hz) / logstep, mels)


def mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    f_sp = 200.0 / 3
    freqs = f_sp * m
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), freqs)


def librosa_mel(sr, n_fft, n_mels, fmin, fmax):
    """librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax) with htk=False, norm='slaney', transposed."""
    fftfreqs = np.linspace(0, sr / 2, 1 + n_fft // 2)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fftfreqs[None, :]
    w = np.zeros((n_mels, len(fftfreqs)))
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        w[i] = np.maximum(0, np.minimum(lower, upper))
    w *= (2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels]))[:, None]
    return w.T  # (n_freqs, n_mels)


configs = [
    {"name": "cfg44k", "sr": 44100, "win": 1024, "hop": 320, "mels": 64, "fmin": 50.0, "fmax": 14000.0, "seconds": 1.0},
    {"name": "cfg16k", "sr": 16000, "win": 512, "hop": 160, "mels": 32, "fmin": 50.0, "fmax": 8000.0, "seconds": 1.5},
]
torch.set_num_threads(1)
for c in configs:
    melw = librosa_mel(c["sr"], c["win"], c["mels"], c["fmin"], c["fmax"])
    ta = torchaudio.functional.melscale_fbanks(c["win"] // 2 + 1, c["fmin"], c["fmax"], c["mels"], c["sr"],
                                               norm="slaney", mel_scale="slaney").double().numpy()
    c["torchaudio_vs_librosa_maxabs"] = float(np.abs(ta - melw).max())
    assert c["torchaudio_vs_librosa_maxabs"] < 1e-6
    np.save(p(f"mel_{c['name']}.npy"), melw)
    n = int(c["sr"] * c["seconds"])
    t = np.arange(n) / c["sr"]
    clip0 = 0.6 * np.sin(2 * np.pi * (100 * t + 0.5 * 3000 * t * t)) + 0.01 * rng.standard_normal(n)
    clip1 = 0.2 * rng.standard_normal(n) * np.exp(-2 * t) + 0.3 * np.sin(2 * np.pi * 997 * t)
    clip1[n // 3: n // 3 + c["win"] * 2] *= 1e-3  # a quiet stretch
    wave = np.stack([clip0, clip1]).astype(np.float32)
    w = torch.from_numpy(wave)
    window = torch.hann_window(c["win"], periodic=True)
    spec = torch.stft(w, n_fft=c["win"], hop_length=c["hop"], win_length=c["win"], window=window, center=True,
                      pad_mode="reflect", normalized=False, onesided=True, return_complex=True)
    power = spec.real ** 2 + spec.imag ** 2  # (B, freq, frames)
    mel = torch.matmul(power.transpose(1, 2), torch.from_numpy(melw).float())  # (B, frames, mels)
    db = 10.0 * torch.log10(torch.clamp(mel, min=1e-10)) - 10.0 * np.log10(max(1e-10, 1.0))
    out = db[:, None, :, :].numpy()
    np.save(p(f"logmel_{c['name']}.in.npy"), wave)
    np.save(p(f"logmel_{c['name']}.out.npy"), out)
    # The same math in float64 on the same (float32-valued) input: the exact values, to separate
    # float32 FFT rounding (which grows in bins far below the frame's peak) from real differences.
    w64 = w.double()
    spec64 = torch.stft(w64, n_fft=c["win"], hop_length=c["hop"], win_length=c["win"],
                        window=torch.hann_window(c["win"], periodic=True, dtype=torch.float64), center=True,
                        pad_mode="reflect", normalized=False, onesided=True, return_complex=True)
    power64 = spec64.real ** 2 + spec64.imag ** 2
    mel64 = torch.matmul(power64.transpose(1, 2), torch.from_numpy(melw))
    db64 = 10.0 * torch.log10(torch.clamp(mel64, min=1e-10))
    np.save(p(f"logmel_{c['name']}.out64.npy"), db64[:, None, :, :].numpy())
    c["float32_vs_float64_maxabs_db"] = float(np.abs(out - db64[:, None].numpy()).max())
manifest["logmel"] = configs

# torchlibrosa's STFT kernels for a small n_fft, to check FrontEndCheck's expectation of the layout.
n_fft = 64
n = np.arange(n_fft)[:, None]
k = np.arange(n_fft // 2 + 1)[None, :]
hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)  # periodic
W = np.exp(-2j * np.pi * n * k / n_fft) * hann[:, None]  # (n_fft, bins)
np.save(p("stft_kernels_64.real.npy"), W.real.T[:, None, :].astype(np.float32))  # (bins, 1, n_fft)
np.save(p("stft_kernels_64.imag.npy"), W.imag.T[:, None, :].astype(np.float32))

with open(p("manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
print("wrote", OUT)
