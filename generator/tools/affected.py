"""Which Atlantis projects a change plans, and why: `infragen affected --base REF [--head REF]`.

The changed files are those of a pull request from ``head`` into ``base``: the diff between their
merge base and ``head`` (or the working tree, untracked files included, when ``head`` is None).
The projects and their ``when_modified`` patterns are computed by the generator from the inputs
at ``head``, and each changed file is matched the way Atlantis matches it (see patterns.py), so a
module change lists every project that reaches the module, except those on a release tag
(modules/channels.yaml): they call the tagged code, which no change of the working tree reaches.
Each project says which modules its root runs (``modules``: main or the tag).

It also says which reviews GitHub will require: the code owners of each changed file, read from the
CODEOWNERS of ``base`` itself (GitHub reads the pull request's base branch, never its head, so a
line the change writes requires nothing of the change).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import git

from generator.errors import CommandError
from generator.plan import modules
from generator.plan.retired import retired_roots
from generator.render.atlantis import projects
from generator.render.terragrunt import all_projects as terragrunt_projects
from generator.render.terragrunt import flavor
from generator.spec.load import load_repo
from generator.spec.models import MAIN
from generator.tools.patterns import Match, owners, parse_codeowners, triggered

INPUT_PATHS = ("teams.yaml", "services", "accounts", "modules")
# where GitHub looks for CODEOWNERS, in its order: the first one found is used
CODEOWNERS_PLACES = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


@dataclass(frozen=True)
class AffectedProject:
    name: str
    dir: str
    reasons: tuple[Match, ...]  # each changed file that triggers it, with the pattern it matched
    modules: str = MAIN  # the modules its root runs: main (local) or a release tag (modules/channels.yaml)


@dataclass(frozen=True)
class Review:
    """One review GitHub requires: an approval by any one of ``owners``, for ``files``."""

    owners: tuple[str, ...]
    files: tuple[str, ...]  # infragen-root-relative, as ``Report.changed``


@dataclass(frozen=True)
class Report:
    base: str  # the merge-base commit the change is measured from
    head: str  # a commit, or "working tree"
    changed: tuple[str, ...]  # repo-relative (infragen root) paths
    projects: tuple[AffectedProject, ...]
    codeowners: str | None = None  # the base branch's CODEOWNERS the reviews come from (git path)
    reviews: tuple[Review, ...] = ()


def _commit(repo: git.Repo, ref: str) -> git.Commit:
    try:
        return repo.commit(ref)
    except (git.BadName, git.BadObject, ValueError) as exc:
        raise CommandError(f"unknown git ref {ref!r}: {exc}") from exc


def open_repository(root: Path, why: str = "") -> tuple[git.Repo, str]:
    """The git repository holding ``root`` and root's path inside it ('' at the top); ``why`` is
    added to the error when there is none."""
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise CommandError(f"{root} is not inside a git repository{why}") from exc
    top = Path(repo.working_tree_dir or root).resolve()
    prefix = root.resolve().relative_to(top).as_posix()
    return repo, "" if prefix == "." else prefix


def _under(prefix: str, path: str) -> str | None:
    if not prefix:
        return path
    pure = PurePosixPath(path)
    return pure.relative_to(prefix).as_posix() if pure.is_relative_to(prefix) else None


def changed_files(repo: git.Repo, prefix: str, base: git.Commit, head: git.Commit | None) -> list[str]:
    """Paths (relative to the infragen root) added, changed, deleted or renamed (both names)."""
    diffs = base.diff(head) if head is not None else base.diff(None)
    paths: set[str] = set()
    for item in diffs:
        paths.update(p for p in (item.a_path, item.b_path) if p)
    if head is None:
        paths.update(repo.untracked_files)
    relative = (_under(prefix, p) for p in paths)
    return sorted(p for p in relative if p is not None)


def _materialise(commit: git.Commit, prefix: str, dest: Path) -> None:
    """Write the generator's inputs (and generated roots) as they are at ``commit`` into ``dest``."""
    tree = commit.tree / prefix if prefix else commit.tree
    for name in INPUT_PATHS:
        try:
            entry = tree / name
        except KeyError:
            continue
        blobs: list[git.Blob] = []
        if isinstance(entry, git.Blob):
            blobs.append(entry)
        elif isinstance(entry, git.Tree):
            blobs.extend(item for item in entry.traverse() if isinstance(item, git.Blob))
        for blob in blobs:
            path = str(blob.path)
            target = dest / (_under(prefix, path) or path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob.data_stream.read())


def reviews(base: git.Commit, prefix: str, changed: list[str]) -> tuple[str | None, list[Review]]:
    """The CODEOWNERS GitHub reads at ``base`` (its git path, None without one) and the reviews it
    requires of ``changed``: per set of owners, the files whose last matching line names them. A
    file no line names, or whose line names nobody, needs no code owner's review."""
    for place in CODEOWNERS_PLACES:
        try:
            blob = base.tree / place
        except KeyError:
            continue
        if isinstance(blob, git.Blob):
            rules = parse_codeowners(blob.data_stream.read().decode("utf-8", "replace"))
            break
    else:
        return None, []
    needed: dict[tuple[str, ...], list[str]] = {}
    for file in changed:
        who = owners(rules, f"{prefix}/{file}" if prefix else file)
        if who:
            needed.setdefault(tuple(who.split()), []).append(file)
    return place, [Review(who, tuple(files)) for who, files in sorted(needed.items())]


def _affected(root: Path, changed: list[str], git_dir: Path) -> list[AffectedProject]:
    modules.clear_cache()
    repo = load_repo(root, git_dir=git_dir)
    if flavor(root) == "terragrunt":  # its units, alerts units and destroy-only units
        every, _ = terragrunt_projects(root, repo)
    else:
        every = projects(root, repo, retired_roots(root, repo))
    result = []
    for project in every:
        reasons = triggered(project.dir, project.when_modified, changed)
        if reasons:
            result.append(AffectedProject(project.name, project.dir, tuple(reasons), project.modules))
    return result


def affected(root: Path, base: str, head: str | None = None) -> Report:
    """The projects Atlantis plans for the change from ``base`` to ``head`` (None: the working tree)."""
    repo, prefix = open_repository(root)
    base_commit = _commit(repo, base)
    head_commit = _commit(repo, head) if head is not None else None
    tip = head_commit if head_commit is not None else repo.head.commit
    merge_bases = repo.merge_base(base_commit, tip)
    start = merge_bases[0] if merge_bases else base_commit
    changed = changed_files(repo, prefix, start, head_commit)
    if head_commit is None:
        found = _affected(root, changed, root)
    else:
        with tempfile.TemporaryDirectory(prefix="infragen-affected-") as tmp:
            _materialise(head_commit, prefix, Path(tmp))
            found = _affected(Path(tmp), changed, root)  # release tags are looked up in the repository
    place, required = reviews(base_commit, prefix, changed)  # the base branch, not the merge base
    return Report(
        base=start.hexsha,
        head=head_commit.hexsha if head_commit is not None else "working tree",
        changed=tuple(changed),
        projects=tuple(found),
        codeowners=place,
        reviews=tuple(required),
    )


def as_dict(report: Report) -> dict[str, object]:
    return {
        "base": report.base,
        "head": report.head,
        "changed": list(report.changed),
        "projects": [
            {
                "name": p.name,
                "dir": p.dir,
                "modules": p.modules,
                "reasons": [{"file": m.file, "pattern": m.pattern} for m in p.reasons],
            }
            for p in report.projects
        ],
        "codeowners": report.codeowners,
        "reviews": [{"owners": list(r.owners), "files": list(r.files)} for r in report.reviews],
    }


def _reviews_line(report: Report, markdown: bool = False) -> str:
    if report.codeowners is None:
        return "the base has no CODEOWNERS: GitHub requires no code owner's review"
    if not report.reviews:
        return f"no changed file has a code owner in the base's {report.codeowners}"
    if markdown:
        return (
            f"From the base's `{report.codeowners}` (GitHub never reads the pull request's own): one approval per row."
        )
    return f"reviews GitHub requires (the base's {report.codeowners}), one approval each:"


def as_text(report: Report) -> str:
    lines = []
    if not report.projects:
        lines.append(f"no Atlantis project is affected ({len(report.changed)} changed file(s))")
    for project in report.projects:
        on_tag = "" if project.modules == MAIN else f", modules {project.modules}"
        lines.append(f"{project.name}  ({project.dir}{on_tag})")
        lines.extend(f"  {m.file}  (when_modified {m.pattern})" for m in project.reasons)
    if report.changed:
        lines.append(_reviews_line(report))
        for review in report.reviews:
            lines.append(f"  {' or '.join(review.owners)}")
            lines.extend(f"    {file}" for file in review.files)
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Text for a markdown table cell: pipes, backticks and line breaks cannot break the table."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "'").replace("\n", " ")


def as_markdown(report: Report) -> str:
    """A pull request comment: each project the change plans and the files that trigger it."""
    head = "the working tree" if report.head == "working tree" else f"`{report.head[:12]}`"
    lines = [
        "### Atlantis projects this change plans",
        "",
        f"{len(report.projects)} project(s) from {len(report.changed)} changed file(s), "
        f"base `{report.base[:12]}`, head {head}.",
        "",
    ]
    if not report.projects:
        lines.append("No Atlantis project is affected.")
    else:
        lines += ["| project | dir | changed files (pattern) |", "|---|---|---|"]
    for project in report.projects:
        reasons = "<br>".join(f"`{_md(m.file)}` (`{_md(m.pattern)}`)" for m in project.reasons)
        on_tag = "" if project.modules == MAIN else f" (modules `{_md(project.modules)}`)"
        lines.append(f"| `{project.name}` | `{project.dir}`{on_tag} | {reasons} |")
    if report.changed:
        text = _reviews_line(report, markdown=True)
        lines += ["", "### Reviews GitHub requires", "", text[0].upper() + text[1:], ""]
    if report.reviews:
        lines += ["| code owners (any one) | changed files |", "|---|---|"]
        for review in report.reviews:
            files = "<br>".join(f"`{_md(f)}`" for f in review.files)
            lines.append(f"| {_md(' '.join(review.owners))} | {files} |")
    return "\n".join(lines) + "\n"
