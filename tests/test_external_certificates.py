"""An external service's host name is one the external listener has a certificate for, when the
account says which names its certificates cover (loadBalancers.external.certificateDomains): a
name none covers gets the listener's default certificate, which clients refuse. The emulator
serves no TLS, so this is a validation rule at the domain's line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import gen_refuses

from generator import SpecError, validate
from generator.spec.rules import CERTIFICATES_PAGE

ORG = Path(__file__).parent / "fixtures" / "org"
STAGING = "accounts/staging/account.yaml"
EXTERNAL_SG = "    securityGroupId: sg-0a1b2c3d4e5f60022\n"


def _repo(tmp_path: Path, certificates: str | None, domain: str, override: str | None = None) -> Path:
    """The fixture organization with web: external in staging at ``domain`` (or ``override`` in its
    staging file), and staging's listener covering ``certificates`` (a YAML flow list) if given."""
    root = tmp_path / "repo"
    shutil.copytree(ORG, root)
    account = root / STAGING
    text = account.read_text(encoding="utf-8")
    assert text.count(EXTERNAL_SG) == 1
    if certificates is not None:
        text = text.replace(EXTERNAL_SG, EXTERNAL_SG + f"    certificateDomains: {certificates}\n")
    account.write_text(text, encoding="utf-8")
    web = root / "services" / "web"
    (web / "environments").mkdir(parents=True)
    (web / "service.yaml").write_text(
        "name: web\nowner: payments\nenvironments: [staging]\n"
        "spec:\n  resources: {cpu: 256, memory: 512}\n  desiredCount: 1\n"
        f"  ingress: {{external: true, domain: {domain}}}\n",
        encoding="utf-8",
    )
    if override is not None:
        (web / "environments" / "staging.yaml").write_text(
            f"overrides:\n  ingress:\n    domain: {override}\n", encoding="utf-8"
        )
    return root


@pytest.mark.parametrize(
    ("certificates", "domain"),
    [
        ('["*.staging.lemon.com"]', "web.staging.lemon.com"),
        ('["*.staging.lemon.com", "staging.lemon.com"]', "staging.lemon.com"),
        ('["*.staging.lemon.com", "api.web.staging.lemon.com"]', "api.web.staging.lemon.com"),
        ('["*.staging.lemon.com", "*.web.staging.lemon.com"]', "api.web.staging.lemon.com"),
        (None, "api.web.staging.lemon.com"),  # not declared: nothing is judged
    ],
)
def test_a_covered_domain_validates(tmp_path: Path, certificates: str | None, domain: str) -> None:
    validate(_repo(tmp_path, certificates, domain))


@pytest.mark.parametrize(
    "domain",
    ["api.web.staging.lemon.com", "staging.lemon.com"],  # two labels below the wildcard; its parent
)
def test_an_uncovered_domain_is_an_error_at_its_line(tmp_path: Path, domain: str) -> None:
    root = _repo(tmp_path, '["*.staging.lemon.com"]', domain)
    with pytest.raises(SpecError) as caught:
        validate(root)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.field) == ("services/web/service.yaml", 7, "spec.ingress.domain")
    assert f"no certificate of the staging external listener covers {domain!r}" in problem.message
    assert "(they cover *.staging.lemon.com; a wildcard stands for one label)" in problem.message
    assert f"'*.{domain.partition('.')[2]}'" in problem.message and CERTIFICATES_PAGE in problem.message


def test_an_environment_override_is_judged_at_the_override(tmp_path: Path) -> None:
    root = _repo(tmp_path, '["*.staging.lemon.com"]', "web.staging.lemon.com", override="a.web.staging.lemon.com")
    with pytest.raises(SpecError) as caught:
        validate(root)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.field) == (
        "services/web/environments/staging.yaml",
        3,
        "overrides.ingress.domain",
    )


def test_gen_writes_nothing_for_an_uncovered_domain(tmp_path: Path) -> None:
    root = _repo(tmp_path, '["*.staging.lemon.com"]', "api.web.staging.lemon.com")
    gen_refuses(root, "services/web/service.yaml:7:")


def test_a_malformed_certificate_name_is_a_schema_error(tmp_path: Path) -> None:
    root = _repo(tmp_path, '["*.*.staging.lemon.com"]', "web.staging.lemon.com")
    with pytest.raises(SpecError) as caught:
        validate(root)
    assert [(p.file, p.field) for p in caught.value.problems] == [
        (STAGING, "loadBalancers.external.certificateDomains[0]")
    ]
