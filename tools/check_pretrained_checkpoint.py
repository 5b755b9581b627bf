#!/usr/bin/python3
"""Checks that PyTorch reads a checkpoint written by `clapaudit pretrain` as a PANNs Cnn14 checkpoint.

torch.load's the file, then checks that ckpt['model'] holds exactly the keys of
../shared/reference/cnn14-keys.tsv (passed with --keys) with the shapes and dtypes implied by the
configured options (read from the file's 'clapaudit' JSON entry: base width, mel bins, window, class
count), that 'iteration' is an int, and that the STFT kernels equal torchlibrosa's DFT kernels
(periodic Hann) computed here with numpy. Loads the weights into a PANNs-style Cnn14 built here
(strict load_state_dict), runs one forward pass, and writes what torch saw as JSON (--out).

Usage: /usr/bin/python3 tools/check_pretrained_checkpoint.py FILE.pth --keys cnn14-keys.tsv [--out FILE.json]
"""
import argparse
import json
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def expected_shapes(keys, widths, mels, window, classes):
    bins = window // 2 + 1
    c = [1] + widths
    out = {}
    for k in keys:
        parts = k.split(".")
        if k.startswith("spectrogram_extractor"):
            out[k] = [bins, 1, window]
        elif k == "logmel_extractor.melW":
            out[k] = [bins, mels]
        elif k.startswith("bn0."):
            out[k] = [] if parts[-1] == "num_batches_tracked" else [mels]
        elif k.startswith("conv_block"):
            b = int(parts[0][len("conv_block"):])
            if parts[1] == "conv1":
                out[k] = [c[b], c[b - 1], 3, 3]
            elif parts[1] == "conv2":
                out[k] = [c[b], c[b], 3, 3]
            else:
                out[k] = [] if parts[-1] == "num_batches_tracked" else [c[b]]
        elif k == "fc1.weight":
            out[k] = [widths[5], widths[5]]
        elif k == "fc1.bias":
            out[k] = [widths[5]]
        elif k == "fc_audioset.weight":
            out[k] = [classes, widths[5]]
        elif k == "fc_audioset.bias":
            out[k] = [classes]
        else:
            raise ValueError("unknown key " + k)
    return out


def stft_kernels(n):
    bins = n // 2 + 1
    t = np.arange(n)
    w = 0.5 - 0.5 * np.cos(2 * np.pi * t / n)  # periodic Hann (librosa fftbins=True)
    k = np.arange(bins)[:, None]
    a = 2 * np.pi * ((t[None, :] * k) % n) / n
    return (np.cos(a) * w)[:, None, :], (-np.sin(a) * w)[:, None, :]


class Block(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, 1, 1, bias=False)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.bn2 = nn.BatchNorm2d(cout)

    def forward(self, x, pool):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        return F.avg_pool2d(x, pool)


class Cnn14Body(nn.Module):
    """PANNs Cnn14 from bn0 on (models.py), with the front-end buffers as plain buffers so the keys match."""

    def __init__(self, widths, mels, window, classes):
        super().__init__()
        bins = window // 2 + 1
        self.spectrogram_extractor = nn.Module()
        self.spectrogram_extractor.stft = nn.Module()
        self.spectrogram_extractor.stft.conv_real = nn.Conv1d(1, bins, window, bias=False)
        self.spectrogram_extractor.stft.conv_imag = nn.Conv1d(1, bins, window, bias=False)
        self.logmel_extractor = nn.Module()
        self.logmel_extractor.melW = nn.Parameter(torch.zeros(bins, mels))
        self.bn0 = nn.BatchNorm2d(mels)
        c = [1] + widths
        for i in range(1, 7):
            setattr(self, f"conv_block{i}", Block(c[i - 1], c[i]))
        self.fc1 = nn.Linear(widths[5], widths[5])
        self.fc_audioset = nn.Linear(widths[5], classes)

    def forward(self, logmel):
        x = self.bn0(logmel.transpose(1, 3)).transpose(1, 3)
        for i in range(1, 7):
            x = getattr(self, f"conv_block{i}")(x, (2, 2) if i < 6 else (1, 1))
        x = x.mean(3)
        x = x.max(2)[0] + x.mean(2)
        return torch.sigmoid(self.fc_audioset(F.relu(self.fc1(x))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    ap.add_argument("--keys", required=True)
    ap.add_argument("--out")
    args = ap.parse_args()
    problems = []
    ckpt = torch.load(args.path, map_location="cpu")
    sd = ckpt["model"]
    meta = json.loads(ckpt["clapaudit"])
    pre, recipe = meta["preprocessing"], meta["recipe"]
    widths = [recipe["base_width"] << i for i in range(6)]
    mels, window, classes = pre["mel_bins"], pre["window_size"], len(meta["classes"])
    keys, dtypes = [], {}
    with open(args.keys) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            k, _, dt = line.rstrip("\n").split("\t")
            keys.append(k)
            dtypes[k] = dt
    exp = expected_shapes(keys, widths, mels, window, classes)
    if set(sd.keys()) != set(keys):
        problems.append(f"missing {sorted(set(keys) - set(sd.keys()))}, unexpected {sorted(set(sd.keys()) - set(keys))}")
    for k in keys:
        if k not in sd:
            continue
        if list(sd[k].shape) != exp[k]:
            problems.append(f"{k}: shape {list(sd[k].shape)}, expected {exp[k]}")
        if str(sd[k].dtype).replace("torch.", "") != dtypes[k]:
            problems.append(f"{k}: dtype {sd[k].dtype}, expected {dtypes[k]}")
    if not isinstance(ckpt["iteration"], int):
        problems.append(f"iteration is {type(ckpt['iteration'])}")
    re, im = stft_kernels(window)
    d_re = float(np.abs(sd["spectrogram_extractor.stft.conv_real.weight"].numpy() - re).max())
    d_im = float(np.abs(sd["spectrogram_extractor.stft.conv_imag.weight"].numpy() - im).max())
    if max(d_re, d_im) > 1e-5:
        problems.append(f"STFT kernels differ from torchlibrosa's by {max(d_re, d_im)}")
    model = Cnn14Body(widths, mels, window, classes)
    model.load_state_dict(sd, strict=True)
    model.eval()
    with torch.no_grad():
        y = model(torch.randn(2, 1, 64, mels))
    if not torch.isfinite(y).all():
        problems.append("non-finite forward output")
    result = {
        "tool": "tools/check_pretrained_checkpoint.py",
        "torch": torch.__version__,
        "ok": not problems,
        "problems": problems,
        "iteration": ckpt["iteration"],
        "entries": sorted(ckpt.keys()),
        "sample_rate": pre["sample_rate"],
        "stft_max_abs_diff": max(d_re, d_im),
        "shapes": {k: list(v.shape) for k, v in sd.items()},
        "dtypes": {k: str(v.dtype).replace("torch.", "") for k, v in sd.items()},
    }
    text = json.dumps(result, indent=1, sort_keys=True)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    print(json.dumps({k: result[k] for k in ("ok", "problems", "iteration", "stft_max_abs_diff", "torch")}))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
