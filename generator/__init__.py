"""infragen: service specs in, reviewable Terraform roots and atlantis.yaml out.

Public API::

    from generator import find_root, validate, outputs, generate
"""

from generator.api import Result, generate, outputs, validate
from generator.errors import InfragenError, Problem, SpecError
from generator.spec.load import find_root

__all__ = ["InfragenError", "Problem", "Result", "SpecError", "find_root", "generate", "outputs", "validate"]
