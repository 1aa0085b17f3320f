"""infragen: service specs in, reviewable Terraform roots and atlantis.yaml out.

Public API::

    from generator import find_root, validate, outputs, generate
"""

from .api import Result, generate, outputs, validate
from .errors import InfragenError, Problem, SpecError
from .load import find_root

__all__ = ["InfragenError", "Problem", "Result", "SpecError", "find_root", "generate", "outputs", "validate"]
