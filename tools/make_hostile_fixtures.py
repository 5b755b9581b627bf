#!/usr/bin/python3
"""Writes tests/fixtures/hostile/: small broken audio files a careless or unlucky user produces (issue 20).

Run with /usr/bin/python3 (numpy, soundfile). Each file is tiny; the tests expect each to be refused
with the file named and the right exit code (docs/hostile-inputs.md). The real FLAC/OGG encodes are
cut by the script, so the truncation point is fixed here, not by an encoder version.
"""
import io
import os
import struct

import numpy as np
import soundfile as sf

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "hostile")


def wav(tag, channels, rate, bits, data, block_align=None, declared=None):
    """A RIFF/WAVE file with a plain 16-byte fmt chunk; `declared` overrides the data chunk's size."""
    block_align = block_align if block_align is not None else channels * bits // 8
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block_align, block_align, bits)
    size = len(data) if declared is None else declared
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", size) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def write(name, content):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(content)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20)
    tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(1600) / 16000)).astype(np.float32)
    pcm16 = (tone * 32767).astype("<i2").tobytes()

    write("empty.wav", b"")
    write("text.wav", b"this is not audio, just a text file someone named .wav\n")
    write("rate0.wav", wav(1, 1, 0, 16, pcm16))
    write("channels0.wav", wav(1, 0, 16000, 16, pcm16, block_align=2))
    write("adpcm.wav", wav(2, 1, 16000, 4, bytes(800), block_align=256))
    write("mulaw.wav", wav(7, 1, 16000, 8, bytes(1600)))
    write("short-data.wav", wav(1, 1, 16000, 16, pcm16[:1000], declared=len(pcm16)))
    nan = tone.copy()
    nan[100] = np.nan
    write("nan.wav", wav(3, 1, 16000, 32, nan.astype("<f4").tobytes()))
    # 6 KB of samples declared at 1 Hz: 3000 s of audio, 5.3 hours at 44.1 kHz if resampled whole.
    write("rate1.wav", wav(1, 1, 1, 16, (rng.standard_normal(3000) * 3000).astype("<i2").tobytes()))

    for fmt, sub, name in (("FLAC", "PCM_16", "truncated.flac"), ("OGG", "VORBIS", "truncated.ogg")):
        buf = io.BytesIO()
        sf.write(buf, np.tile(tone, 10), 16000, format=fmt, subtype=sub)
        whole = buf.getvalue()
        write(name, whole[: len(whole) // 2])


if __name__ == "__main__":
    main()
