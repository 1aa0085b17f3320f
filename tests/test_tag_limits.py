"""AWS's 50 tags per resource (keys starting with aws: not counted): an account's defaultTags plus
the keys infragen adds to every resource (spec.rules.INFRAGEN_TAG_KEYS, checked against planned
roots in test_aws_limits.py) must fit, or every create in that account fails; moto accepts any
number. plan-check judges each planned resource's tags_all too."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import gen_refuses

from generator import SpecError, validate
from generator.spec.rules import INFRAGEN_TAG_KEYS, TAGS_PAGE, TAGS_PER_RESOURCE
from generator.tools import plancheck

ORG = Path(__file__).parent / "fixtures" / "org"
STAGING = "accounts/staging/account.yaml"


def _repo(tmp_path: Path, total: int) -> Path:
    """The fixture organization with staging's defaultTags grown until, with infragen's keys, a
    resource there carries ``total`` tags."""
    root = tmp_path / "repo"
    shutil.copytree(ORG, root, ignore=shutil.ignore_patterns(".terraform*"))
    path = root / STAGING
    text = path.read_text(encoding="utf-8")
    assert text.rstrip().endswith("defaultTags:\n  cost-center: CC-100"), text[-200:]
    extra = total - len(INFRAGEN_TAG_KEYS | {"cost-center"})
    path.write_text(text + "".join(f"  team-tag-{i:02d}: value\n" for i in range(extra)), encoding="utf-8")
    return root


def test_fifty_tags_per_resource_validate(tmp_path: Path) -> None:
    validate(_repo(tmp_path, TAGS_PER_RESOURCE))


def test_the_fifty_first_tag_is_an_error_at_default_tags(tmp_path: Path) -> None:
    root = _repo(tmp_path, TAGS_PER_RESOURCE + 1)
    with pytest.raises(SpecError) as caught:
        validate(root)
    (problem,) = caught.value.problems
    line = (root / STAGING).read_text(encoding="utf-8").splitlines().index("defaultTags:") + 1
    assert (problem.file, problem.line, problem.field) == (STAGING, line, "defaultTags")
    added = sorted(INFRAGEN_TAG_KEYS - {"cost-center"})
    assert f"45 default tags and the {len(added)} infragen adds to every resource ({', '.join(added)}) make 51" in (
        problem.message
    )
    assert "keep at most 44 here" in problem.message and TAGS_PAGE in problem.message


def test_gen_writes_nothing_over_the_tag_limit(tmp_path: Path) -> None:
    gen_refuses(_repo(tmp_path, TAGS_PER_RESOURCE + 1), f"{STAGING}:", "defaultTags")


def _plan(tags: dict[str, str], unknown: bool = False) -> dict[str, Any]:
    return {
        "resource_changes": [
            {
                "address": "aws_sqs_queue.this",
                "mode": "managed",
                "type": "aws_sqs_queue",
                "name": "this",
                "change": {
                    "actions": ["create"],
                    "after": {"tags_all": None if unknown else tags},
                    "after_unknown": {"tags_all": True} if unknown else {},
                },
            }
        ]
    }


def _tags(count: int, aws: int = 0) -> dict[str, str]:
    required = {"owner": "o", "service": "s", "environment": "e", "cost-center": "c"}
    rest = {f"k{i:02d}": "v" for i in range(count - len(required))}
    return {**required, **rest, **{f"aws:cloudformation:x{i}": "v" for i in range(aws)}}


@pytest.mark.parametrize(
    ("tags", "unknown", "violation"),
    [
        (_tags(TAGS_PER_RESOURCE), False, False),
        (_tags(TAGS_PER_RESOURCE + 1), False, True),
        (_tags(TAGS_PER_RESOURCE, aws=3), False, False),  # AWS's own keys do not count
        ({}, True, False),  # known only after apply: not judged
    ],
)
def test_plan_check_counts_each_resources_tags(tags: dict[str, str], unknown: bool, violation: bool) -> None:
    report = plancheck.check(_plan(tags, unknown))
    found = [v for v in report.violations if v.rule == "aws-limits"]
    assert bool(found) is violation, report.violations
    if violation:
        assert found[0].address == "aws_sqs_queue.this"
        assert f"carry {TAGS_PER_RESOURCE + 1} tags; AWS allows {TAGS_PER_RESOURCE}" in found[0].why
