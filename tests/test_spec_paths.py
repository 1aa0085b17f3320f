"""The reader names files without pathlib (generator/spec/load.py): its suffix and stem of a file
name are pathlib's, whatever the name."""

from __future__ import annotations

from pathlib import PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.spec.load import _stem, _suffix

# file names as a folder lists them: no "/", not "." or ".." (dots and a few letters, to reach the edge cases)
NAMES = st.text(alphabet=".aby_-", min_size=1, max_size=8).filter(lambda n: n not in (".", ".."))


@settings(max_examples=400, deadline=None)
@given(name=NAMES, folder=st.sampled_from(["", "services/a/environments/"]))
def test_suffix_and_stem_are_pathlibs(name: str, folder: str) -> None:
    assert _suffix(name) == PurePosixPath(name).suffix
    assert _stem(folder + name) == PurePosixPath(folder + name).stem
