"""Paths of a repository that stages on both sides of the pipeline name (imported on the no-op
path, so nothing else here)."""

from __future__ import annotations

# The module files whose `source` values decide which module folders a root reaches (the triggers
# of its Atlantis project): inputs of atlantis.yaml (generator/render/atlantis.py) and of the
# record of inputs that names why a file changed (generator/write/reasons.py).
MODULE_FILES = "modules/*/*/*.tf"
