"""YAML reading for the corpus, policy files and front matter: libyaml's C parser when PyYAML was built with it
(several times faster than the pure-Python one, and the corpus is read on every start), else the Python parser.
Both are the safe loader: plain data only, the same resolvers, errors raised as yaml.YAMLError."""

from __future__ import annotations

from typing import Any

import yaml

SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAMLError = yaml.YAMLError


def load_yaml(text: str, loader: Any = None) -> Any:
    """The data in a YAML document (None for an empty one); `loader` for a subclass of SafeLoader."""
    return yaml.load(text, Loader=loader or SafeLoader)  # noqa: S506 - a safe loader
