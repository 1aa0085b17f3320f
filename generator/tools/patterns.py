"""Path patterns as Atlantis and GitHub read them.

Atlantis matches ``autoplan.when_modified`` with moby's ``patternmatcher`` (the ``.dockerignore``
rules): each pattern is joined to the project dir and cleaned, ``*`` and ``?`` never cross ``/``,
``**`` crosses any number of directories, a leading ``!`` excludes again, later patterns win,
and a pattern that matches a parent directory of a file matches the file.

GitHub reads ``CODEOWNERS`` with gitignore rules and the last matching line wins.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

_ESCAPE = set(".+()|{}$^")


@dataclass(frozen=True)
class Match:
    file: str
    pattern: str  # as written in when_modified


def _clean(path: str) -> str:
    cleaned = posixpath.normpath(path)
    return "" if cleaned == "." else cleaned


@cache
def _dockerignore_regex(pattern: str) -> re.Pattern[str]:
    """moby patternmatcher: a cleaned pattern as an anchored regex."""
    out = ["^"]
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            if i + 1 < len(pattern) and pattern[i + 1] == "*":
                i += 1
                if i + 1 < len(pattern) and pattern[i + 1] == "/":
                    i += 1  # "**/" is "**"
                out.append(".*" if i + 1 == len(pattern) else "(.*/)?")
            else:
                out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "\\":
            i += 1
            out.append("\\" + pattern[i] if i < len(pattern) else "\\\\")
        elif ch in "[]":
            out.append(ch)
        elif ch in _ESCAPE:
            out.append("\\" + ch)
        else:
            out.append(ch)
        i += 1
    out.append("$")
    return re.compile("".join(out))


def _dockerignore_match(pattern: str, path: str) -> bool:
    """One pattern against a path or any of its parent directories."""
    regex = _dockerignore_regex(pattern)
    if regex.match(path):
        return True
    parts = path.split("/")[:-1]
    return any(regex.match("/".join(parts[: i + 1])) for i in range(len(parts)))


def when_modified_match(project_dir: str, patterns: Sequence[str], file: str) -> str | None:
    """The ``when_modified`` pattern that makes Atlantis plan ``project_dir`` for ``file``, or None.

    ``file`` is repo-relative, as Atlantis lists a pull request's modified files.
    """
    matched: str | None = None
    for raw in patterns:
        written = raw.strip()
        exclusion = written.startswith("!")
        body = written[1:] if exclusion else written
        if not body:
            continue
        full = _clean(posixpath.join(project_dir, body))
        if exclusion != (matched is not None):
            continue  # inclusions only matter until matched, exclusions only after
        if _dockerignore_match(full, file):
            matched = None if exclusion else written
    return matched


def triggered(project_dir: str, patterns: Sequence[str], files: Iterable[str]) -> list[Match]:
    """Every file of ``files`` that makes Atlantis plan the project, with the pattern that did it."""
    result = []
    for file in sorted(set(files)):
        pattern = when_modified_match(project_dir, patterns, file)
        if pattern is not None:
            result.append(Match(file, pattern))
    return result


@cache
def _codeowners_regex(pattern: str) -> re.Pattern[str]:
    """A CODEOWNERS (gitignore) pattern as a regex over repo-relative file paths."""
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    directory = pattern.endswith("/")
    body = pattern.strip("/")
    out = []
    i = 0
    while i < len(body):
        ch = body[i]
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if body.startswith("/**", i) and i + 3 == len(body):
            out.append("/.*")
            i += 3
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        else:
            out.append(re.escape(ch))
        i += 1
    prefix = "^" if anchored else "^(?:.*/)?"
    # a pattern names a file or a directory; a directory owns everything below it
    suffix = "/.*$" if directory else "(?:/.*)?$"
    return re.compile(prefix + "".join(out) + suffix)


def codeowners_match(pattern: str, file: str) -> bool:
    return _codeowners_regex(pattern).match(file) is not None


def parse_codeowners(text: str) -> list[tuple[str, str]]:
    """The (pattern, owners) lines of a CODEOWNERS file: blank lines and comments skipped, the
    owners as written, space separated ('' for a line that names none)."""
    rules = []
    for line in text.splitlines():
        words = line.split("#", 1)[0].split() if not line.lstrip().startswith("#") else []
        if words:
            rules.append((words[0], " ".join(words[1:])))
    return rules


def owners(rules: Sequence[tuple[str, str]], file: str) -> str | None:
    """GitHub's answer for ``file``: the owners of the last matching (pattern, owners) rule."""
    found = None
    for pattern, who in rules:
        if codeowners_match(pattern, file):
            found = who
    return found
