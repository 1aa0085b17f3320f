"""Module release channels: ``modules/channels.yaml`` says which version of modules/ each environment runs.

Without the file every environment runs ``main``: its roots call the local modules
(``../../../../modules/...``) and each root's Atlantis project lists the module files it reaches,
so a module change plans every environment at once. An environment on a release tag (made by
``infragen modules release``) calls ``git::<source>//modules/<group>/<name>?ref=<tag>`` instead:
a module change plans only the environments on ``main``, and promoting an environment is a one-line
change of this file that rewrites exactly that environment's roots (their ``source`` lines).

The file lives beside the modules it versions: the platform team owns it through the ``/modules/``
CODEOWNERS line, and it is no trigger of any Atlantis project (``infragen.yaml`` is one of every
Terragrunt project, so a promotion written there would plan every unit). It is read like
``infragen.yaml`` (generator/spec/version.py): one YAML document checked against its JSON Schema
(``schemas/channels.schema.json``), every problem at its file, line and field. docs/design.md,
"Release channels".
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from generator.errors import Problem, SpecError
from generator.spec import schema
from generator.spec.document import Document
from generator.spec.document import load as load_yaml
from generator.spec.models import MAIN, Channels

CHANNELS_FILE = "modules/channels.yaml"
TAG_PREFIX = "modules-v"
# modules-vMAJOR.MINOR.PATCH: semver without pre-release or build parts, prefixed so that module
# releases never collide with other tags of the repository (a generator release v0.9.0, say).
TAG = re.compile(r"^modules-v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
TAG_EXAMPLE = "modules-v1.4.0"


def tag_problem(name: str) -> str | None:
    """Why ``name`` is not a release tag name, or None when it is one."""
    if TAG.match(name):
        return None
    return f"{name!r} is not a module release tag; name it {TAG_PREFIX}MAJOR.MINOR.PATCH, e.g. {TAG_EXAMPLE}"


def tag_exists(repo_dir: Path, tag: str) -> bool | None:
    """Whether the git repository holding ``repo_dir`` has tag ``tag`` (None: not a git work tree)."""
    try:
        inside = subprocess.run(
            ["git", "rev-parse", "--is-inside-work-tree"], cwd=repo_dir, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    if inside.returncode != 0:
        return None
    found = subprocess.run(
        ["git", "rev-parse", "--quiet", "--verify", f"refs/tags/{tag}^{{commit}}"],
        cwd=repo_dir,
        capture_output=True,
        check=False,
    )
    return found.returncode == 0


def module_source(channels: Channels, env: str, local: str, modules_dir: str) -> str:
    """The ``source`` of a module call in ``env``: ``local`` (``<modules_dir>/<group>/<name>``,
    as written in the root) on main, the repository's ``git::`` address at the tag otherwise."""
    channel = channels.of(env)
    if channel == MAIN:
        return local
    prefix = modules_dir + "/"
    if not local.startswith(prefix) or channels.source is None:
        raise ValueError(f"{local}: not a local module source under {modules_dir}, or no source in {CHANNELS_FILE}")
    return f"{channels.source}//{channels.modules_path}/{local[len(prefix) :]}?ref={channel}"


def git_prefix(repo_dir: Path) -> str:
    """``repo_dir``'s path inside its git work tree ('' at the top, or outside git)."""
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--show-prefix"], cwd=repo_dir, capture_output=True, text=True, check=False
        )
    except OSError:
        return ""
    return found.stdout.strip().strip("/") if found.returncode == 0 else ""


def load(root: Path, envs: Iterable[str], git_dir: Path | None = None) -> tuple[Channels, list[Problem]]:
    """The channels of ``root`` (the defaults without the file) and the problems of the file.
    ``envs``: the repository's environments; ``git_dir``: where to look tags up (``root``)."""
    path = root / CHANNELS_FILE
    if not path.is_file():
        return Channels(), []
    try:
        doc = load_yaml(path, root)
    except SpecError as exc:
        return Channels(), list(exc.problems)
    if doc.data is None:
        doc = Document(file=doc.file, data={}, values=doc.values, keys=doc.keys)
    found = schema.check(doc, "service", sub=json.loads(schema.schema_text("channels")))  # kind unused with sub
    if found:
        return Channels(), found
    data = doc.data
    known = sorted(envs)
    problems: list[Problem] = []
    environments: dict[str, str] = {}
    for env, channel in (data.get("environments") or {}).items():
        field = ("environments", env)
        if env not in known:
            message = f"no environment {env!r}{schema.known(env, known, 'environments')}"
            problems.append(doc.problem(field, message, key=True))
            continue
        if channel != MAIN:
            exists = tag_exists(git_dir or root, channel)
            if exists is None:
                message = f"cannot check tag {channel!r}: {git_dir or root} is not in a git work tree"
                problems.append(doc.problem(field, message))
                continue
            if not exists:
                message = (
                    f"no tag {channel!r} in this repository; make it with 'infragen modules release {channel}' "
                    "(or fetch tags: git fetch --tags)"
                )
                problems.append(doc.problem(field, message))
                continue
        environments[env] = channel
    source = data.get("source")
    on_tag = sorted(env for env, channel in environments.items() if channel != MAIN)
    if on_tag and source is None:
        message = (
            f"missing: {', '.join(on_tag)} run a release tag, so roots need this repository's git address: "
            "add source: git::https://github.com/<org>/<repo>.git"
        )
        problems.append(Problem(doc.file, 1, 1, "source", message))
    if isinstance(source, str) and "//" in source.removeprefix("git::").split("://", 1)[-1]:
        message = f"{source!r} names a subdirectory (//); give the repository only, the roots add //modules/..."
        problems.append(doc.problem(("source",), message))
    # the tagged tree is the whole git repository: an infragen root in a subfolder keeps its prefix
    prefix = git_prefix(git_dir or root) if on_tag else ""
    modules_path = f"{prefix}/modules" if prefix else "modules"
    channels = Channels(doc.file, source, tuple(sorted(environments.items())), modules_path)
    return channels, problems
