"""Stand-in for laion_clap 1.1.6's src/laion_clap/clap_module/__init__.py (what hook.py imports)."""
from .factory import create_model
from .model import CLAP, CLAPTextCfg, CLAPAudioCfp
