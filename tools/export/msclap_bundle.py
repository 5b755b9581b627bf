#!/usr/bin/python3
"""Exports a full ESC-50 embedding bundle from msclap (Microsoft CLAP, `pip install msclap`, 1.3.3).

    python3 tools/export/msclap_bundle.py --esc50 data/ESC-50-master --out bundles/msclap-2022 \\
        [--version 2022] [--weights CLAP_weights_2022.pth] [--prompt "this is a sound of {class}"] \\
        [--batch-size 32] [--folds 1,2,3,4,5] [--cuda]

Then `./clapaudit analyze bundles/msclap-2022`. Where each array comes from (msclap 1.3.3's source):
- audio_backbone.npy, x_a: what `clap.clap.audio_encoder.projection` receives, that is
  `audio_encoder.base(x)['embedding']` (msclap/models/clap.py:37-39): CNN14's fc1 after ReLU
  (msclap/models/audio.py:176-177; dropout is off in eval mode), 2048-d for version 2022.
- audio.npy, E_a: `get_audio_embeddings`' output (CLAPWrapper.py:280-296), L2-normalised here:
  msclap's projection ends in a LayerNorm (clap.py:19) and msclap normalises only inside
  `compute_similarity` (CLAPWrapper.py:329-336), so its raw E_a are not unit vectors.
- text_backbone.npy, x_t: what `clap.clap.caption_encoder.projection` receives, for BERT
  `base(**x)[0][:, 0, :]`, the final hidden state of [CLS] (clap.py:66-68), 768-d.
- text.npy, E_t: `get_text_embeddings`' output (CLAPWrapper.py:275-288), L2-normalised here.
- labels.npy, folds.npy, items.txt: ESC-50's target, fold and file name per clip; classes.txt the
  class names in target order, underscores as spaces.
Audio goes through `get_audio_embeddings_per_batch` (CLAPWrapper.py:321-323), so one batch of
waveforms is in memory at a time (`get_audio_embeddings` on all of ESC-50 stacks every clip in one
batch). ESC-50's clips last msclap's 5 s exactly, so msclap's random crop of longer clips
(CLAPWrapper.py:242-248) never applies and the export is deterministic.
"""
import argparse

import torch

from esc50_bundle import DEFAULT_PROMPT, Esc50, ProjectionInput, batches, parse_folds, write_bundle


def main(argv=None):
    p = argparse.ArgumentParser(description="ESC-50 embedding bundle from msclap (x_a, E_a, x_t, E_t).")
    p.add_argument("--esc50", required=True, help="ESC-50 folder (meta/esc50.csv, audio/)")
    p.add_argument("--out", required=True, help="bundle folder to write")
    p.add_argument("--version", default="2022", choices=["2022", "2023"], help="msclap weights (default 2022)")
    p.add_argument("--weights", help="local weights file (default: msclap downloads them)")
    p.add_argument("--prompt", default=DEFAULT_PROMPT, help="class prompt, {class} replaced (default: %(default)s)")
    p.add_argument("--batch-size", type=int, default=32, help="clips and prompts per forward pass")
    p.add_argument("--folds", help="comma-separated ESC-50 folds (default: all)")
    p.add_argument("--cuda", action="store_true", help="run on the GPU (msclap's use_cuda)")
    args = p.parse_args(argv)

    from msclap import CLAP  # the wrapper (msclap/__init__.py); its model is `.clap`
    esc50 = Esc50(args.esc50, parse_folds(args.folds))
    wrapper = CLAP(model_fp=args.weights, version=args.version, use_cuda=args.cuda)
    model = wrapper.clap
    audio_in = ProjectionInput(model.audio_encoder.projection)
    text_in = ProjectionInput(model.caption_encoder.projection)
    try:
        with torch.no_grad():
            audio = torch.cat([e.detach().cpu() for e in
                               wrapper.get_audio_embeddings_per_batch(esc50.paths, args.batch_size)])
            audio_backbone = audio_in.take()
            text = torch.cat([wrapper.get_text_embeddings(chunk).detach().cpu()
                              for chunk in batches(esc50.prompts(args.prompt), args.batch_size)])
            text_backbone = text_in.take()
    finally:
        audio_in.close()
        text_in.close()
    write_bundle(args.out, esc50, audio.numpy(), audio_backbone, text.numpy(), text_backbone)


if __name__ == "__main__":
    main()
