"""Checkov over modules/ (and accounts/ when it exists): no failed checks, and only pinned skips.

Every inline ``#checkov:skip=CHECK:reason`` is a decision. PINNED_SKIPS lists them per module
directory (relative to modules/), as (check id, resource) pairs; the resource is the address inside
that module, without the ``module.x.`` prefixes of the caller and without ``[index]``. Adding a
skip to a module means adding it here too, in the same change, so that reviewers see it.

Checkov is found via the INFRAGEN_CHECKOV environment variable, then ``.venv-tools/bin/checkov``
in the repository root, then ``checkov`` on PATH. It runs with downloads and update checks off:
this machine has no network.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from generator.datastores import REGISTRY

REPO = Path(__file__).resolve().parent.parent
ORG = REPO / "tests" / "fixtures" / "org"  # the fixture organization's generated roots
MODULES = REPO / "modules"

Skip = tuple[str, str]  # (check id, resource address inside the module)

PINNED_SKIPS: dict[str, set[Skip]] = {
    "aws/dynamodb": {
        ("CKV_AWS_119", "aws_dynamodb_table.this"),  # AWS-managed KMS key unless kms_key_arn
    },
    "aws/elasticache": {
        ("CKV_AWS_31", "aws_elasticache_replication_group.this"),  # no AUTH token: it would sit in state
        ("CKV_AWS_191", "aws_elasticache_replication_group.this"),  # AWS-managed KMS key unless kms_key_id
    },
    "aws/rds": {
        ("CKV_AWS_118", "aws_db_instance.this"),  # enhanced monitoring needs a role the caller provides
        ("CKV_AWS_354", "aws_db_instance.this"),  # Performance Insights with the AWS-managed key
        ("CKV_AWS_157", "aws_db_instance.this"),  # Multi-AZ off outside production (platform/database)
        ("CKV_AWS_293", "aws_db_instance.this"),  # deletion protection off outside production (platform/database)
        ("CKV_AWS_118", "aws_db_instance.replica"),  # as the source: the caller provides the role
        ("CKV_AWS_354", "aws_db_instance.replica"),  # as the source: AWS-managed key
        ("CKV_AWS_157", "aws_db_instance.replica"),  # a replica is read scale-out; the source has Multi-AZ
        ("CKV_AWS_133", "aws_db_instance.replica"),  # backups are taken of the source
        ("CKV_AWS_293", "aws_db_instance.replica"),  # deletion protection follows the source
    },
    "aws/rds-cluster": {
        ("CKV_AWS_139", "aws_rds_cluster.this"),  # deletion protection off outside production (platform/aurora)
        ("CKV_AWS_327", "aws_rds_cluster.this"),  # AWS-managed KMS key unless kms_key_id
        ("CKV2_AWS_8", "aws_rds_cluster.this"),  # RDS automated backups, no AWS Backup plan
        ("CKV2_AWS_27", "aws_rds_cluster.this"),  # query logging of DDL and slow statements, not of all
        ("CKV_AWS_118", "aws_rds_cluster_instance.this"),  # enhanced monitoring needs a role
        ("CKV_AWS_354", "aws_rds_cluster_instance.this"),  # Performance Insights with the AWS-managed key
        ("CKV_AWS_226", "aws_rds_cluster_instance.this"),  # a pinned minor: no automatic minor upgrades
    },
    "aws/s3": {
        ("CKV_AWS_18", "aws_s3_bucket.this"),  # access logging: opt-in via access_log_bucket
        ("CKV_AWS_144", "aws_s3_bucket.this"),  # cross-region replication is a per-bucket decision
        ("CKV_AWS_145", "aws_s3_bucket.this"),  # SSE-S3 unless kms_key_arn
        ("CKV2_AWS_62", "aws_s3_bucket.this"),  # event notifications are application features
    },
    "aws/security-group": {
        ("CKV2_AWS_5", "aws_security_group.this"),  # the caller attaches the group
    },
    "aws/client-access": {
        ("CKV2_AWS_5", "aws_security_group.this"),  # the caller attaches the guarded group
        ("CKV2_AWS_5", "aws_security_group.clients"),  # dependents join the -clients group
    },
    "aws/sqs": {
        ("CKV2_AWS_73", "aws_sqs_queue.this"),  # SSE-SQS unless kms_key_id
        ("CKV2_AWS_73", "aws_sqs_queue.dead_letter"),  # SSE-SQS unless kms_key_id
    },
    "aws/sns-topic": {
        ("CKV_AWS_109", "aws_iam_policy_document.key"),  # a key policy's Resource "*" is the key itself
        ("CKV_AWS_111", "aws_iam_policy_document.key"),  # same; publishers only Decrypt/GenerateDataKey*
        ("CKV_AWS_356", "aws_iam_policy_document.key"),  # same
    },
    "aws/ecs-service": {
        ("CKV_AWS_378", "aws_lb_target_group.this"),  # TLS ends at the ALB; tasks serve HTTP on private subnets
        ("CKV_AWS_297", "aws_scheduler_schedule.this"),  # no input payload; AWS-owned key for ARNs only
    },
    # connection-by-convention parameters (coordinates, not secrets; String keeps KMS out of task start)
    **{
        kind.module: {("CKV2_AWS_34", "aws_ssm_parameter.connection")}
        for kind in REGISTRY.kinds  # every datastore kind publishes its connection parameters
    },
    # platform/service, platform/discovery and consul/* add no skips of their own (platform/service
    # inherits the aws/ecs-service and aws/client-access ones, which are owned by those modules).
}

CHECKOV_ENV = {
    "BC_SKIP_MAPPING": "TRUE",  # no guideline/mapping download
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE",  # no PyPI version check
    "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
}


def checkov_binary() -> str | None:
    explicit = os.environ.get("INFRAGEN_CHECKOV")
    if explicit:
        return explicit
    local = REPO / ".venv-tools" / "bin" / "checkov"
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which("checkov")


def scan_targets() -> list[Path]:
    return [p for p in (MODULES, ORG / "accounts") if p.is_dir()]


def run_checkov(binary: str, target: Path) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [binary, "-d", str(target), "--framework", "terraform", "-o", "json", "--skip-download", "--compact"],
        cwd=REPO,
        env={**os.environ, **CHECKOV_ENV},
        capture_output=True,
        text=True,
        timeout=900,
    )
    # Exit 1 means failed checks, which the tests report in detail; anything else is broken.
    assert proc.returncode in (0, 1), f"checkov on {target} exited {proc.returncode}\n{proc.stderr[-4000:]}"
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"checkov on {target} printed no JSON: {exc}\n{proc.stdout[:2000]}") from exc
    return data if isinstance(data, list) else [data]


@pytest.fixture(scope="module")
def reports() -> dict[str, list[dict[str, Any]]]:
    binary = checkov_binary()
    if binary is None:
        pytest.skip(
            "checkov not found: set INFRAGEN_CHECKOV, install it into .venv-tools/bin/checkov, or put checkov on PATH"
        )
    targets = scan_targets()
    if not targets:
        pytest.skip("nothing to scan: neither modules/ nor accounts/ exists")
    return {target.relative_to(REPO).as_posix(): run_checkov(binary, target) for target in targets}


def checks(reports: dict[str, list[dict[str, Any]]], kind: str) -> Iterable[dict[str, Any]]:
    for report_list in reports.values():
        for report in report_list:
            yield from report.get("results", {}).get(kind, [])


def owner_of(check: dict[str, Any]) -> str:
    """The module directory (relative to modules/) or, outside modules/, the repo-relative dir."""
    path = Path(check.get("file_abs_path") or (REPO / check["file_path"].lstrip("/"))).resolve()
    try:
        return path.parent.relative_to(MODULES.resolve()).as_posix()
    except ValueError:
        try:
            return path.parent.relative_to(REPO.resolve()).as_posix()
        except ValueError:
            return path.parent.as_posix()


def local_address(resource: str) -> str:
    """module.a.module.b.aws_x.name[0] -> aws_x.name"""
    address = re.sub(r"^(module\.[^.]+(\[[^\]]*\])?\.)+", "", resource)
    return re.sub(r"\[[^\]]*\]", "", address)


def describe(check: dict[str, Any]) -> str:
    reason = (check.get("check_result") or {}).get("suppress_comment", "")
    return f"{check['check_id']} {check['resource']} ({check['file_path']}:{check.get('file_line_range')}) {reason}"


def test_no_failed_checks(reports: dict[str, list[dict[str, Any]]]) -> None:
    failed = [describe(c) for c in checks(reports, "failed_checks")]
    assert not failed, "checkov failed checks:\n" + "\n".join(sorted(set(failed)))


def test_no_parsing_errors(reports: dict[str, list[dict[str, Any]]]) -> None:
    errors = [
        (target, report.get("summary", {}).get("parsing_errors", 0))
        for target, report_list in reports.items()
        for report in report_list
    ]
    assert all(count == 0 for _, count in errors), f"checkov parsing errors: {errors}"


def test_something_was_checked(reports: dict[str, list[dict[str, Any]]]) -> None:
    assert any(True for _ in checks(reports, "passed_checks")), "checkov passed no checks: did it scan anything?"


def test_skips_are_exactly_the_pinned_ones(reports: dict[str, list[dict[str, Any]]]) -> None:
    actual: dict[str, set[Skip]] = {}
    seen: dict[tuple[str, Skip], dict[str, Any]] = {}
    for check in checks(reports, "skipped_checks"):
        owner = owner_of(check)
        skip = (check["check_id"], local_address(check["resource"]))
        actual.setdefault(owner, set()).add(skip)
        seen.setdefault((owner, skip), check)

    unexpected = sorted(
        (owner, skip) for owner, skips in actual.items() for skip in skips - PINNED_SKIPS.get(owner, set())
    )
    present = {p.relative_to(MODULES).as_posix() for p in MODULES.glob("*/*") if p.is_dir()}
    stale = sorted(
        (owner, skip)
        for owner, skips in PINNED_SKIPS.items()
        if owner in present
        for skip in skips - actual.get(owner, set())
    )
    lines = [
        f"unpinned skip in {o}: {describe(seen[(o, s)])}  -> add {s!r} to PINNED_SKIPS[{o!r}]" for o, s in unexpected
    ]
    lines += [f"pinned skip no longer present in {o}: {s!r} -> remove it from PINNED_SKIPS" for o, s in stale]
    assert not lines, "\n".join(lines)


def test_every_skip_gives_a_reason(reports: dict[str, list[dict[str, Any]]]) -> None:
    silent = [
        describe(c)
        for c in checks(reports, "skipped_checks")
        if len(((c.get("check_result") or {}).get("suppress_comment") or "").strip()) < 10
    ]
    assert not silent, "skips need a reason (#checkov:skip=ID:reason):\n" + "\n".join(sorted(set(silent)))
