#!/usr/bin/python3
"""Exports a full ESC-50 embedding bundle from LAION-CLAP (`pip install laion_clap`, 1.1.6).

    python3 tools/export/laion_clap_bundle.py --esc50 data/ESC-50-master --out bundles/laion \\
        [--ckpt 630k-audioset-best.pt | --model-id 1] [--fusion] [--amodel HTSAT-tiny] [--tmodel roberta] \\
        [--prompt "this is a sound of {class}"] [--batch-size 32] [--folds 1,2,3,4,5] [--device cpu]

Then `./clapaudit analyze bundles/laion`. Where each array comes from (laion_clap 1.1.6's source,
src/laion_clap/):
- audio_backbone.npy, x_a: what `model.model.audio_projection` receives, that is
  `audio_branch(...)["embedding"]` (clap_module/model.py:739-740): for HTSAT the pooled output of the
  last Swin stage before any projection, `avgpool(flatten(x, 2))` (clap_module/htsat.py:799-800,816),
  768-d for HTSAT-tiny.
- audio.npy, E_a: `get_audio_embedding_from_filelist` (hook.py:121-155), already L2-normalised by
  `get_audio_embedding` (model.py:741); normalised again here, which changes nothing.
- text_backbone.npy, x_t: what `model.model.text_projection` receives, for RoBERTa the
  `pooler_output` of the text branch, as `encode_text` uses it (model.py:629-636), 768-d.
- text.npy, E_t: `get_text_embedding` (hook.py:194-218; normalised in model.py:716).
- labels.npy, folds.npy, items.txt: ESC-50's target, fold and file name per clip; classes.txt the
  class names in target order, underscores as spaces.
Clips go to `get_audio_embedding_from_filelist` one batch at a time: that call stacks every file it
is given into one tensor (hook.py:136-152). ESC-50's 5 s clips are shorter than LAION-CLAP's 10 s,
so they are repeat-padded (training/data.py:470-482), never randomly truncated, and the export is
deterministic (with --fusion too: short clips get four copies of the same mel, data.py:497-501).
"""
import argparse

import torch

from esc50_bundle import DEFAULT_PROMPT, Esc50, ProjectionInput, batches, parse_folds, write_bundle


def main(argv=None):
    p = argparse.ArgumentParser(description="ESC-50 embedding bundle from LAION-CLAP (x_a, E_a, x_t, E_t).")
    p.add_argument("--esc50", required=True, help="ESC-50 folder (meta/esc50.csv, audio/)")
    p.add_argument("--out", required=True, help="bundle folder to write")
    p.add_argument("--ckpt", help="checkpoint file (default: LAION-CLAP downloads the one --model-id names)")
    p.add_argument("--model-id", type=int, default=-1,
                   help="LAION-CLAP's pretrained id, 0-3 (default -1: 1, or 3 with --fusion)")
    p.add_argument("--fusion", action="store_true", help="the feature-fusion model (enable_fusion=True)")
    p.add_argument("--amodel", default="HTSAT-tiny", help="audio model config (default: %(default)s)")
    p.add_argument("--tmodel", default="roberta", help="text model (default: %(default)s)")
    p.add_argument("--prompt", default=DEFAULT_PROMPT, help="class prompt, {class} replaced (default: %(default)s)")
    p.add_argument("--batch-size", type=int, default=32, help="clips and prompts per forward pass")
    p.add_argument("--folds", help="comma-separated ESC-50 folds (default: all)")
    p.add_argument("--device", help="torch device (default: LAION-CLAP's choice, cuda:0 when available)")
    args = p.parse_args(argv)

    import laion_clap  # CLAP_Module (laion_clap/__init__.py -> hook.py)
    esc50 = Esc50(args.esc50, parse_folds(args.folds))
    wrapper = laion_clap.CLAP_Module(enable_fusion=args.fusion, device=args.device,
                                     amodel=args.amodel, tmodel=args.tmodel)
    wrapper.load_ckpt(ckpt=args.ckpt, model_id=args.model_id, verbose=False)
    model = wrapper.model
    audio_in = ProjectionInput(model.audio_projection)
    text_in = ProjectionInput(model.text_projection)
    try:
        with torch.no_grad():
            audio = torch.cat([torch.as_tensor(wrapper.get_audio_embedding_from_filelist(x=chunk, use_tensor=False))
                               for chunk in batches(esc50.paths, args.batch_size)])
            audio_backbone = audio_in.take()
            text = torch.cat([torch.as_tensor(wrapper.get_text_embedding(chunk, use_tensor=False))
                              for chunk in batches(esc50.prompts(args.prompt), args.batch_size)])
            text_backbone = text_in.take()
    finally:
        audio_in.close()
        text_in.close()
    write_bundle(args.out, esc50, audio.numpy(), audio_backbone, text.numpy(), text_backbone)


if __name__ == "__main__":
    main()
