"""The generator version a repository needs: ``infragenVersion`` in ``infragen.yaml``.

A repository whose specs or generated files need a newer generator says so with a PEP 440
specifier (``infragenVersion: ">=0.9"``). :func:`require` compares it with the running
generator before any input is schema-checked, so an older generator (the Atlantis server's,
say) stops with one error at that line instead of "unknown field" errors about fields it does
not know yet, or a "stale" verdict about files a newer generator wrote. The field is optional:
without it nothing is compared. docs/design.md, "Generator versions".
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import GeneratorVersionError, SpecError

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

    from generator.spec.document import Document

# packaging, importlib.metadata and the YAML reader are imported where a requirement is stated:
# every command loads the repository through require(), and most repositories state none.

SETTINGS_FILE = "infragen.yaml"
FIELD = "infragenVersion"
DISTRIBUTION = "infragen"
UNKNOWN = "0+unknown"  # the version of a generator run from a source tree that was never installed
EXAMPLE = '">=0.9" or ">=0.9, <2"'


def running_version() -> str:
    """The running generator's version, from the installed distribution's metadata."""
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return UNKNOWN


def requirement(doc: Document) -> tuple[str, SpecifierSet] | None:
    """The specifier ``doc`` (infragen.yaml) states, as written and parsed; None without one.
    Raises :class:`SpecError` at the field's line when it is not a PEP 440 specifier."""
    data = doc.data
    if not isinstance(data, dict) or FIELD not in data:
        return None  # not a mapping: the schema check of infragen.yaml reports it
    value = data[FIELD]
    if not isinstance(value, str):
        shown = "nothing" if value is None else f"{value!r} ({type(value).__name__})"
        message = f"YAML read {shown}; write a quoted PEP 440 specifier such as {EXAMPLE}"
        raise SpecError([doc.problem((FIELD,), message)])
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        found = SpecifierSet(value)
    except InvalidSpecifier as exc:
        message = f"not a version specifier: {value!r} ({exc}); write a PEP 440 specifier such as {EXAMPLE}"
        raise SpecError([doc.problem((FIELD,), message)]) from None
    if not str(found):
        raise SpecError([doc.problem((FIELD,), f"empty; write a PEP 440 specifier such as {EXAMPLE}")])
    return value.strip(), found


def satisfied(wanted: SpecifierSet, running: str) -> bool:
    """Whether version ``running`` satisfies ``wanted`` (a pre-release or dev build by its order:
    0.10.0.dev1 satisfies >=0.9). A version string PEP 440 cannot read satisfies nothing."""
    from packaging.version import InvalidVersion, Version

    try:
        return wanted.contains(Version(running), prereleases=True)
    except InvalidVersion:
        return False


def require(root: Path, running: str | None = None) -> None:
    """Stop with :class:`GeneratorVersionError` when ``root``'s infragen.yaml needs another
    generator than the running one (``running``: its version, for tests). Reads only that file."""
    path = root / SETTINGS_FILE
    if not path.is_file():
        return
    from generator.spec.document import load as load_yaml

    doc = load_yaml(path, root)
    stated = requirement(doc)
    if stated is None:
        return
    wanted, specifier = stated
    version = running if running is not None else running_version()
    if satisfied(specifier, version):
        return
    message = (
        f"this repository needs infragen {wanted}, the server runs {version}: upgrade the infragen that runs "
        "this command (for the Atlantis gate: release infragen, then update the server image; docs/atlantis.md, "
        '"Generator versions"); no spec was checked and nothing was written'
    )
    raise GeneratorVersionError(doc.problem((FIELD,), message), wanted=wanted, running=version)
