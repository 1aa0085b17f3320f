"""`infragen affected` on a real temporary git repository with commits of every kind."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import git
import pytest
from conftest import copy_inputs, run_cli

from generator import generate
from generator.errors import CommandError
from generator.tools.affected import affected

ALL = {f"{env}-{s}" for env in ("production", "staging") for s in ("bpg", "core", "demo-service", "klausapproves")} | {
    f"{env}-team-{t}" for env in ("production", "staging") for t in ("growth", "infra", "payments")
}  # the alerts roots (one per team and account) read the account file too
ACTOR = git.Actor("infragen tests", "tests@infragen.invalid")


def _commit(repo: git.Repo, message: str) -> str:
    repo.git.add(A=True)
    return repo.index.commit(message, author=ACTOR, committer=ACTOR).hexsha


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, path
    path.write_text(text.replace(old, new, 1))


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = copy_inputs(tmp_path_factory.mktemp("affected") / "repo", outputs=True)
    (root / "README.md").write_text("# infra\n")
    repo = git.Repo.init(root)
    commits = {"base": _commit(repo, "base")}
    _edit(root / "services/core/service.yaml", "description:", "description: Edited.")
    commits["spec"] = _commit(repo, "spec")
    (root / "modules/aws/rds/main.tf").write_text((root / "modules/aws/rds/main.tf").read_text() + "\n# tweak\n")
    commits["module"] = _commit(repo, "module")
    _edit(root / "accounts/staging/account.yaml", "cost-center: CC-100", "cost-center: CC-101")
    commits["account"] = _commit(repo, "account")
    (root / "README.md").write_text("# infra\n\nmore words\n")
    commits["readme"] = _commit(repo, "readme")
    return root, commits


def _names(root: Path, base: str, head: str | None) -> set[str]:
    return {p.name for p in affected(root, base, head).projects}


def test_a_spec_change_plans_that_service_in_every_account(history: tuple[Path, dict[str, str]]) -> None:
    root, c = history
    report = affected(root, c["base"], c["spec"])
    assert report.changed == ("services/core/service.yaml",)
    assert {p.name for p in report.projects} == {"production-core", "staging-core"}
    for project in report.projects:
        assert [m.file for m in project.reasons] == ["services/core/service.yaml"]
        assert project.reasons[0].pattern == "../../../../services/core/service.yaml"


def test_a_module_change_plans_every_project_that_reaches_it(history: tuple[Path, dict[str, str]]) -> None:
    root, c = history
    report = affected(root, c["spec"], c["module"])
    expected = {f"{env}-{s}" for env in ("production", "staging") for s in ("core", "klausapproves")}
    assert {p.name for p in report.projects} == expected  # the two services with a postgres database
    for project in report.projects:
        assert project.reasons[0].file == "modules/aws/rds/main.tf"


def test_an_account_change_plans_every_project_of_that_account(history: tuple[Path, dict[str, str]]) -> None:
    root, c = history
    assert _names(root, c["module"], c["account"]) == {n for n in ALL if n.startswith("staging-")}


def test_an_unrelated_change_plans_nothing(history: tuple[Path, dict[str, str]]) -> None:
    root, c = history
    report = affected(root, c["account"], c["readme"])
    assert report.changed == ("README.md",)
    assert report.projects == ()


def test_a_range_collects_every_reason(history: tuple[Path, dict[str, str]]) -> None:
    root, c = history
    production = {"production-core", "production-klausapproves"}
    assert _names(root, c["base"], c["readme"]) == {n for n in ALL if n.startswith("staging-")} | production
    report = affected(root, c["base"], c["readme"])
    core = next(p for p in report.projects if p.name == "staging-core")
    assert [m.file for m in core.reasons] == [
        "accounts/staging/account.yaml",
        "modules/aws/rds/main.tf",
        "services/core/service.yaml",
    ]


def test_working_tree_changes_and_untracked_files_count(history: tuple[Path, dict[str, str]]) -> None:
    root, c = history
    spec = root / "services/bpg/service.yaml"
    original = spec.read_text()
    extra = root / "modules/platform/queue/extra.tf"
    try:
        _edit(spec, "description:", "description: Edited.")
        readers = {f"{env}-{s}" for env in ("production", "staging") for s in ("bpg", "klausapproves")}
        assert _names(root, c["readme"], None) == readers
        extra.write_text("# untracked\n")
        assert _names(root, c["readme"], None) == readers  # only bpg has a queue
        assert "modules/platform/queue/extra.tf" in affected(root, c["readme"], None).changed
    finally:
        spec.write_text(original)
        extra.unlink(missing_ok=True)


def test_cli_text_json_and_bad_ref(history: tuple[Path, dict[str, str]]) -> None:
    root, c = history
    text = run_cli("affected", "--base", c["base"], "--head", c["spec"], "--root", str(root))
    assert text.code == 0, text.stderr
    assert "staging-core  (accounts/staging/services/core)" in text.stdout
    assert "services/core/service.yaml  (when_modified ../../../../services/core/service.yaml)" in text.stdout
    data = json.loads(
        run_cli("affected", "--base", c["spec"], "--head", c["module"], "--json", "--root", str(root)).stdout
    )
    assert data["changed"] == ["modules/aws/rds/main.tf"]
    assert len(data["projects"]) == 4
    none = run_cli("affected", "--base", c["account"], "--head", c["readme"], "--root", str(root))
    assert "no Atlantis project is affected" in none.stdout
    bad = run_cli("affected", "--base", "no-such-ref", "--root", str(root))
    assert bad.code == 1 and "unknown git ref" in bad.stderr
    with pytest.raises(CommandError):
        affected(root, "no-such-ref")


def test_markdown_for_a_pull_request_comment(history: tuple[Path, dict[str, str]]) -> None:
    root, c = history
    result = run_cli("affected", "--base", c["base"], "--head", c["spec"], "--markdown", "--root", str(root))
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "### Atlantis projects this change plans"
    assert "| project | dir | changed files (pattern) |" in lines
    assert (
        "| `staging-core` | `accounts/staging/services/core` | "
        "`services/core/service.yaml` (`../../../../services/core/service.yaml`) |"
    ) in lines
    none = run_cli("affected", "--base", c["account"], "--head", c["readme"], "--markdown", "--root", str(root))
    assert "No Atlantis project is affected." in none.stdout
    both = run_cli("affected", "--base", c["base"], "--json", "--markdown", "--root", str(root))
    assert both.code == 2 and "choose one of --json and --markdown" in both.stderr


FANOUT = Path(__file__).parent / "golden" / "fanout" / "input"


@pytest.fixture
def fanout(tmp_path: Path) -> tuple[Path, git.Repo]:
    """The fan-out case, generated and committed, with reports' subscription removed: the base."""
    root = tmp_path / "repo"
    shutil.copytree(FANOUT, root)
    _edit(root / "services/reports/service.yaml", "    subscribe: [{topic: ledger-events}]\n", "")
    generate(root)
    repo = git.Repo.init(root)
    _commit(repo, "base")
    return root, repo


def _subscribe(root: Path) -> None:
    _edit(
        root / "services/reports/service.yaml",
        "    type: queue\n",
        "    type: queue\n    subscribe: [{topic: ledger-events}]\n",
    )
    generate(root)


def test_the_reviews_come_from_the_base_branchs_codeowners(fanout: tuple[Path, git.Repo]) -> None:
    root, repo = fanout
    _subscribe(root)
    # the pull request also drops the topic owner's line: GitHub still reads the base's
    _edit(root / "CODEOWNERS", "/accounts/*/services/*/references-payments.tf @acme/payments\n", "")
    head = _commit(repo, "subscribe")
    report = affected(root, "HEAD~1", head)
    assert report.codeowners == "CODEOWNERS"
    required = {r.owners: r.files for r in report.reviews}
    assert required[("@acme/payments",)] == ("accounts/dev/services/reports/references-payments.tf",)
    assert "accounts/dev/services/reports/main.tf" in required[("@acme/platform",)]
    assert "services/reports/service.yaml" in required[("@acme/platform",)]  # reports is the platform's
    data = json.loads(run_cli("affected", "--base", "HEAD~1", "--head", head, "--json", "--root", str(root)).stdout)
    assert {"owners": ["@acme/payments"], "files": ["accounts/dev/services/reports/references-payments.tf"]} in (
        data["reviews"]
    )
    text = run_cli("affected", "--base", "HEAD~1", "--head", head, "--root", str(root)).stdout
    assert "reviews GitHub requires (the base's CODEOWNERS), one approval each:\n" in text
    assert "  @acme/payments\n    accounts/dev/services/reports/references-payments.tf\n" in text
    markdown = run_cli("affected", "--base", "HEAD~1", "--head", head, "--markdown", "--root", str(root)).stdout
    assert "| @acme/payments | `accounts/dev/services/reports/references-payments.tf` |" in markdown


def test_without_codeowners_on_the_base_no_review_is_required(fanout: tuple[Path, git.Repo]) -> None:
    root, repo = fanout
    (root / "CODEOWNERS").unlink()
    _commit(repo, "no codeowners")
    _subscribe(root)  # writes CODEOWNERS again: the head's does not count
    report = affected(root, "HEAD")
    assert report.codeowners is None and report.reviews == ()
    assert "the base has no CODEOWNERS" in run_cli("affected", "--base", "HEAD", "--root", str(root)).stdout
