"""An external host name belongs to one service of an account: every service's listener rule sits on
the account's one external listener, matched by host header, so a second service naming another's
domain would take that service's public traffic (the lower rule priority wins)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_inputs, run_cli

DEMO = "services/demo-service/service.yaml"
DEMO_STAGING = "services/demo-service/environments/staging.yaml"
KLAUS = "services/klausapproves/service.yaml"
KLAUS_STAGING = "services/klausapproves/environments/staging.yaml"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = copy_inputs(tmp_path / "repo")
    spec = root / DEMO
    spec.write_text(
        spec.read_text().replace(
            "  desiredCount: 1\n", "  desiredCount: 1\n  ingress:\n    external: true\n    domain: demo.lemon.com\n"
        )
    )
    (root / DEMO_STAGING).parent.mkdir(parents=True, exist_ok=True)
    (root / DEMO_STAGING).write_text("overrides:\n  ingress:\n    domain: demo.staging.lemon.com\n")
    return root


def test_distinct_external_domains_pass(repo: Path) -> None:
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 0, result.stderr


def test_another_services_domain_in_the_spec_is_refused(repo: Path) -> None:
    spec = repo / DEMO
    spec.write_text(spec.read_text().replace("domain: demo.lemon.com", "domain: klausapproves.lemon.com"))
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 1
    assert (
        f"{DEMO}:14:13: spec.ingress.domain: host name 'klausapproves.lemon.com' is also the external domain "
        f"of service 'klausapproves' ({KLAUS}:19:13) in account 'production'" in result.stderr
    )
    # reported at both definitions: either team may be the one to move
    assert f"{KLAUS}:19:13: spec.ingress.domain: host name 'klausapproves.lemon.com' is also" in result.stderr
    assert "staging" not in result.stderr  # demo-service's staging override is its own


def test_another_services_domain_in_an_environment_file_is_refused(repo: Path) -> None:
    (repo / DEMO_STAGING).write_text("overrides:\n  ingress:\n    domain: klausapproves.staging.lemon.com\n")
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 1
    assert (
        f"{DEMO_STAGING}:3:13: overrides.ingress.domain: host name 'klausapproves.staging.lemon.com' is also "
        f"the external domain of service 'klausapproves' ({KLAUS_STAGING}:10:13) in account 'staging'"
    ) in result.stderr
