"""Where the generator's own files are: its code, templates/ and schemas/. The no-op stamp
(generator.write.stamp) and the generator digest of the cache keys (generator.plan.keys) read them."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
