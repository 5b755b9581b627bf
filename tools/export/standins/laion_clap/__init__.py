"""Stand-in for laion_clap 1.1.6 (github.com/LAION-AI/CLAP, commit 1fd4c37): the public API
(`CLAP_Module`) and module tree of the real package with tiny layers, for tools/export/laion_clap_bundle.py.
This file is the real src/laion_clap/__init__.py: it puts its own folder on sys.path, as hook.py
imports `clap_module` as a top-level package."""
import os
import sys
dir_path = os.path.dirname(os.path.abspath(__file__))
sys.path.append(dir_path)
from .hook import CLAP_Module
