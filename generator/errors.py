"""The one error tree. The CLI catches :class:`InfragenError` and nothing else.

Anything that is not an ``InfragenError`` is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One actionable problem: ``file:line:col: field.path: message``."""

    file: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def as_dict(self) -> dict[str, str | int]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
        }


class InfragenError(Exception):
    """Base of every error a user can act on. Its text is what the user sees."""

    exit_code = 1

    @property
    def problems(self) -> Sequence[Problem]:
        return ()


class SpecError(InfragenError):
    """One or more problems in the input files, reported together."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self._problems = tuple(sorted(set(problems)))
        super().__init__("\n".join(str(p) for p in self._problems))

    @property
    def problems(self) -> Sequence[Problem]:
        return self._problems


class GeneratorVersionError(SpecError):
    """infragen.yaml's ``infragenVersion`` needs another generator than the running one: the one
    problem reported, before any spec is read (generator/spec/version.py)."""

    def __init__(self, problem: Problem, *, wanted: str, running: str) -> None:
        super().__init__([problem])
        self.wanted = wanted
        self.running = running


class OwnershipError(InfragenError):
    """The generator would overwrite or delete a file it does not own."""


class StaleOutputError(InfragenError):
    """``gen --check`` found generated files that differ from what the inputs produce."""


class RepoNotFoundError(InfragenError):
    """No repository root (with ``services/`` or ``accounts/``) was found."""


class ScaffoldError(InfragenError):
    """``infragen new`` was asked for something it cannot create (bad argument, existing service)."""


class UsageError(ScaffoldError):
    """A command-line argument is malformed (exit 2, like click's own usage errors)."""

    exit_code = 2


class NewFilesError(SpecError):
    """Problems found in files that were about to be created; ``sources`` holds their text."""

    def __init__(self, problems: Iterable[Problem], sources: Mapping[str, str]) -> None:
        super().__init__(problems)
        self.sources = dict(sources)


class CommandError(InfragenError):
    """A command's arguments do not fit the repository: an unknown service or git ref, nothing to prune."""


class UnknownNameError(CommandError):
    """A command names a service or ref that does not exist (exit 2: a usage error, with suggestions)."""

    exit_code = 2


class MissingModuleError(InfragenError):
    """A generated root (or a module) would call a module folder that is not in the repository."""

    def __init__(self, module: str, caller: str, detail: str = "") -> None:
        self.module = module
        self.caller = caller  # the root or module folder whose source names it
        self.detail = detail  # why, when the module is not simply unwritten
        super().__init__(
            detail
            or f"{caller}/ calls {module}/, which does not exist: write the module (docs/platform-cookbook.md) "
            "or fix the source"
        )


class ModuleDocsError(InfragenError):
    """A module's variables.tf or outputs.tf cannot be read to render its README tables."""


class InvariantError(Exception):
    """A condition the generator guarantees does not hold: a bug in infragen, not in the inputs.
    Raised explicitly where an ``assert`` would vanish under ``python -O``."""
