"""The README walkthrough as code: a copy of this repository with the service `invoices` added.

A service owner's pull request adds a spec and the files `make gen` writes, and CI then runs
`make test` on that branch. The tool's tests must stay green for any valid repository, so this
module builds exactly such a branch: `invoices`, owned by payments, with a postgres database and
a queue, calling `bpg`, behind external ingress, autoscaled, with an environment file that sets a
variable, a secret reference and an override. It is used twice:

- `tests/test_added_service.py` (inside `make test`): the live-repository gate and the tests
  that used to hard-code today's services, run in the copy;
- `make test-added-service` (CI, `.ci/run`): the whole `make test` in the copy.

Usage: `python tests/walkthrough.py DEST` copies the repository (tracked and untracked files
that git does not ignore, as a fresh clone would have them after `git add`) to DEST, commits it
to a new git repository there and adds the service with the real CLI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
SERVICE = "invoices"


def copy_repository(dest: Path, source: Path = REPO) -> Path:
    """Copy the work tree's files (what a clone plus uncommitted work holds) to a new git repo."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=source,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    dest.mkdir(parents=True)
    for raw in listed:
        if not raw:
            continue
        rel = Path(os.fsdecode(raw))
        src = source / rel
        if not src.exists() and not src.is_symlink():
            continue  # deleted in the work tree, not yet committed
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            target.symlink_to(os.readlink(src))
        else:
            shutil.copy2(src, target)
    _git(dest, "init", "-q", "-b", "main")
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "-m", "copy of the repository")
    return dest


def _git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "walkthrough",
        "GIT_AUTHOR_EMAIL": "walkthrough@example.invalid",
        "GIT_COMMITTER_NAME": "walkthrough",
        "GIT_COMMITTER_EMAIL": "walkthrough@example.invalid",
    }
    subprocess.run(["git", *args], cwd=root, check=True, env=env)


def infragen(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI of the repository under test, as `make gen` calls it."""
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "INFRAGEN_NO_STAMP": "1"},
        timeout=300,
    )


def _edit(path: Path, change: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def add_service(root: Path) -> list[str]:
    """Step 1-3 of the README: scaffold, declare what it calls and uses, environment files, gen.

    Returns the paths the pull request adds or changes, as `git status` shows them.
    """
    scaffold = infragen(
        root,
        "new",
        "service",
        SERVICE,
        "--owner",
        "payments",
        "--datastore",
        f"postgres:{SERVICE}-db",
        "--datastore",
        f"queue:{SERVICE}-jobs",
        "--external-domain",
        f"{SERVICE}.lemon.com",
    )
    if scaffold.returncode != 0:
        raise RuntimeError(f"infragen new service failed:\n{scaffold.stdout}{scaffold.stderr}")
    service_dir = root / "services" / SERVICE

    def spec(data: dict[str, object]) -> None:
        body = data["spec"]
        assert isinstance(body, dict)
        body["resources"] = {"cpu": 512, "memory": 1024}
        body["desiredCount"] = 2
        body["autoscaling"] = {"resource": "cpu", "target": 70, "min": 2, "max": 6}
        body["dependencies"]["services"] = ["bpg"]

    _edit(service_dir / "service.yaml", spec)

    def production(data: dict[str, object]) -> None:
        data["variables"] = {"LOG_LEVEL": "info", "INVOICE_PREFIX": "INV"}
        data["secrets"] = {"FEATURE_TOKEN": {"ssmParameter": f"/{SERVICE}/feature-token"}}
        overrides = data.setdefault("overrides", {})
        assert isinstance(overrides, dict)
        overrides["datastores"] = {f"{SERVICE}-db": {"instanceClass": "db.r6g.large", "storageGb": 100}}

    _edit(service_dir / "environments" / "production.yaml", production)
    generated = infragen(root, "gen")
    if generated.returncode != 0:
        raise RuntimeError(f"infragen gen failed:\n{generated.stdout}{generated.stderr}")
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=root, capture_output=True, text=True, check=True
    )
    return sorted(line[3:] for line in status.stdout.splitlines())


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/walkthrough.py DEST", file=sys.stderr)
        return 2
    dest = Path(argv[0]).resolve()
    if dest.exists():
        print(f"{dest} exists; remove it first", file=sys.stderr)
        return 2
    copy_repository(dest)
    changed = add_service(dest)
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "-m", f"Add service {SERVICE}")
    print(f"{dest}: service {SERVICE} added; the pull request changes {len(changed)} file(s):")
    for path in changed:
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
