"""Module release channels (modules/channels.yaml) and `infragen modules release`, on a real git
repository built from the fixture organization whose own file:// address is the module source."""

from __future__ import annotations

import json
import re
from pathlib import Path

import git
import pytest
from conftest import copy_inputs, run_cli
from tfenv import provider_available, run_terraform, terraform_binary

from generator.api import generate
from generator.errors import CommandError, SpecError
from generator.render.terragrunt import units
from generator.spec.load import load_repo
from generator.tools.release import release

ACTOR = git.Actor("infragen tests", "tests@infragen.invalid")
TAG = "modules-v1.0.0"
SERVICES = ("bpg", "core", "demo-service", "klausapproves")


def _commit(repo: git.Repo, message: str) -> str:
    repo.git.add(A=True)
    return repo.index.commit(message, author=ACTOR, committer=ACTOR).hexsha


def _channels(root: Path, **envs: str) -> None:
    lines = [f"source: git::file://{root}", "environments:", *(f"  {env}: {tag}" for env, tag in envs.items())]
    (root / "modules/channels.yaml").write_text("\n".join(lines) + "\n")


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _repository(path: Path) -> tuple[Path, git.Repo]:
    """The fixture organization, generated and committed, with modules release TAG."""
    root = copy_inputs(path)
    repo = git.Repo.init(root)
    generate(root)
    _commit(repo, "base")
    release(root, TAG)
    return root, repo


@pytest.fixture
def tagged(tmp_path: Path) -> tuple[Path, git.Repo]:
    return _repository(tmp_path / "repo")


def test_affected_after_a_module_edit_names_staging_and_no_production_project(tagged: tuple[Path, git.Repo]) -> None:
    """The contract of issue 20: production on a tag, a module-only commit, `affected --base HEAD~1 --json`."""
    root, repo = tagged
    _channels(root, production=TAG)
    generate(root)
    _commit(repo, "production runs modules-v1.0.0")
    service_tf = root / "modules/platform/service/main.tf"
    service_tf.write_text(service_tf.read_text() + "\n# a module change\n")
    _commit(repo, "module edit")
    result = run_cli("affected", "--base", "HEAD~1", "--json", cwd=root)
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    names = {p["name"] for p in report["projects"]}
    assert names == {f"staging-{s}" for s in SERVICES}
    assert all(p["modules"] == "main" for p in report["projects"])
    assert all(p["reasons"][0]["file"] == "modules/platform/service/main.tf" for p in report["projects"])


def test_roots_on_a_tag_call_the_git_source_and_list_no_module_files(tagged: tuple[Path, git.Repo]) -> None:
    root, _ = tagged
    _channels(root, production=TAG)
    generate(root)
    source = f"git::file://{root}//modules/platform/service?ref={TAG}"
    production = (root / "accounts/production/services/core/main.tf").read_text()
    assert f'source = "{source}"' in re.sub(r" +", " ", production)
    assert "../../../../modules" not in production
    staging = (root / "accounts/staging/services/core/main.tf").read_text()
    assert '"../../../../modules/platform/service"' in re.sub(r" +", " ", staging)
    alerts = (root / "accounts/production/teams/infra/main.tf").read_text()
    assert f"//modules/platform/alerts?ref={TAG}" in alerts
    assert "modules/channels.yaml" in production.split("\n\n")[0]  # an input of main.tf (its header)
    atlantis = (root / "atlantis.yaml").read_text()
    for block in atlantis.split("- name: ")[1:]:
        name = block.split("\n")[0]
        on_modules = "/modules/" in block
        assert on_modules == name.startswith("staging-"), name
        assert "channels.yaml" not in block, name  # a promotion plans the roots it rewrites, no others


def test_a_promotion_changes_and_plans_exactly_that_environment(tagged: tuple[Path, git.Repo]) -> None:
    root, repo = tagged
    _channels(root)
    generate(root)
    _commit(repo, "channel file, everything on main")
    _channels(root, staging=TAG)
    changes = generate(root).changes
    changed = {c.path for c in changes}
    assert changed - {"atlantis.yaml"}
    assert all(p.startswith("accounts/staging/") or p == "atlantis.yaml" for p in changed), changed
    assert all(c.reason == "input changed: modules/channels.yaml" for c in changes), changes  # atlantis.yaml too
    assert all(p.endswith("/main.tf") or p == "atlantis.yaml" for p in changed), changed  # only sources
    assert generate(root, check=True).changes == []
    result = run_cli("affected", "--base", "HEAD", "--json", cwd=root)
    names = {p["name"] for p in json.loads(result.stdout)["projects"]}
    assert names and all(n.startswith("staging-") for n in names), names
    assert all(p["modules"] == TAG for p in json.loads(result.stdout)["projects"])


def test_explain_says_which_modules_each_root_runs(tagged: tuple[Path, git.Repo]) -> None:
    root, _ = tagged
    _channels(root, production=TAG)
    generate(root)
    result = run_cli("explain", "core", cwd=root)
    assert result.code == 0, result.stderr
    production = next(line for line in result.stdout.splitlines() if line.startswith("| `production-core`"))
    staging = next(line for line in result.stdout.splitlines() if line.startswith("| `staging-core`"))
    assert f"modules from release tag `{TAG}`" in production
    assert "module(s) of `main`" in staging


def test_terragrunt_units_on_a_tag_use_the_git_source(tagged: tuple[Path, git.Repo]) -> None:
    root, _ = tagged
    (root / "infragen.yaml").write_text("flavor: terragrunt\n")
    _channels(root, production=TAG)
    generate(root)
    unit = (root / "accounts/production/services/core/terragrunt.hcl").read_text()
    assert f'"git::file://{root}//modules/platform/service?ref={TAG}"' in unit
    assert "modules/channels.yaml" in unit.split("\n\n")[0]
    staging = (root / "accounts/staging/services/core/terragrunt.hcl").read_text()
    assert "modules//platform/service" in staging
    repo = load_repo(root)
    assert {u.root.modules for u in units(repo) if u.root.account.env == "production"} == {TAG}


BAD_CHANNELS = [
    ("source: git::file:///x\nenvironments:\n  prod: main\n", 3, "environments.prod", "no environment 'prod'"),
    (
        "source: git::file:///x\nenvironments:\n  staging: modules-v9.9.9\n",
        3,
        "environments.staging",
        "no tag 'modules-v9.9.9' in this repository",
    ),
    ("source: git::file:///x\nenvironments:\n  staging: v1.0\n", 3, "environments.staging", "does not match"),
    (f"environments:\n  staging: {TAG}\n", 1, "source", "missing: staging run a release tag"),
    (f"source: git::file:///x//modules\nenvironments:\n  staging: {TAG}\n", 1, "source", "subdirectory"),
    ("source: https://example.invalid/x.git\n", 1, "source", "does not match"),
    ("sources: git::file:///x\n", 1, "sources", "unknown field"),
]


@pytest.mark.parametrize(("text", "line", "field", "message"), BAD_CHANNELS)
def test_a_bad_channel_file_is_an_error_at_its_line(
    tagged: tuple[Path, git.Repo], text: str, line: int, field: str, message: str
) -> None:
    root, _ = tagged
    (root / "modules/channels.yaml").write_text(text)
    with pytest.raises(SpecError) as caught:
        load_repo(root)
    found = [p for p in caught.value.problems if p.file == "modules/channels.yaml"]
    assert [(p.line, p.field) for p in found] == [(line, field)], caught.value
    assert message in found[0].message


def test_a_tag_is_checked_in_git(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "plain")  # no git repository
    (root / "modules/channels.yaml").write_text(f"source: git::file:///x\nenvironments:\n  staging: {TAG}\n")
    with pytest.raises(SpecError, match=re.escape("cannot check tag 'modules-v1.0.0'")):
        load_repo(root)


def test_modules_release_has_help() -> None:
    result = run_cli("modules", "release", "--help")
    assert result.code == 0 and "modules-vMAJOR.MINOR.PATCH" in result.stdout


def test_release_makes_an_annotated_tag_and_says_what_next(tagged: tuple[Path, git.Repo]) -> None:
    root, repo = tagged
    assert repo.tags[TAG].tag is not None  # annotated: a tag object with a message
    assert repo.tags[TAG].commit == repo.head.commit
    (root / "modules/channels.yaml").write_text("environments: {}\n")  # the channel file is no part of a release
    result = run_cli("modules", "release", "modules-v1.1.0", cwd=root)
    assert result.code == 0, result.stderr
    assert "tagged modules-v1.1.0" in result.stdout
    assert "git push origin modules-v1.1.0" in result.stdout
    assert "modules/channels.yaml" in result.stdout
    status = run_cli("modules", "status", cwd=root)
    assert status.stdout == (
        "production: main (default)\nstaging: main (default)\nreleases: modules-v1.0.0, modules-v1.1.0\n"
    )


@pytest.mark.parametrize(
    ("name", "edit", "message"),
    [
        ("v1.2.0", False, "not a module release tag"),
        ("modules-v1.2", False, "not a module release tag"),
        (TAG, False, "already exists"),
        ("modules-v1.2.0", True, "uncommitted changes under modules/: modules/aws/rds/main.tf"),
    ],
)
def test_release_refuses(tagged: tuple[Path, git.Repo], name: str, edit: bool, message: str) -> None:
    root, repo = tagged
    if edit:
        rds = root / "modules/aws/rds/main.tf"
        rds.write_text(rds.read_text() + "\n# not committed\n")
    with pytest.raises(CommandError, match=re.escape(message)):
        release(root, name)
    assert len(repo.tags) == 1
    result = run_cli("modules", "release", name, cwd=root)
    assert result.code == 1 and message in result.stderr


PROBE = 'variable "release_channel_probe" {\n  description = "Added after the release."\n  type        = string\n}\n'


@pytest.mark.skipif(terraform_binary() is None or not provider_available("hashicorp", "aws"), reason="no terraform")
def test_terraform_resolves_the_tagged_module_code_not_the_working_tree(tagged: tuple[Path, git.Repo]) -> None:
    """After the release, platform/service gains a required variable no root passes: a root on the
    tag still validates (Terraform clones the tag), the same root on main does not."""
    root, repo = tagged
    variables = root / "modules/platform/service/variables.tf"
    variables.write_text(variables.read_text() + "\n" + PROBE)
    _commit(repo, "platform/service: a new required variable, after modules-v1.0.0")
    _channels(root, staging=TAG)
    generate(root)
    directory = root / "accounts/staging/services/demo-service"
    init = run_terraform(["init", "-backend=false", "-input=false", "-no-color"], directory)
    assert init.returncode == 0, init.stdout + init.stderr
    fetched = directory / ".terraform/modules/service/modules/platform/service/variables.tf"
    assert "release_channel_probe" not in fetched.read_text()
    validate = run_terraform(["validate", "-no-color"], directory)
    assert validate.returncode == 0, validate.stdout + validate.stderr

    _channels(root)  # back to main: the local modules, with the new variable
    generate(root)
    init = run_terraform(["init", "-backend=false", "-input=false", "-no-color"], directory)
    assert init.returncode == 0, init.stdout + init.stderr
    validate = run_terraform(["validate", "-no-color"], directory)
    assert validate.returncode != 0
    assert "release_channel_probe" in validate.stdout + validate.stderr


def test_a_root_in_a_subfolder_of_the_git_repository_keeps_its_prefix(tmp_path: Path) -> None:
    """The tag holds the whole repository: the roots of an infragen root at infra/ call //infra/modules/..."""
    top = tmp_path / "mono"
    top.mkdir()
    repo = git.Repo.init(top)
    root = copy_inputs(top / "infra")
    generate(root)
    _commit(repo, "base")
    release(root, TAG)
    (root / "modules/channels.yaml").write_text(f"source: git::file://{top}\nenvironments:\n  staging: {TAG}\n")
    generate(root)
    main_tf = (root / "accounts/staging/services/core/main.tf").read_text()
    assert f'"git::file://{top}//infra/modules/platform/service?ref={TAG}"' in main_tf
    rds = root / "modules/aws/rds/main.tf"
    rds.write_text(rds.read_text() + "\n# not committed\n")
    with pytest.raises(CommandError, match=re.escape("infra/modules/aws/rds/main.tf")):
        release(root, "modules-v1.0.1")
