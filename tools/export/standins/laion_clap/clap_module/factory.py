"""Stand-in for laion_clap 1.1.6's src/laion_clap/clap_module/factory.py: `load_state_dict` (lines 53-71)
as in the real file, and the non-OpenAI path of `create_model` (lines 73-142) with one tiny model config
in place of model_configs/*.json (same keys as HTSAT-tiny.json, sizes cut down)."""
import logging
from copy import deepcopy

from packaging import version
import torch
import transformers

from .model import CLAP

# model_configs/HTSAT-tiny.json: embed_dim 768, audio_length 1024, clip_samples 480000, mel_bins 64,
# sample_rate 48000, window_size 1024, hop_size 480, fmin 50, fmax 14000, class_num 527, HTSAT tiny.
_MODEL_CONFIGS = {
    "HTSAT-tiny": {
        "embed_dim": 12,
        "audio_cfg": {"audio_length": 1024, "clip_samples": 480000, "mel_bins": 16, "sample_rate": 48000,
                      "window_size": 1024, "hop_size": 480, "fmin": 50, "fmax": 14000, "class_num": 7,
                      "model_type": "HTSAT", "model_name": "tiny"},
        "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 512, "heads": 8, "layers": 12},
    }
}


def load_state_dict(checkpoint_path: str, map_location="cpu", skip_params=True):
    checkpoint = torch.load(checkpoint_path, map_location=map_location)
    if isinstance(checkpoint, dict) and "state_dict" in checkpoint:
        state_dict = checkpoint["state_dict"]
    else:
        state_dict = checkpoint
    if skip_params:
        if next(iter(state_dict.items()))[0].startswith("module"):
            state_dict = {k[7:]: v for k, v in state_dict.items()}

        # removing position_ids to maintain compatibility with latest transformers update
        if version.parse(transformers.__version__) >= version.parse("4.31.0") and "text_branch.embeddings.position_ids" in state_dict:
            del state_dict["text_branch.embeddings.position_ids"]
    return state_dict


def create_model(amodel_name: str, tmodel_name: str, pretrained: str = "", precision: str = "fp32",
                 device: torch.device = torch.device("cpu"), jit: bool = False, force_quick_gelu: bool = False,
                 openai_model_cache_dir: str = "", skip_params=True, pretrained_audio: str = "",
                 pretrained_text: str = "", enable_fusion: bool = False, fusion_type: str = 'None'):
    amodel_name = amodel_name.replace("/", "-")
    if amodel_name in _MODEL_CONFIGS:
        logging.info(f"Loading {amodel_name} model config.")
        model_cfg = deepcopy(_MODEL_CONFIGS[amodel_name])
    else:
        raise RuntimeError(f"Model config for {amodel_name} not found.")
    model_cfg["text_cfg"]["model_type"] = tmodel_name
    model_cfg["enable_fusion"] = enable_fusion
    model_cfg["fusion_type"] = fusion_type
    model = CLAP(**model_cfg)
    model.to(device=device)
    return model, model_cfg
