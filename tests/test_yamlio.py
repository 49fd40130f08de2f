"""The fast YAML reader reads the corpus exactly as PyYAML's pure-Python safe loader does, and refuses the same."""

from __future__ import annotations

import pytest
import yaml

from assistant.config import CORPUS_DIR
from assistant.yamlio import SafeLoader, YAMLError, load_yaml


@pytest.mark.parametrize("path", sorted(CORPUS_DIR.rglob("*.yaml")), ids=lambda p: str(p.relative_to(CORPUS_DIR)))
def test_every_corpus_file_reads_the_same_as_the_python_parser(path):
    text = path.read_text(encoding="utf-8")
    assert load_yaml(text) == yaml.safe_load(text)


def test_the_c_parser_is_used_when_pyyaml_has_it():
    assert SafeLoader is (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)


@pytest.mark.parametrize("text", ["a: [1, 2", "!!python/object:os.system {}", "key: value\n  bad: indent"])
def test_bad_or_unsafe_documents_are_refused(text):
    with pytest.raises(YAMLError):
        load_yaml(text)
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
