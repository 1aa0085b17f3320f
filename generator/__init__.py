"""infragen: service specs in, reviewable Terraform roots and atlantis.yaml out.

Public API::

    from generator import find_root, validate, outputs, generate

The names are looked up on first use (PEP 562), so importing one stage (``generator.cli``,
``generator.spec.naming``) does not load the whole pipeline: ``gen`` with nothing to do never
imports jinja2, and ``compile`` never imports the writer.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from generator import compiled

compiled.install()  # before any model class is defined: its dataclass methods compiled once per installation

if TYPE_CHECKING:
    from generator.api import Result, generate, outputs, validate
    from generator.errors import InfragenError, Problem, SpecError
    from generator.spec.root import find_root

__all__ = ["InfragenError", "Problem", "Result", "SpecError", "find_root", "generate", "outputs", "validate"]

_HOMES = {
    "Result": "generator.api",
    "generate": "generator.api",
    "outputs": "generator.api",
    "validate": "generator.api",
    "InfragenError": "generator.errors",
    "Problem": "generator.errors",
    "SpecError": "generator.errors",
    "find_root": "generator.spec.root",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'generator' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
