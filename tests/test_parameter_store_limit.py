"""AWS Systems Manager Parameter Store holds at most 10,000 standard parameters per account and
Region, a quota AWS does not raise. Every datastore's platform module publishes its connection by
convention as one standard parameter per key of its kind, so the datastores of an account's
services may not publish more (spec/rules.py parameter_rules). moto counts nothing.

The counts per kind are the product's (spec/convention.py keys); tests/test_aws_limits.py checks
them against the parameters Terraform plans for every fixture and golden root.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import gen_refuses

from generator import SpecError, validate
from generator.spec.rules import SSM_STANDARD_PARAMETERS, SSM_TIERS_PAGE, connection_parameters

ORG = Path(__file__).parent / "fixtures" / "org"
STAGING = "accounts/staging/account.yaml"
DATABASES = (
    20  # postgres datastores per added service: 5 parameters each (host, port, database, reader_host, reader_hosts)
)


def _copy(tmp_path: Path) -> Path:
    """The fixture organization, its staging account granted the security groups of 2,000 databases."""
    root = tmp_path / "repo"
    shutil.copytree(ORG, root, ignore=shutil.ignore_patterns(".terraform*"))
    account = root / STAGING
    text = account.read_text(encoding="utf-8")
    assert "\ndefaultTags:" in text
    account.write_text(
        text.replace("\ndefaultTags:", "\nquotas:\n  securityGroupsPerRegion: 5000\ndefaultTags:"), encoding="utf-8"
    )
    return root


def _published(root: Path, env: str = "staging") -> int:
    return sum(connection_parameters(s) for s in validate(root).services if env in s.environments)


def _service(root: Path, name: str, stores: list[str]) -> None:
    spec = root / "services" / name / "service.yaml"
    spec.parent.mkdir(parents=True)
    resources = "".join(f"  {store}:\n    type: {kind}\n" for store, kind in (s.split(":") for s in stores))
    spec.write_text(
        f"name: {name}\nowner: payments\nenvironments: [staging]\n"
        "spec:\n  resources: {cpu: 256, memory: 512}\n  desiredCount: 1\n"
        f"resources:\n{resources}",
        encoding="utf-8",
    )


def _publish(root: Path, total: int) -> None:
    """Add staging services whose datastores bring staging's connection parameters to ``total``."""
    rest = total - _published(root)
    i = 0
    while rest >= 5 * DATABASES:
        _service(root, f"pub{i}", [f"pub{i}-db{j}:postgres" for j in range(DATABASES)])
        rest -= 5 * DATABASES
        i += 1
    _service(root, "rest", [f"rest-q{j}:queue" for j in range(rest)])


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _copy(tmp_path_factory.mktemp("parameters"))
    _publish(root, SSM_STANDARD_PARAMETERS)
    return root


def test_parameters_that_fill_the_standard_tier_validate(full: Path) -> None:
    assert _published(full) == SSM_STANDARD_PARAMETERS


def test_one_parameter_over_the_standard_tier_is_an_error_at_the_account(full: Path, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(full, root)
    _service(root, "onemore", ["onemore-jobs:queue"])
    with pytest.raises(SpecError) as caught:
        validate(root)
    # one problem: each account counts its own services (production publishes far less)
    (problem,) = caught.value.problems
    assert _published(full, "production") < SSM_STANDARD_PARAMETERS
    assert (problem.file, problem.field) == (STAGING, "accountId")
    assert problem.line == 3
    assert (root / STAGING).read_text().splitlines()[2].startswith("accountId:")
    assert "publish 10,001 connection parameters" in problem.message, problem.message
    assert "(the most pub0 (100), pub1 (100), pub10 (100))" in problem.message, problem.message
    assert "at most 10,000 standard parameters" in problem.message and SSM_TIERS_PAGE in problem.message
    gen_refuses(root, f"{STAGING}:3", "accountId")
