"""CODEOWNERS: who must review what, read the way GitHub reads it (gitignore rules, last match wins)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from codeowners import CodeOwners

from generator.tools.patterns import codeowners_match, owners, parse_codeowners

ORG = Path(__file__).resolve().parent / "fixtures" / "org"  # the fixture organization
PLATFORM = "@lemon/infra"


def _rules() -> list[tuple[str, str]]:
    return parse_codeowners((ORG / "CODEOWNERS").read_text())


@pytest.mark.parametrize(
    ("pattern", "file", "expected"),
    [
        ("*", "README.md", True),
        ("*", "a/b/c.txt", True),
        ("/modules/", "modules/aws/s3/main.tf", True),
        ("/modules/", "x/modules/a.tf", False),
        ("modules/", "x/modules/a.tf", True),  # unanchored directory: any level
        ("/accounts/*/account.yaml", "accounts/staging/account.yaml", True),
        ("/accounts/*/account.yaml", "accounts/staging/services/x/account.yaml", False),
        ("/teams.yaml", "teams.yaml", True),
        ("/teams.yaml", "x/teams.yaml", False),
        ("/services/bpg/", "services/bpg-two/service.yaml", False),
        ("docs/**", "docs/a/b.md", True),
    ],
)
def test_matcher_follows_gitignore_rules(pattern: str, file: str, expected: bool) -> None:
    assert codeowners_match(pattern, file) is expected


def test_last_matching_rule_wins() -> None:
    rules = [("*", "@a"), ("/x/", "@b")]
    assert owners(rules, "x/y") == "@b"
    assert owners(list(reversed(rules)), "x/y") == "@a"


def _services() -> dict[str, tuple[str, list[str]]]:
    teams = yaml.safe_load((ORG / "teams.yaml").read_text())["teams"]
    result = {}
    for spec in sorted(ORG.glob("services/*/service.yaml")):
        data = yaml.safe_load(spec.read_text())
        result[data["name"]] = (teams[data["owner"]]["github"], data["environments"])
    return result


def test_specs_belong_to_the_owner_team_and_roots_to_the_platform_team_only() -> None:
    rules = _rules()
    for name, (team, envs) in _services().items():
        for path in [f"services/{name}/service.yaml", f"services/{name}/environments/staging.yaml"]:
            assert owners(rules, path) == team, path
        roots = [f"accounts/{env}/services/{name}/{file}" for env in envs for file in ("main.tf", "backend.tf")]
        for path in roots:
            assert owners(rules, path) == PLATFORM, path  # an owner team cannot approve its own infrastructure


def test_a_spec_change_needs_the_owner_team_and_the_platform_team() -> None:
    # GitHub needs one approval per matching line; any ONE owner listed on a line satisfies it
    rules = _rules()
    team, envs = _services()["klausapproves"]
    assert team != PLATFORM
    changed = ["services/klausapproves/service.yaml", *(f"accounts/{e}/services/klausapproves/main.tf" for e in envs)]
    lines = {owners(rules, path) for path in changed}
    assert lines == {team, PLATFORM}


@pytest.mark.parametrize(
    "path",
    [
        "modules/platform/service/main.tf",
        "modules/aws/rds/tests/rds.tftest.hcl",
        "schemas/service.schema.json",
        "generator/plan/roots.py",
        "accounts/production/account.yaml",
        "accounts/staging/account.yaml",
        "teams.yaml",
        "atlantis.yaml",
        "CODEOWNERS",
        "Makefile",
        "docs/decommission.md",
    ],
)
def test_platform_paths_belong_to_the_platform_team_alone(path: str) -> None:
    assert owners(_rules(), path) == PLATFORM


def test_platform_rules_come_after_every_service_rule() -> None:
    """Last match wins: no service line may follow (and so override) a platform-only line."""
    rules = _rules()
    assert rules[0] == ("*", PLATFORM)
    first_platform = next(i for i, (p, _) in enumerate(rules) if p == "/modules/")
    assert all(who == PLATFORM for _, who in rules[first_platform:])
    assert all(p.startswith(("/services/", "/accounts/")) for p, _ in rules[1:first_platform])


def test_a_service_named_like_a_platform_path_cannot_take_it_over() -> None:
    rules = [*_rules()[:1], ("/services/modules/", "@lemon/x"), *_rules()[1:]]
    assert owners(rules, "modules/aws/s3/main.tf") == PLATFORM


GOLDEN = Path(__file__).resolve().parent / "golden"
GENERATED = sorted([ORG / "CODEOWNERS", *GOLDEN.glob("*/expected*/CODEOWNERS")])


def _probes(tree: Path, rules: list[tuple[str, str]]) -> set[str]:
    """Every file of the generated tree, and for every pattern a path it names, one below it, one
    above it, one beside it and one where `*` would have to cross a slash: where a wrong reading of
    `*`, `/` or the anchoring would differ."""
    paths = {p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file()}
    for pattern, _ in rules:
        named = pattern.strip("/").replace("**", "a/b").replace("*", "x") or "x"
        paths.update({named, f"{named}/main.tf", f"deeper/{named}", f"{named}.bak"})
        paths.add(pattern.strip("/").replace("**", "a").replace("*", "x/y"))  # `*` stops at a slash
        if "/" in named:
            paths.add(named.rsplit("/", 1)[0] + "/references-other.tf")
    return paths


@pytest.mark.parametrize("path", GENERATED, ids=lambda p: p.parent.relative_to(p.parents[2]).as_posix())
def test_the_matcher_reads_every_generated_codeowners_as_a_second_implementation_does(path: Path) -> None:
    """generator.tools.patterns (which explain, affected and these tests use) against the
    `codeowners` package, an independent implementation of GitHub's rules, on every path that
    matters in each generated CODEOWNERS."""
    text = path.read_text(encoding="utf-8")
    rules = parse_codeowners(text)
    second = CodeOwners(text)
    probes = _probes(path.parent, rules)
    assert len(probes) > len(rules)
    for probe in sorted(probes):
        theirs = " ".join(name for _, name in second.of(probe)) or None
        assert (owners(rules, probe) or None) == theirs, probe
