"""generator.render.jinja: the templates print what they are given and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import UndefinedError

from generator.render import jinja

TEMPLATES = sorted(p.name for p in (Path(jinja.__file__).parent / "templates").glob("*.j2"))


def test_a_value_a_template_needs_and_is_not_given_is_an_error() -> None:
    with pytest.raises(UndefinedError, match="'backend' is undefined"):
        jinja.render("backend.tf.j2", header="# h")


def test_the_values_are_the_whole_context() -> None:
    """The values are the context itself (no copy of jinja's globals per render): a template that
    reached for a global would fail; none of the shipped ones does."""
    assert TEMPLATES
    for name in TEMPLATES:
        source = (Path(jinja.__file__).parent / "templates" / name).read_text(encoding="utf-8")
        for word in ("range(", "lipsum(", "cycler(", "joiner(", "namespace(", "dict("):
            assert word not in source, f"{name} uses the global {word[:-1]}"
    assert jinja.render("backend.tf.j2", header="# h", backend="  bucket = 1") == (
        '# h\n\nterraform {\n  backend "s3" {\n  bucket = 1\n  }\n}\n'
    )
