"""What the exporters share: reading ESC-50, capturing backbone outputs, writing a bundle.

The bundle is the one `clapaudit analyze` reads (docs/formats.md, "Embedding bundle"):
audio.npy (E_a), audio_backbone.npy (x_a), labels.npy, folds.npy and items.txt (one row per clip,
meta/esc50.csv order); text.npy (E_t), text_backbone.npy (x_t) and classes.txt (one row per class,
target order). E_a and E_t are L2-normalised here, whatever the model returns, so that
`analyze --metric euclidean` compares every model on the same footing (ClapAudit's own `embed` writes
normalised ones too). x_a and x_t are written as the model computes them.
"""
import csv
import os

import numpy as np

DEFAULT_PROMPT = "this is a sound of {class}"


class Esc50:
    """ESC-50 as in karolpiczak/ESC-50: meta/esc50.csv (filename, fold, target, category, ...), audio/.

    Class names are the categories with underscores as spaces, in target order, as ClapAudit's
    Esc50Reader gives them; targets must run 0..C-1.
    """

    def __init__(self, folder, folds=None):
        csv_path = os.path.join(folder, "meta", "esc50.csv")
        if not os.path.isfile(csv_path):
            raise SystemExit(f"{csv_path}: file not found (expected an ESC-50 folder)")
        categories = {}
        self.files, self.paths, self.targets, self.folds = [], [], [], []
        with open(csv_path, newline="", encoding="utf-8") as f:
            for line, row in enumerate(csv.DictReader(f), start=2):
                target, fold = int(row["target"]), int(row["fold"])
                category = row["category"].strip()
                if categories.setdefault(target, category) != category:
                    raise SystemExit(f"{csv_path}:{line}: target {target} is '{category}', "
                                     f"elsewhere '{categories[target]}'")
                if folds is not None and fold not in folds:
                    continue
                path = os.path.join(folder, "audio", row["filename"])
                if not os.path.isfile(path):
                    raise SystemExit(f"{csv_path}:{line}: audio file missing: {path}")
                self.files.append(row["filename"])
                self.paths.append(path)
                self.targets.append(target)
                self.folds.append(fold)
        if sorted(categories) != list(range(len(categories))):
            raise SystemExit(f"{csv_path}: targets must run 0..{len(categories) - 1} without gaps")
        if not self.paths:
            raise SystemExit(f"{csv_path}: no clips selected")
        self.classes = [categories[t].replace("_", " ") for t in range(len(categories))]

    def prompts(self, template):
        if "{class}" not in template:
            raise SystemExit(f"prompt template '{template}' must contain {{class}}")
        return [template.replace("{class}", c) for c in self.classes]


def parse_folds(text):
    """'1,2' -> {1, 2}; None -> None (all folds)."""
    if text is None:
        return None
    folds = {int(f) for f in text.split(",") if f.strip()}
    if not folds or not folds <= {1, 2, 3, 4, 5}:
        raise SystemExit(f"--folds {text}: expected folds in 1..5, comma-separated")
    return folds


def batches(items, size):
    """Consecutive slices of at most `size` items, so memory stays at one batch of audio."""
    if size < 1:
        raise SystemExit(f"--batch-size {size}: must be at least 1")
    for start in range(0, len(items), size):
        yield items[start:start + size]


class ProjectionInput:
    """Records what a projection module receives: the backbone output, x_a or x_t.

    A forward pre-hook on the projection sees exactly the tensor the model projects, so the
    exporter needs no copy of the model's own selection (msclap's `[0][:, 0, :]`, LAION's
    `["pooler_output"]`): a renamed module fails loudly at `register_forward_pre_hook`.
    """

    def __init__(self, module):
        self.rows = []
        self._handle = module.register_forward_pre_hook(self._record)

    def _record(self, _module, inputs):
        self.rows.append(inputs[0].detach().float().cpu().numpy())

    def take(self):
        """The rows recorded since the last call, as one array."""
        if not self.rows:
            raise RuntimeError("the projection was not called: the model's forward path has changed")
        out, self.rows = np.concatenate(self.rows), []
        return out

    def close(self):
        self._handle.remove()


def l2_normalise(x):
    """Rows scaled to unit length (a zero row stays zero)."""
    x = np.asarray(x, dtype=np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def write_bundle(out, esc50, audio, audio_backbone, text, text_backbone):
    """Writes every file of a full bundle, each atomically (name.tmp, then rename)."""
    n, c = len(esc50.paths), len(esc50.classes)
    for name, array, rows in (("audio", audio, n), ("audio_backbone", audio_backbone, n),
                              ("text", text, c), ("text_backbone", text_backbone, c)):
        if array.ndim != 2 or array.shape[0] != rows or not np.isfinite(array).all():
            raise RuntimeError(f"{name}: shape {array.shape}, expected {rows} finite rows")
    if audio.shape[1] != text.shape[1]:
        raise RuntimeError(f"audio dimension {audio.shape[1]} differs from text dimension {text.shape[1]}")
    os.makedirs(out, exist_ok=True)
    arrays = {
        "audio.npy": l2_normalise(audio),
        "audio_backbone.npy": audio_backbone.astype(np.float32),
        "text.npy": l2_normalise(text),
        "text_backbone.npy": text_backbone.astype(np.float32),
        "labels.npy": np.asarray(esc50.targets, dtype=np.int64),
        "folds.npy": np.asarray(esc50.folds, dtype=np.int64),
    }
    for name, array in arrays.items():
        _atomic(os.path.join(out, name), lambda f, a=array: np.save(f, a), binary=True)
    _atomic(os.path.join(out, "classes.txt"), lambda f: f.write("\n".join(esc50.classes) + "\n"))
    _atomic(os.path.join(out, "items.txt"), lambda f: f.write("\n".join(esc50.files) + "\n"))


def _atomic(path, write, binary=False):
    tmp = path + ".tmp"
    with open(tmp, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
