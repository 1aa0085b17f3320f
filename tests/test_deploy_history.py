"""Deploy only what was reviewed, roll back only to what can run, and list what can (issue 22).

The review gate runs on git work trees made here from the fixture organization; history and
rollback run in-process against moto (ECS, ECR) with the fixture's staging account id."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from conftest import copy_inputs, run_cli

from generator.deploy import review as gate
from generator.deploy.aws import Aws, DeployError, resolve
from generator.deploy.rollout import TAG_BY, TAG_COMMIT, TAG_IMAGE, history, rollback

ACCOUNT = "111111111111"  # the fixture organization's staging account
REGION = "eu-west-1"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = copy_inputs(tmp_path / "repo")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "reviewed")
    return root


# --- the review gate -------------------------------------------------------------------------


def test_a_clean_checkout_of_main_is_reviewed(repo: Path) -> None:
    found = gate.review(repo)
    assert found.reviewed and found.tag == "yes"
    assert found.commit == git(repo, "rev-parse", "HEAD").strip()


def test_uncommitted_spec_changes_are_not_reviewed(repo: Path) -> None:
    path = repo / "services/bpg/environments/production.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# local edit\n", encoding="utf-8")
    found = gate.review(repo)
    assert not found.reviewed
    assert found.why == "uncommitted changes to services/bpg/environments/production.yaml"
    (repo / "README.local").write_text("not an input\n", encoding="utf-8")
    git(repo, "checkout", "--", "services")
    assert gate.review(repo).reviewed, "files deploy does not read do not count"


def test_a_branch_not_merged_into_main_is_not_reviewed(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    git(repo, "commit", "-q", "--allow-empty", "-m", "unreviewed")
    found = gate.review(repo)
    assert not found.reviewed and "is not on main (not merged after review)" in found.why
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "feature")
    git(repo, "checkout", "-q", "feature")
    assert gate.review(repo).reviewed, "merged: HEAD is on main"


def test_the_base_branch_comes_from_infragen_yaml(repo: Path) -> None:
    (repo / "infragen.yaml").write_text("baseBranch: trunk\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "trunk")
    found = gate.review(repo)
    assert not found.reviewed and "no branch 'trunk' (nor origin/trunk)" in found.why
    git(repo, "branch", "trunk")
    assert gate.review(repo).reviewed


def test_outside_git_nothing_is_reviewed(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "plain")
    found = gate.review(root)
    assert not found.reviewed and "is not a git work tree" in found.why


def test_deploy_refuses_an_unreviewed_tree_before_any_aws_call(repo: Path) -> None:
    path = repo / "services/bpg/service.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# local edit\n", encoding="utf-8")
    # no credentials and an unreachable endpoint: reaching AWS would be a different error
    result = run_cli(
        "deploy", "bpg", "--env", "staging", "--image-tag", "v1", "--root", str(repo),
        env={"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"},
    )  # fmt: skip
    assert result.code == 1
    assert result.stderr.strip() == (
        "refusing to deploy an unreviewed tree: uncommitted changes to services/bpg/service.yaml. Deploy from a "
        "clean checkout of main (what the infra team approved), or pass --allow-unreviewed to deploy it anyway "
        "(the revision is tagged infragen:reviewed=no)"
    )


# --- history and rollback against moto --------------------------------------------------------


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from moto import mock_aws

    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield


def _image(ecr: Any, tag: str) -> None:
    manifest = '{"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", '
    manifest += f'"config": {{"digest": "sha256:{tag[-1] * 64}"}}, "layers": []}}'
    ecr.put_image(repositoryName="bpg", imageManifest=manifest, imageTag=tag)


def _revision(ecs: Any, tags: dict[str, str]) -> str:
    registered = ecs.register_task_definition(
        family="bpg",
        containerDefinitions=[{"name": "bpg", "image": "bpg", "memory": 512}],
        tags=[{"key": k, "value": v} for k, v in tags.items()],
    )
    arn: str = registered["taskDefinition"]["taskDefinitionArn"]
    return arn


@pytest.fixture
def deployed(aws: None, tmp_path: Path) -> Any:
    """bpg in staging: the root's bootstrap revision 1, deploys of v1 (2) and v2 (3, running);
    v2's image was deleted from ECR since."""
    root = copy_inputs(tmp_path / "repo")
    target = resolve(root, "bpg", "staging")
    ecs = boto3.client("ecs", region_name=REGION)
    ecr = boto3.client("ecr", region_name=REGION)
    ecs.create_cluster(clusterName="staging")
    ecr.create_repository(repositoryName="bpg")
    for tag in ("v1", "v2"):
        _image(ecr, tag)
    _revision(ecs, {})
    for tag in ("v1", "v2"):
        meta = {TAG_IMAGE: tag, TAG_COMMIT: f"c0ffee{tag}", TAG_BY: "arn:aws:iam::111111111111:user/dev"}
        current = _revision(ecs, meta)
    ecs.create_service(cluster="staging", serviceName="bpg", taskDefinition=current, desiredCount=2)
    ecr.batch_delete_image(repositoryName="bpg", imageIds=[{"imageTag": "v2"}])
    return target


def test_history_lists_revisions_newest_first_with_what_can_be_rolled_back_to(deployed: Any) -> None:
    revisions = history(Aws(region=REGION), deployed)
    assert [(r.number, r.image_tag, r.current, r.deployable) for r in revisions] == [
        (3, "v2", True, False),
        (2, "v1", False, True),
        (1, None, False, False),
    ]
    assert revisions[1].infra_commit == "c0ffeev1" and revisions[1].deployed_by.endswith("user/dev")
    assert revisions[0].why_not() == "image tag 'v2' is no longer in ECR"
    assert "bootstrap" in revisions[2].why_not()


def test_rollback_refuses_the_bootstrap_revision_a_missing_image_and_a_missing_revision(deployed: Any) -> None:
    aws = Aws(region=REGION)
    with pytest.raises(DeployError) as bootstrap:
        rollback(aws, deployed, "1", None)
    assert str(bootstrap.value) == (
        "refusing to roll back to bpg:1: it was not deployed by infragen (the root's bootstrap revision, whose "
        "image was never pushed); deployable revisions: 2 (v1)"
    )
    with pytest.raises(DeployError, match=r"^no revision bpg:99; deployable revisions: 2 \(v1\) \(infragen service "):
        rollback(aws, deployed, "99", None)
    with pytest.raises(DeployError, match=r"^--to 'latest': give a revision number"):
        rollback(aws, deployed, "latest", None)
    outcome = rollback(aws, deployed, "2", None)
    assert outcome.ok and outcome.task_definition.endswith("task-definition/bpg:2")


def test_service_history_command(deployed: Any, capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    from generator.cli import main

    monkeypatch.setattr(sys, "argv", ["infragen", "service", "history", "bpg", "--env", "staging",
                                      "--root", str(deployed.root)])  # fmt: skip
    main()  # returns: exit 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["rev", "image", "tag", "infra", "commit", "deployed", "by", "registered", "state"]
    assert lines[1].startswith("*    3  v2") and lines[1].endswith("not deployable: image tag 'v2' is no longer in ECR")
    assert lines[2].startswith("     2  v1") and "c0ffeev1" in lines[2] and lines[2].endswith("deployable")
    assert lines[3].startswith("     1  -") and "bootstrap" in lines[3]


def test_service_history_json_gives_null_for_what_is_unknown(
    deployed: Any, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    # the table prints "-" for what a revision does not carry; --json is for tools: null, not a "-" string
    from generator.cli import main

    monkeypatch.setattr(sys, "argv", ["infragen", "service", "history", "bpg", "--env", "staging", "--json",
                                      "--root", str(deployed.root)])  # fmt: skip
    main()
    entries = {e["revision"]: e for e in json.loads(capsys.readouterr().out)}
    bootstrap = entries[1]
    assert bootstrap["imageTag"] is None and bootstrap["infraCommit"] is None
    assert bootstrap["deployedBy"] is None and bootstrap["reviewed"] is None
    assert [e["registeredAt"] for e in entries.values() if e["registeredAt"] == "-"] == []
    assert entries[2]["infraCommit"] == "c0ffeev1" and entries[2]["deployedBy"].endswith("user/dev")
