#!/bin/sh
# Makes tests/fixtures/pretrain/: a tiny CNN14 pre-trained by `clapaudit pretrain` (.NET) on a
# synthetic AudioSet-style folder, and what PyTorch saw in it (tools/check_pretrained_checkpoint.py).
# Usage (repo root): tools/make_pretrain_fixture.sh [cnn14-keys.tsv, default tests/fixtures/models/cnn14-keys.tsv]
set -eu
KEYS=${1:-tests/fixtures/models/cnn14-keys.tsv}
WORK=$(mktemp -d)
OUT=tests/fixtures/pretrain
mkdir -p "$OUT"
/usr/bin/python3 - "$WORK/audioset" <<'PY'
import os, sys
import numpy as np, soundfile as sf
d = sys.argv[1]
os.makedirs(os.path.join(d, "audio"))
classes = [("/m/0bt9lr", "Dog", 300), ("/m/09x0r", "Speech", 1300), ("/m/04rlf", "Music, instrumental", 2100)]
with open(os.path.join(d, "class_labels_indices.csv"), "w") as f:
    f.write("index,mid,display_name\n")
    for i, (m, n, _) in enumerate(classes):
        f.write(f'{i},{m},"{n}"\n')
rng = np.random.default_rng(0)
rows = []
for c in range(3):
    for k in range(4):
        yt = f"c{c}k{k}"
        t = np.arange(16000) / 16000
        x = 0.3 * np.sin(2 * np.pi * classes[c][2] * t + rng.uniform(0, 6.28)) + 0.005 * rng.standard_normal(16000)
        sf.write(os.path.join(d, "audio", f"Y{yt}.wav"), x.astype(np.float32), 16000, subtype="PCM_16")
        rows.append(f'{yt}, 0.000, 1.000, "{classes[c][0]}"')
with open(os.path.join(d, "balanced_train_segments.csv"), "w") as f:
    f.write("# Segments csv created Sun Mar  5 10:54:31 2017\n# num_ytids=12, num_segs=12, num_unique_labels=3, num_positive_labels=12\n")
    f.write("# YTID, start_seconds, end_seconds, positive_labels\n" + "\n".join(rows) + "\n")
PY
dotnet run --project src/ClapAudit.Cli -c Release -- pretrain --audioset "$WORK/audioset" --out "$OUT/tiny_pretrained.pth" --run-dir "$WORK/run" \
  --set base_width=2 --set mel_bins=32 --set sample_rate=16000 --set duration_seconds=0.5 --set window_size=128 --set hop_size=32 \
  --set fmax=8000 --set batch_size=4 --set max_epochs=2 --set validation_fraction=0.25 --set threads=1 --set workers=1
/usr/bin/python3 tools/check_pretrained_checkpoint.py "$OUT/tiny_pretrained.pth" --keys "$KEYS" --out "$OUT/tiny_pretrained.torch.json"
rm -rf "$WORK"
