#!/usr/bin/python3
"""Writes tests/fixtures/overlap/: tiny test and training layouts with planted overlaps for `data overlap`.

Run from the repository root with the system Python (numpy, scipy, soundfile) and lame + oggenc:
    /usr/bin/python3 tools/make_overlap_fixtures.py

Sound: a synthetic "class" is a recipe of harmonic tone events (the class fixes the pitch range and the event
rate) over quiet noise; a recording is the recipe with a seed, so two seeds of one class are distinct
recordings of the same class: the near-misses that must not match.

Test sets (ESC-50 layout at 44.1 kHz mono, 2.5 s clips; UrbanSound8K layout):
  1-100038-A-0.wav   class 0 seed 1   planted in fsd50k 300001.wav at 1.37 s, gain -9 dB (44.1 kHz WAV)
                                      and in audioset Yplanted4800.flac at 0.61 s, 48 kHz stereo (FLAC)
  1-100210-A-1.wav   class 1 seed 2   planted in clotho market.mp3 at 1.05 s, 32 kHz, +3 dB, MP3 128 kb/s
  2-100400-A-2.wav   class 2 seed 3   planted in audiocaps ZZoggZZoggZ (Ogg Vorbis 128 kb/s) at 0.50 s
  3-155000-A-0.wav   class 0 seed 4   by id only: clotho forest.wav has sound_id 155000
  urbansound8k 300002-0-0-0.wav (class 0 seed 5, fsID 300002): by id, fsd50k has fname 300002
Near-misses (no match expected): fsd50k 300002.wav (class 0 seed 11), clotho rain.wav (class 1 seed 12),
audioset Ynearmiss480.flac (class 2 seed 13, 48 kHz stereo). fsd50k 100038 is an id match of the first clip.
The expected matches are written by hand in tests/ClapAudit.Tests/Data/OverlapFinderTests.cs.
"""
import csv
import os
import shutil
import subprocess
import tempfile

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "overlap")
CLASSES = {0: (250, 600, 6.0), 1: (700, 1500, 8.0), 2: (1500, 3000, 5.0)}  # f0 range (Hz), events per second


def synth(cls, seed, seconds, sr=44100):
    rng = np.random.default_rng(seed)
    lo, hi, rate = CLASSES[cls]
    n = int(seconds * sr)
    x = 0.003 * rng.standard_normal(n)
    t = 0.0
    while t < seconds:
        t += rng.exponential(1.0 / rate)
        dur = rng.uniform(0.06, 0.25)
        start, m = int(t * sr), int(dur * sr)
        if start + m >= n:
            break
        tt = np.arange(m) / sr
        f0 = rng.uniform(lo, hi)
        glide = rng.uniform(-0.3, 0.3)
        env = np.exp(-tt / (dur / 3)) * (1 - np.exp(-tt / 0.004))
        ev = sum(rng.uniform(0.2, 1.0) / k * np.sin(2 * np.pi * f0 * k * (tt + glide * tt * tt / (2 * dur)))
                 for k in (1, 2, 3))
        x[start:start + m] += rng.uniform(0.1, 0.35) * env * ev
    return x.astype(np.float64)


def plant(host, clip, offset, gain_db, sr=44100):
    """The test clip as an excerpt of the host recording (as ESC-50 clips are cut from Freesound recordings)."""
    y = host.copy()
    s = int(round(offset * sr))
    y[s:s + len(clip)] = clip * 10 ** (gain_db / 20)
    return y


def write(path, x, sr, subtype="PCM_16", fmt=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    peak = np.max(np.abs(x))
    assert peak < 1.0, (path, peak)
    sf.write(path, x.astype(np.float32), sr, subtype=subtype, format=fmt)


def encode(tool_args, x, sr, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with tempfile.TemporaryDirectory() as d:
        wav = os.path.join(d, "in.wav")
        sf.write(wav, x.astype(np.float32), sr, subtype="PCM_16")
        subprocess.run(tool_args(wav, path), check=True, capture_output=True)


def write_csv(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main():
    if os.path.isdir(ROOT):
        shutil.rmtree(ROOT)
    clip = {name: synth(c, s, 2.5) for name, c, s in [
        ("1-100038-A-0.wav", 0, 1), ("1-100210-A-1.wav", 1, 2), ("2-100400-A-2.wav", 2, 3), ("3-155000-A-0.wav", 0, 4)]}
    esc = os.path.join(ROOT, "esc50")
    for name, x in clip.items():
        write(os.path.join(esc, "audio", name), x, 44100)
    cats = {0: "dog", 1: "rooster", 2: "pig"}
    rows = []
    for name in clip:
        fold, src, take, target = name[:-4].split("-")
        rows.append([name, fold, target, cats[int(target)], "False", src, take])
    write_csv(os.path.join(esc, "meta", "esc50.csv"), ["filename", "fold", "target", "category", "esc10", "src_file", "take"], rows)

    us = os.path.join(ROOT, "urbansound8k")
    write(os.path.join(us, "audio", "fold3", "300002-0-0-0.wav"), resample_poly(synth(0, 5, 2.0), 1, 2), 22050)
    write_csv(os.path.join(us, "metadata", "UrbanSound8K.csv"),
              ["slice_file_name", "fsID", "start", "end", "salience", "fold", "classID", "class"],
              [["100032-3-0-0.wav", "100032", "0.0", "0.3", "1", "5", "3", "dog_bark"],  # audio absent: classIDs 0..3
               ["100263-2-0-117.wav", "100263", "58.5", "62.5", "1", "5", "2", "children_playing"],
               ["100648-1-0-0.wav", "100648", "4.8", "8.8", "2", "10", "1", "car_horn"],
               ["101415-0-0-0.wav", "101415", "0.0", "4.0", "1", "5", "0", "air_conditioner"],
               ["300002-0-0-0.wav", "300002", "0.0", "2.0", "1", "3", "3", "dog_bark"]])

    a, b, c = (clip[k] for k in ("1-100038-A-0.wav", "1-100210-A-1.wav", "2-100400-A-2.wav"))
    fsd = os.path.join(ROOT, "fsd50k")
    write(os.path.join(fsd, "FSD50K.dev_audio", "300001.wav"), plant(synth(2, 21, 4.0), a, 1.37, -9), 44100)
    write(os.path.join(fsd, "FSD50K.dev_audio", "300002.wav"), synth(0, 11, 4.0), 44100)
    write(os.path.join(fsd, "FSD50K.dev_audio", "100038.wav"), synth(1, 22, 1.0), 44100)
    write_csv(os.path.join(fsd, "FSD50K.ground_truth", "dev.csv"), ["fname", "labels", "mids", "split"], [
        ["300001", "Bark,Speech", "/m/05tny_,/m/09x0r", "train"],
        ["300002", "Bark", "/m/05tny_", "train"],
        ["100038", "Crowing", "/m/07st89h", "val"]])
    write_csv(os.path.join(fsd, "FSD50K.ground_truth", "eval.csv"), ["fname", "labels", "mids"], [])

    clotho = os.path.join(ROOT, "clotho")
    market = resample_poly(plant(synth(2, 31, 4.0), b, 1.05, +3), 320, 441)
    market = 0.95 * market / max(1.0, np.max(np.abs(market)) / 0.95)
    encode(lambda i, o: ["lame", "--quiet", "-b", "128", "--cbr", i, o], market, 32000,
           os.path.join(clotho, "development", "market.mp3"))
    write(os.path.join(clotho, "development", "forest.wav"), synth(2, 32, 1.0), 44100)
    write(os.path.join(clotho, "development", "rain.wav"), resample_poly(synth(1, 12, 4.0), 320, 441), 32000)
    caps = ["file_name"] + [f"caption_{k}" for k in range(1, 6)]
    write_csv(os.path.join(clotho, "clotho_captions_development.csv"), caps, [
        ["market.mp3", "A busy market", "People talk at a market", "Market stalls", "Chatter", "Voices"],
        ["forest.wav", "Birds in a forest", "Leaves rustle", "A forest", "Wind in trees", "Calm woods"],
        ["rain.wav", "Rain on a roof", "Steady rain", "Drops fall", "Wet weather", "Rainfall"]])
    write_csv(os.path.join(clotho, "clotho_metadata_development.csv"),
              ["file_name", "keywords", "sound_id", "sound_link", "start_end_samples", "manufacturer", "license"], [
        ["market.mp3", "market;people", "400001", "https://freesound.org/people/x/sounds/400001", "", "x", "CC0"],
        ["forest.wav", "forest;birds", "155000", "https://freesound.org/people/y/sounds/155000", "", "y", "CC0"],
        ["rain.wav", "rain", "400003", "https://freesound.org/people/z/sounds/400003", "", "z", "CC0"]])

    ac = os.path.join(ROOT, "audiocaps")
    encode(lambda i, o: ["oggenc", "-Q", "-b", "128", "-o", o, i], plant(synth(0, 41, 4.0), c, 0.50, 0), 44100,
           os.path.join(ac, "audio", "ZZoggZZoggZ.ogg"))
    write_csv(os.path.join(ac, "train.csv"), ["audiocap_id", "youtube_id", "start_time", "caption"], [
        ["91", "ZZoggZZoggZ", "30", "A pig oinks while people talk"]])

    aset = os.path.join(ROOT, "audioset")
    for yt, x in [("planted4800", plant(synth(1, 51, 4.0), a, 0.61, -3)), ("nearmiss480", synth(2, 13, 4.0))]:
        y = resample_poly(x, 160, 147)
        stereo = np.stack([0.9 * y, 0.7 * y], axis=1)
        write(os.path.join(aset, "audio", f"Y{yt}.flac"), stereo, 48000, fmt="FLAC")
    with open(os.path.join(aset, "class_labels_indices.csv"), "w", newline="") as f:
        f.write('index,mid,display_name\n0,/m/05tny_,"Bark"\n1,/m/07st89h,"Crowing, cock-a-doodle-doo"\n')
    with open(os.path.join(aset, "balanced_train_segments.csv"), "w", newline="") as f:
        f.write("# Segments csv created Sun Mar  5 10:54:31 2017\n")
        f.write("# num_ytids=2, num_segs=2, num_unique_labels=2, num_positive_labels=2\n")
        f.write("# YTID, start_seconds, end_seconds, positive_labels\n")
        f.write('planted4800, 30.000, 40.000, "/m/05tny_"\n')
        f.write('nearmiss480, 0.000, 10.000, "/m/07st89h"\n')


if __name__ == "__main__":
    main()
