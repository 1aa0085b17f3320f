"""Cost center from the owner team; external domains per environment, inside the account's public zone."""

from __future__ import annotations

from pathlib import Path

import hcl2
from conftest import ORG, copy_inputs, run_cli
from spec_files import edit

from generator.api import generate

KLAUS = "services/klausapproves/service.yaml"
KLAUS_STAGING = "services/klausapproves/environments/staging.yaml"


def _tags(root: Path, env: str, service: str) -> dict[str, str]:
    with (root / f"accounts/{env}/services/{service}/providers.tf").open() as handle:
        provider = hcl2.load(handle)["provider"][0]
    aws = provider.get("aws") or provider['"aws"']  # python-hcl2 7 keeps the quotes of labels
    tags: dict[str, str] = aws["default_tags"][0]["tags"]
    return {k.strip('"'): v.strip('"') for k, v in tags.items()}


def test_cost_center_comes_from_the_owner_team() -> None:
    assert _tags(ORG, "staging", "bpg")["cost-center"] == "CC-210"  # payments
    assert _tags(ORG, "production", "core")["cost-center"] == "CC-320"  # growth
    assert _tags(ORG, "production", "demo-service")["cost-center"] == "CC-100"  # infra


def test_a_new_cost_center_reaches_every_root_of_the_team(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    edit(root, "teams.yaml", "costCenter: CC-210", "costCenter: CC-999")
    generate(root, check=False)
    assert _tags(root, "production", "bpg")["cost-center"] == "CC-999"
    assert _tags(root, "staging", "klausapproves")["cost-center"] == "CC-999"
    assert _tags(root, "staging", "core")["cost-center"] == "CC-320"


def test_the_domain_can_differ_per_environment() -> None:
    staging = (ORG / "accounts/staging/services/klausapproves/main.tf").read_text()
    production = (ORG / "accounts/production/services/klausapproves/main.tf").read_text()
    assert '"klausapproves.staging.lemon.com"' in staging
    assert '"klausapproves.lemon.com"' in production and "staging.lemon.com" not in production


def test_a_domain_outside_the_public_zone_is_refused_where_it_is_set(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    edit(root, KLAUS_STAGING, "domain: klausapproves.staging.lemon.com", "domain: klausapproves.lemon.com")
    edit(root, KLAUS, "domain: klausapproves.lemon.com", "domain: klausapproves.example.org")
    result = run_cli("validate", "--root", str(root))
    assert result.code == 1
    assert (
        f"{KLAUS_STAGING}:10:13: overrides.ingress.domain: 'klausapproves.lemon.com' is not within the staging "
        "public zone 'staging.lemon.com': use a name ending in '.staging.lemon.com'" in result.stderr
    )
    assert (
        f"{KLAUS}:19:13: spec.ingress.domain: 'klausapproves.example.org' is not within the production public zone "
        "'lemon.com': use a name ending in '.lemon.com', or set overrides.ingress.domain in "
        "environments/production.yaml" in result.stderr
    )


def test_without_an_override_staging_would_use_the_production_domain(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    edit(root, KLAUS_STAGING, "  ingress:\n    domain: klausapproves.staging.lemon.com", "")
    result = run_cli("validate", "--root", str(root))
    assert result.code == 1
    assert "spec.ingress.domain: 'klausapproves.lemon.com' is not within the staging public zone" in result.stderr


def test_an_account_without_a_public_zone_name_is_refused(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    edit(root, "accounts/production/account.yaml", "  publicZone: lemon.com\n", "")
    result = run_cli("validate", "--root", str(root))
    assert result.code == 1
    assert "account 'production' does not name its public zone: add dns.publicZone" in result.stderr


def test_a_domain_override_needs_external_ingress(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    env = root / "services/bpg/environments/staging.yaml"
    env.write_text("overrides:\n  ingress:\n    domain: bpg.staging.lemon.com\n")
    result = run_cli("validate", "--root", str(root))
    assert result.code == 1
    assert "overrides.ingress.domain: only used when the spec sets ingress.external: true" in result.stderr
