"""How problems reach people and tools: text with the offending YAML line, or JSON.

Colours are added with click.style and stripped by click.echo when the stream is not a terminal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from generator.errors import InfragenError, NewFilesError, Problem
from generator.spec.secrets import redact_line

MAX_SHOWN = 160  # columns of a source line shown under a problem


def source_line(root: Path | None, problem: Problem, sources: Mapping[str, str] | None = None) -> str | None:
    """The line ``problem`` points at, or None when it cannot be read."""
    if problem.line < 1:
        return None
    if sources and problem.file in sources:
        lines = sources[problem.file].splitlines()
        return lines[problem.line - 1] if problem.line <= len(lines) else None
    if root is None:
        return None
    try:
        with (root / problem.file).open(encoding="utf-8") as handle:
            for number, text in enumerate(handle, start=1):
                if number == problem.line:
                    return text.rstrip("\r\n")
    except (OSError, UnicodeDecodeError):
        return None
    return None


def format_problem(
    problem: Problem, root: Path | None, sources: Mapping[str, str] | None = None, *, show_source: bool = True
) -> str:
    """``file:line:col: field: message``, then (with ``show_source``) the line and a caret under the column."""
    where = click.style(f"{problem.file}:{problem.line}:{problem.column}:", bold=True)
    field = f" {problem.field}:" if problem.field else ""
    lines = [f"{where}{field} {click.style(problem.message, fg='red')}"]
    text = source_line(root, problem, sources) if show_source else None
    if text is not None and text.strip():
        shown = redact_line(text).expandtabs(1)[:MAX_SHOWN]  # never echo a credential
        gutter = f"{problem.line:>5} | "
        lines.append(click.style(gutter, dim=True) + shown)
        caret = " " * (len(gutter) - 2) + "| " + " " * max(problem.column - 1, 0) + "^"
        if problem.column - 1 < len(shown):
            lines.append(click.style(caret, fg="red"))
    return "\n".join(lines)


# after the problems of files `infragen new` was about to create: they point into text never written
NOT_WRITTEN = (
    "nothing was written: the lines above are in the files this command would have created; "
    "change its options and run it again"
)


def format_error(error: InfragenError, root: Path | None, *, show_source: bool = True) -> str:
    """One problem per line (plus its source line with ``show_source``: the CLI does so on a terminal,
    so logs and scripts keep one line per problem)."""
    sources = error.sources if isinstance(error, NewFilesError) else None
    if error.problems:
        lines = [format_problem(p, root, sources, show_source=show_source) for p in error.problems]
        if sources is not None:
            lines.append(NOT_WRITTEN)
        return "\n".join(lines)
    return click.style(str(error), fg="red")


def error_json(error: InfragenError) -> dict[str, Any]:
    """The JSON printed for a failure under ``--json``; ``problems`` is empty for non-spec errors."""
    problems: Sequence[Problem] = error.problems
    return {
        "valid": False,
        "error": type(error).__name__,
        "message": str(error),
        "problems": [p.as_dict() for p in problems],
    }
