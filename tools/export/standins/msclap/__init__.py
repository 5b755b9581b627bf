"""Stand-in for msclap 1.3.3 (github.com/microsoft/CLAP, commit e8a6467): the public API and module
tree of the real package, with tiny layers, so that tools/export/msclap_bundle.py is tested here.

As msclap/__init__.py:1, `CLAP` is the wrapper; its model is `CLAP(...).clap` (CLAPWrapper.py:58).
"""
from .CLAPWrapper import CLAPWrapper as CLAP
