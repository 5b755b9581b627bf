#!/usr/bin/python3
"""Tests tools/export/msclap_bundle.py and laion_clap_bundle.py against the stand-ins in standins/.

The stand-ins reproduce msclap 1.3.3's and laion_clap 1.1.6's public API and module tree (each file
cites the real source it follows) with tiny layers, so a renamed attribute, a wrong hook or a shape
error in an exporter fails here. Run from the repository root with Debian's Python (torch, torchaudio,
numpy, scipy, soundfile, scikit-learn):

    /usr/bin/python3 tools/export/test_exporters.py                   # check only
    /usr/bin/python3 tools/export/test_exporters.py --write-fixtures  # also write tests/fixtures/export/

Each exporter runs as a user runs it (a subprocess, batch size 3 so the last batch is short) on a tiny
ESC-50 layout (5 classes x 4 clips, folds 1-4, 1 s at 8 kHz, a tone per class in noise). Its bundle is
checked against the same model called directly on all clips at once: x_a and x_t as each library's
forward computes them (msclap: base(x)['embedding'] and base(**x)[0][:, 0, :]; LAION:
audio_branch(...)['embedding'] and text_branch(...)['pooler_output']), E_a and E_t as its public
methods return them, L2-normalised. The fixtures (the two bundles and expected.json with
scikit-learn's silhouettes and NumPy's zero-shot top-1) are what ClapAudit's own tests run `analyze` on.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import soundfile
import torch
import yaml
from sklearn.metrics import silhouette_score

HERE = os.path.dirname(os.path.abspath(__file__))
STANDINS = os.path.join(HERE, "standins")
sys.path[:0] = [STANDINS, HERE]
FIXTURES = os.path.join(HERE, "..", "..", "tests", "fixtures", "export")

from esc50_bundle import Esc50, l2_normalise  # noqa: E402

CATEGORIES = ["dog", "rain", "door_wood_knock", "crying_baby", "church_bells"]
CLIPS_PER_CLASS, RATE = 4, 8000
PROMPT = "this is a sound of {class}"


def make_esc50(folder):
    """meta/esc50.csv and audio/{fold}-{source}-A-{target}.wav, rows sorted by file name as ESC-50's."""
    rng = np.random.default_rng(19)
    rows = []
    os.makedirs(os.path.join(folder, "audio"))
    os.makedirs(os.path.join(folder, "meta"))
    t = np.arange(RATE) / RATE
    for target, category in enumerate(CATEGORIES):
        for k in range(CLIPS_PER_CLASS):
            fold, source = k + 1, 1000 + 10 * target + k
            name = f"{fold}-{source}-A-{target}.wav"
            tone = 0.4 * np.sin(2 * np.pi * 220 * (target + 1) * t * (1 + 0.01 * k))
            soundfile.write(os.path.join(folder, "audio", name), tone + 0.05 * rng.standard_normal(RATE),
                            RATE, subtype="PCM_16")
            rows.append((name, fold, target, category, "False", source, "A"))
    with open(os.path.join(folder, "meta", "esc50.csv"), "w", encoding="utf-8") as f:
        f.write("filename,fold,target,category,esc10,src_file,take\n")
        for row in sorted(rows):
            f.write(",".join(str(v) for v in row) + "\n")


def run_exporter(script, *args):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([STANDINS, os.environ.get("PYTHONPATH", "")]))
    subprocess.run([sys.executable, os.path.join(HERE, script), *args], check=True, env=env)


def load_bundle(folder):
    arrays = {n: np.load(os.path.join(folder, n + ".npy"))
              for n in ("audio", "audio_backbone", "text", "text_backbone", "labels", "folds")}
    for name in ("classes", "items"):
        with open(os.path.join(folder, name + ".txt"), encoding="utf-8") as f:
            arrays[name] = f.read().splitlines()
    return arrays


def check_common(bundle, esc50, xa, ea, xt, et):
    close = dict(rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bundle["audio_backbone"], xa, **close)
    np.testing.assert_allclose(bundle["text_backbone"], xt, **close)
    np.testing.assert_allclose(bundle["audio"], l2_normalise(ea), **close)
    np.testing.assert_allclose(bundle["text"], l2_normalise(et), **close)
    for name in ("audio", "text"):
        np.testing.assert_allclose(np.linalg.norm(bundle[name], axis=1), 1.0, atol=1e-6)
        assert bundle[name].dtype == np.float32, name
    assert bundle["labels"].dtype == np.int64 and bundle["folds"].dtype == np.int64
    assert bundle["labels"].tolist() == esc50.targets
    assert bundle["folds"].tolist() == esc50.folds == [int(f.split("-")[0]) for f in esc50.files]
    assert bundle["classes"] == [c.replace("_", " ") for c in CATEGORIES]
    assert bundle["items"] == esc50.files


def test_msclap(esc50_dir, work):
    import msclap
    from msclap.models.clap import CLAP as ClapModel
    with open(os.path.join(STANDINS, "msclap", "configs", "config_2022.yml")) as f:
        cfg = yaml.safe_load(f)
    torch.manual_seed(1)
    model = ClapModel(audioenc_name=cfg["audioenc_name"], sample_rate=cfg["sampling_rate"],
                      window_size=cfg["window_size"], hop_size=cfg["hop_size"], mel_bins=cfg["mel_bins"],
                      fmin=cfg["fmin"], fmax=cfg["fmax"], classes_num=cfg["num_classes"], out_emb=cfg["out_emb"],
                      text_model=cfg["text_model"], transformer_embed_dim=cfg["transformer_embed_dim"],
                      d_proj=cfg["d_proj"])
    state = model.state_dict()
    state["audio_encoder.base.bn0.running_mean"].uniform_(-3, -1)  # so that loading the statistics matters
    weights = os.path.join(work, "CLAP_weights_2022.pth")
    torch.save({"model": state}, weights)

    out = os.path.join(work, "msclap")
    run_exporter("msclap_bundle.py", "--esc50", esc50_dir, "--out", out, "--weights", weights, "--batch-size", "3")

    esc50 = Esc50(esc50_dir)
    wrapper = msclap.CLAP(model_fp=weights, version="2022")
    assert not hasattr(wrapper, "audio_encoder"), "the wrapper holds the model in .clap (issue 19, item 1)"
    prompts = esc50.prompts(PROMPT)
    with torch.no_grad():
        waves = wrapper.preprocess_audio(esc50.paths, True)
        xa = wrapper.clap.audio_encoder.base(waves.reshape(waves.shape[0], -1))["embedding"].numpy()
        ea = wrapper.get_audio_embeddings(esc50.paths).numpy()
        xt = wrapper.clap.caption_encoder.base(**wrapper.preprocess_text(prompts))[0][:, 0, :].numpy()
        et = wrapper.get_text_embeddings(prompts).numpy()
    bundle = load_bundle(out)
    check_common(bundle, esc50, xa, ea, xt, et)
    assert bundle["audio_backbone"].shape == (20, cfg["out_emb"]) and bundle["text_backbone"].shape == (5, 8)
    # msclap's own E_a are LayerNorm outputs, far from unit length: the exporter had to normalise.
    assert np.abs(np.linalg.norm(ea, axis=1) - 1).min() > 0.5
    return out


def test_laion(esc50_dir, work):
    import laion_clap
    import librosa
    from clap_module import create_model
    from laion_clap.training.data import get_audio_features, int16_to_float32, float32_to_int16
    torch.manual_seed(2)
    model, _ = create_model("HTSAT-tiny", "roberta", device="cpu")
    state = {"module." + k: v for k, v in model.state_dict().items()}  # as the released .pt files hold it
    state["module.audio_branch.bn0.running_var"].uniform_(2, 4)
    ckpt = os.path.join(work, "630k-audioset-best.pt")
    torch.save({"state_dict": state, "epoch": 45}, ckpt)

    out = os.path.join(work, "laion_clap")
    run_exporter("laion_clap_bundle.py", "--esc50", esc50_dir, "--out", out, "--ckpt", ckpt,
                 "--batch-size", "3", "--device", "cpu")

    esc50 = Esc50(esc50_dir)
    wrapper = laion_clap.CLAP_Module(enable_fusion=False, device="cpu")
    wrapper.load_ckpt(ckpt=ckpt, verbose=False)
    prompts = esc50.prompts(PROMPT)
    with torch.no_grad():
        ea = wrapper.get_audio_embedding_from_filelist(x=esc50.paths, use_tensor=False)  # also sets eval mode
        inputs = []
        for path in esc50.paths:
            wave, _ = librosa.load(path, sr=48000)
            wave = torch.from_numpy(int16_to_float32(float32_to_int16(wave))).float()
            inputs.append(get_audio_features({}, wave, 480000, "rand_trunc", "repeatpad",
                                             wrapper.model_cfg["audio_cfg"]))
        batch = {k: torch.stack([d[k] for d in inputs]) for k in inputs[0]}
        xa = wrapper.model.encode_audio(batch, device="cpu")["embedding"].numpy()
        tokens = wrapper.tokenizer(prompts)
        xt = wrapper.model.text_branch(input_ids=tokens["input_ids"],
                                       attention_mask=tokens["attention_mask"])["pooler_output"].numpy()
        et = wrapper.get_text_embedding(prompts, use_tensor=False)
    bundle = load_bundle(out)
    check_common(bundle, esc50, xa, ea, xt, et)
    assert bundle["audio_backbone"].shape == (20, 12) and bundle["text_backbone"].shape == (5, 8)
    return out


def test_renamed_module_fails(esc50_dir, work):
    """A stand-in whose projection module is renamed makes each exporter fail, naming the attribute."""
    cases = [(("msclap", "models", "clap.py"), "self.projection", "self.proj", "msclap_bundle.py",
              ["--weights", os.path.join(work, "CLAP_weights_2022.pth")],
              "'AudioEncoder' object has no attribute 'projection'"),
             (("laion_clap", "clap_module", "model.py"), "audio_projection", "audio_proj", "laion_clap_bundle.py",
              ["--ckpt", os.path.join(work, "630k-audioset-best.pt")], "audio_projection")]
    for path, old, new, script, args, message in cases:
        mutant = os.path.join(work, "mutant-" + path[0])
        shutil.copytree(STANDINS, mutant)
        source = os.path.join(mutant, *path)
        with open(source, encoding="utf-8") as f:
            text = f.read()
        assert old in text, (source, old)
        with open(source, "w", encoding="utf-8") as f:
            f.write(text.replace(old, new))
        run = subprocess.run([sys.executable, os.path.join(HERE, script), "--esc50", esc50_dir,
                              "--out", os.path.join(mutant, "out"), *args],
                             env=dict(os.environ, PYTHONPATH=mutant), capture_output=True, text=True)
        assert run.returncode != 0 and message in run.stderr, (script, run.returncode, run.stderr[-400:])


def expected_values(folder):
    b = load_bundle(folder)
    top1 = float(np.mean(np.argmax(b["audio"] @ b["text"].T, axis=1) == b["labels"]))
    return {
        "n_items": len(b["labels"]), "n_classes": len(b["classes"]), "top1": top1,
        "silhouette": {name: float(silhouette_score(b[name].astype(np.float64), b["labels"], metric="cosine"))
                       for name in ("audio", "audio_backbone")},
        "folds": b["folds"].tolist(),
    }


def main():
    write = "--write-fixtures" in sys.argv[1:]
    with tempfile.TemporaryDirectory() as work:
        esc50_dir = os.path.join(work, "ESC-50-master")
        make_esc50(esc50_dir)
        bundles = {"msclap": test_msclap(esc50_dir, work), "laion_clap": test_laion(esc50_dir, work)}
        test_renamed_module_fails(esc50_dir, work)
        print("exporters: msclap and laion_clap bundles match their models")
        if write:
            expected = {}
            for name, folder in bundles.items():
                target = os.path.join(FIXTURES, name)
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(folder, target)
                expected[name] = expected_values(target)
            with open(os.path.join(FIXTURES, "expected.json"), "w", encoding="utf-8") as f:
                json.dump(expected, f, indent=1)
                f.write("\n")
            print(f"wrote {os.path.normpath(FIXTURES)}")


if __name__ == "__main__":
    main()
