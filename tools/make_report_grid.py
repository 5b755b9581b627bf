#!/usr/bin/python3
"""Writes a tiny synthetic grid (grid.json, six setups, backbone-only bundles, leakage.json, run.json)
for trying `clapaudit report` and for tools/screenshot_report.sh. Not a fixture: nothing is committed.

Usage: /usr/bin/python3 tools/make_report_grid.py GRID_DIR [--missing clean/none] [--per-class 15] [--classes 10]
Each setup's class separation ("quality") differs, so accuracy and silhouette vary together across setups.
"""
import argparse, json, os
import numpy as np

ESC_NAMES = ["dog", "rooster", "pig", "cow", "frog", "cat", "hen", "insects (flying)", "sheep", "crow",
             "rain", "sea waves", "crackling fire", "crickets", "chirping birds", "water drops", "wind",
             "pouring water", "toilet flush", "thunderstorm", "crying baby", "sneezing", "clapping", "breathing",
             "coughing", "footsteps", "laughing", "brushing teeth", "snoring", "drinking sipping",
             "door wood knock", "mouse click", "keyboard typing", "door wood creaks", "can opening",
             "washing machine", "vacuum cleaner", "clock alarm", "clock tick", "glass breaking",
             "helicopter", "chainsaw", "siren", "car horn", "engine", "train", "church bells", "airplane",
             "fireworks", "hand saw"]
QUALITY = {("dirty", "dirty"): 0.9, ("dirty", "clean"): 0.7, ("dirty", "none"): 0.4,
           ("clean", "dirty"): 0.55, ("clean", "clean"): 0.5, ("clean", "none"): 0.25}


def bundle(folder, quality, classes, per_class, dim, seed, backbone_only):
    rng = np.random.default_rng(seed)
    c, n = len(classes), len(classes) * per_class
    labels = np.arange(n) % c
    def items(d):
        centres = rng.standard_normal((c, d))
        return (quality * centres[labels] + rng.standard_normal((n, d))).astype(np.float32), centres
    os.makedirs(folder, exist_ok=True)
    xa, _ = items(dim + 8)
    np.save(os.path.join(folder, "audio_backbone.npy"), xa)
    np.save(os.path.join(folder, "text_backbone.npy"), (rng.standard_normal((c, dim + 4))).astype(np.float32))
    if not backbone_only:
        ea, centres = items(dim)
        et = centres + 0.6 * rng.standard_normal(centres.shape)
        np.save(os.path.join(folder, "audio.npy"), (ea / np.linalg.norm(ea, axis=1, keepdims=True)).astype(np.float32))
        np.save(os.path.join(folder, "text.npy"), (et / np.linalg.norm(et, axis=1, keepdims=True)).astype(np.float32))
    np.save(os.path.join(folder, "labels.npy"), labels.astype(np.int64))
    with open(os.path.join(folder, "classes.txt"), "w") as f:
        f.write("\n".join(classes) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("grid")
    ap.add_argument("--missing", action="append", default=[])
    ap.add_argument("--per-class", type=int, default=15)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--dim", type=int, default=32)
    a = ap.parse_args()
    classes = ESC_NAMES[:a.classes]
    setups = []
    for i, ((tr, pre), q) in enumerate(QUALITY.items()):
        rel = f"setups/{tr}-{pre}"
        setups.append({"training": tr, "pretraining": pre, "bundle": f"{rel}/bundle", "run": f"{rel}/run"})
        if f"{tr}/{pre}" in a.missing:
            continue
        bundle(os.path.join(a.grid, rel, "bundle"), q, classes, a.per_class, a.dim, i + 1, False)
        os.makedirs(os.path.join(a.grid, rel, "run"), exist_ok=True)
        with open(os.path.join(a.grid, rel, "run", "run.json"), "w") as f:
            json.dump({"seed": i + 1, "settings": {"training": tr, "cnn14": pre, "batch_size": 128}}, f)
    bundle(os.path.join(a.grid, "backbones/dirty/bundle"), 1.5, classes, a.per_class, a.dim, 101, True)
    bundle(os.path.join(a.grid, "backbones/clean/bundle"), 0.7, classes, a.per_class, a.dim, 102, True)
    os.makedirs(os.path.join(a.grid, "data"), exist_ok=True)
    words = [c for c in classes]
    by_word = {w: {"pairs": int(p), "audio": int(p // 4), "captions": int(p)} for w, p in zip(words, np.arange(len(words))[::-1] * 7)}
    removed = {"pairs": sum(v["pairs"] for v in by_word.values()), "audio": sum(v["audio"] for v in by_word.values())}
    leak = {"words": words, "match": "word", "before": {"pairs": 5000, "audio": 1000}, "removed": removed,
            "after": {"pairs": 5000 - removed["pairs"], "audio": 1000 - removed["audio"]}, "by_word": by_word,
            "by_dataset": {"clotho": {"before": {"pairs": 5000, "audio": 1000}, "removed": removed,
                                      "after": {"pairs": 5000 - removed["pairs"], "audio": 1000 - removed["audio"]}}}}
    with open(os.path.join(a.grid, "data/leakage.json"), "w") as f:
        json.dump(leak, f, indent=1)
    grid = {"version": 1, "title": "Synthetic grid (tools/make_report_grid.py)", "classes": len(classes), "setups": setups,
            "backbones": [{"caption": "x_a, dirty pre-training", "bundle": "backbones/dirty/bundle", "representation": "audio_backbone"},
                          {"caption": "x_a, clean pre-training", "bundle": "backbones/clean/bundle", "representation": "audio_backbone"},
                          {"caption": "x_t (text backbone)", "bundle": "backbones/dirty/bundle", "representation": "text_backbone"}],
            "leakage": "data/leakage.json", "notes": ["Synthetic data: the numbers mean nothing."]}
    with open(os.path.join(a.grid, "grid.json"), "w") as f:
        json.dump(grid, f, indent=2)


if __name__ == "__main__":
    main()
