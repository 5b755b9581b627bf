#!/usr/bin/python3
"""Reads a safetensors file by hand (json + numpy, no safetensors package) and checks that its
header follows the format's rules: 8-byte little-endian header length, a JSON object whose entries
have dtype/shape/data_offsets, offsets contiguous from 0 in data order and covering the whole data
section, byte counts matching dtype x shape, "__metadata__" a map of strings (transformers needs
format "pt"), header padded to a multiple of 8 bytes. Optionally checks an HF BERT folder's
config.json and that the tensors are finite.

Usage: /usr/bin/python3 tools/check_safetensors.py FILE_OR_HF_FOLDER [--expect-prefix bert. cls.predictions.]
Prints one line per tensor and "OK" (exit 0), or the first violated rule (exit 1).
"""
import json
import os
import struct
import sys

import numpy as np

DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
          "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def check_file(path):
    data = open(path, "rb").read()
    if len(data) < 8:
        fail("shorter than 8 bytes")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        fail(f"header length {n} exceeds the file ({len(data)} bytes)")
    if (8 + n) % 8 != 0:
        fail(f"data section starts at {8 + n}, not a multiple of 8")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    body = data[8 + n:]
    meta = header.pop("__metadata__", None)
    if meta is not None:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items()):
            fail("__metadata__ must map strings to strings")
        if meta.get("format") != "pt":
            fail(f"__metadata__ format is {meta.get('format')!r}; transformers loads only 'pt' (or tf/flax/mlx)")
    entries = sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0])
    pos = 0
    tensors = {}
    for name, e in entries:
        if set(e) != {"dtype", "shape", "data_offsets"}:
            fail(f"{name}: keys {sorted(e)}")
        begin, end = e["data_offsets"]
        if begin != pos:
            fail(f"{name}: begins at {begin}, expected {pos} (offsets must be contiguous)")
        dt = DTYPES[e["dtype"]]
        count = int(np.prod(e["shape"], dtype=np.int64)) if e["shape"] else 1
        if end - begin != count * np.dtype(dt).itemsize:
            fail(f"{name}: {end - begin} bytes for {e['dtype']} {e['shape']}")
        arr = np.frombuffer(body[begin:end], dtype=np.dtype(dt).newbyteorder("<")).reshape(e["shape"])
        if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            fail(f"{name}: non-finite values")
        tensors[name] = arr
        pos = end
    if pos != len(body):
        fail(f"data section has {len(body)} bytes, tensors cover {pos}")
    for name, arr in tensors.items():
        print(f"{name}\t{arr.dtype}\t{list(arr.shape)}\tmean {float(arr.mean()):+.5f}\tstd {float(arr.std()):.5f}")
    return meta, tensors


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    target = sys.argv[1]
    prefixes = sys.argv[sys.argv.index("--expect-prefix") + 1:] if "--expect-prefix" in sys.argv else []
    path = os.path.join(target, "model.safetensors") if os.path.isdir(target) else target
    meta, tensors = check_file(path)
    for name in tensors:
        if prefixes and not any(name.startswith(p) for p in prefixes):
            fail(f"{name}: outside the expected prefixes {prefixes}")
    if os.path.isdir(target):
        cfg = json.load(open(os.path.join(target, "config.json")))
        for key in ["model_type", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
                    "hidden_act", "max_position_embeddings", "type_vocab_size", "vocab_size", "layer_norm_eps", "pad_token_id"]:
            if key not in cfg:
                fail(f"config.json lacks {key}")
        vocab = open(os.path.join(target, "vocab.txt"), encoding="utf-8").read().split("\n")[:-1]
        if len(vocab) != cfg["vocab_size"]:
            fail(f"vocab.txt has {len(vocab)} lines, config vocab_size {cfg['vocab_size']}")
        we = tensors["bert.embeddings.word_embeddings.weight"]
        if list(we.shape) != [cfg["vocab_size"], cfg["hidden_size"]]:
            fail(f"word embeddings {list(we.shape)} vs config")
        if list(tensors["bert.embeddings.position_embeddings.weight"].shape)[0] != cfg["max_position_embeddings"]:
            fail("position embeddings do not match max_position_embeddings")
        for i in range(cfg["num_hidden_layers"]):
            if f"bert.encoder.layer.{i}.attention.self.query.weight" not in tensors:
                fail(f"layer {i} missing")
        if "cls.predictions.decoder.weight" in tensors and not np.array_equal(tensors["cls.predictions.decoder.weight"], we):
            fail("cls.predictions.decoder.weight is not tied to the word embeddings")
    print(f"OK: {len(tensors)} tensors, metadata {meta}")


if __name__ == "__main__":
    main()
