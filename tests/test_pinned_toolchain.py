"""The toolchain `make` installs is pinned: constraints/dev.txt (the .venv: runtime, dev, sandbox and
bench extras) and constraints/tools.txt (checkov's .venv-tools) hold exact versions, the Makefile
installs with them, and `make lock` refreshes them on purpose. Without pins a fresh clone tested with
whatever was released that day (cryptography moved a major version between two clones a day apart
here), so CI could turn red, or a test's emulator could change, with no commit in this repository."""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)$")


def pins(name: str) -> dict[str, Version]:
    """constraints/<name>.txt: every line a comment or an exact `name==version` pin."""
    found: dict[str, Version] = {}
    for number, line in enumerate((REPO / "constraints" / name).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        match = PIN.match(line)
        assert match, f"constraints/{name}:{number}: not an exact pin: {line!r}"
        key = canonicalize_name(match["name"])
        assert key not in found, f"constraints/{name}:{number}: {match['name']} pinned twice"
        found[key] = Version(match["version"])
    return found


def requirements() -> list[Requirement]:
    """Everything pyproject.toml asks for: the dependencies and every extra's."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    named = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        named.extend(extra)
    return [Requirement(text) for text in named]


def test_every_requirement_is_pinned_within_its_range() -> None:
    pinned = pins("dev.txt")
    for requirement in requirements():
        key = canonicalize_name(requirement.name)
        assert key in pinned, f"{requirement.name} (pyproject.toml) has no pin in constraints/dev.txt: run `make lock`"
        assert requirement.specifier.contains(pinned[key], prereleases=True), (
            f"constraints/dev.txt pins {requirement.name}=={pinned[key]}, outside pyproject's {requirement}"
        )


def test_checkov_is_pinned_in_the_tools_constraints() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    wanted = Requirement(re.search(r"^CHECKOV\s*:=\s*(\S+)$", makefile, re.MULTILINE)[1])  # type: ignore[index]
    pinned = pins("tools.txt")
    assert wanted.specifier.contains(pinned[canonicalize_name(wanted.name)])


def test_every_pip_install_of_the_makefile_uses_the_constraints() -> None:
    """Each install line names its constraints file, except `make lock` (which makes them) and
    pip's own upgrade."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = ""
    unpinned = []
    for line in makefile.splitlines():
        if re.match(r"^[A-Za-z$(][^\t=]*:", line):
            recipe = line.split(":", 1)[0]
        elif (
            line.startswith("\t")
            and ("$(PIP)" in line or "pip install" in line)
            and recipe != "lock"
            and "-c constraints/" not in line
            and "--upgrade pip" not in line
        ):
            unpinned.append(line.strip())
    assert not unpinned, "installs without constraints:\n" + "\n".join(unpinned)


def test_this_environment_runs_the_pinned_versions() -> None:
    """The .venv running the suite has the pins of what pyproject names (the bench extra only when
    installed): `make` reinstalls when constraints/dev.txt changes."""
    pinned = pins("dev.txt")
    wrong = []
    for requirement in {canonicalize_name(r.name): r for r in requirements()}.values():
        try:
            installed = Version(metadata.version(requirement.name))
        except metadata.PackageNotFoundError:
            continue  # an extra this environment does not have (bench)
        if installed != pinned[canonicalize_name(requirement.name)]:
            wrong.append(f"{requirement.name} {installed} (pinned {pinned[canonicalize_name(requirement.name)]})")
    if wrong and Path(sys.prefix).resolve() != (REPO / ".venv").resolve():
        pytest.skip(f"not the Makefile's .venv ({sys.prefix}): " + ", ".join(wrong))
    assert not wrong, "the suite runs other versions than constraints/dev.txt pins (make dev reinstalls): " + ", ".join(
        wrong
    )
