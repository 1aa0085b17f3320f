"""Error wording a new service owner met (issue 22): an unknown service lists the known ones, a
too-long name says its length and the limit, a YAML duplicate key says where the first one is.
Each on a copy of the fixture organization, each as file:line:col: field, with nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CliResult, copy_inputs, run_cli, snapshot

from generator.spec.schema import known, length_bounds

KLAUS = "services/klausapproves/service.yaml"
KLAUS_STAGING = "services/klausapproves/environments/staging.yaml"
BPG = "services/bpg/service.yaml"
SERVICES = "bpg, core, demo-service, klausapproves"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_inputs(tmp_path / "repo")


def edit(root: Path, path: str, old: str, new: str) -> None:
    target = root / path
    text = target.read_text(encoding="utf-8")
    assert old in text, (path, old)
    target.write_text(text.replace(old, new, 1), encoding="utf-8")


def refused(root: Path, *args: str, code: int = 1) -> CliResult:
    """``gen`` (or ``args``) exits ``code`` and writes nothing."""
    before = snapshot(root)
    result = run_cli(*(args or ("gen",)), "--root", str(root))
    assert result.code == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root) == before
    return result


# --- unknown service -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "hint"),
    [("ledger-api", ""), ("bgp", "; did you mean 'bpg'?")],
    ids=["far-from-any", "a-typo"],
)
def test_an_unknown_dependency_lists_the_known_services(repo: Path, name: str, hint: str) -> None:
    edit(repo, KLAUS, "services: [bpg]", f"services: [{name}]")
    result = refused(repo)
    assert (
        f"{KLAUS}:21:16: spec.dependencies.services[0]: unknown service {name!r}{hint} (known services: {SERVICES})"
        in result.stderr
    )


@pytest.mark.parametrize(
    "args",
    [
        ("compile", "ledger-api", "--env", "staging", "--image-tag", "v1"),
        ("deploy", "ledger-api", "--env", "staging", "--image-tag", "v1"),
        ("status", "ledger-api", "--env", "staging"),
        ("rollback", "ledger-api", "--env", "staging"),
    ],
    ids=lambda args: args[0],
)
def test_a_command_naming_an_unknown_service_lists_the_known_ones(repo: Path, args: tuple[str, ...]) -> None:
    result = run_cli(*args, "--root", str(repo))
    assert result.code == 1
    assert result.stderr.strip() == f"unknown service 'ledger-api' (known services: {SERVICES})"


def test_a_long_list_of_known_names_is_cut() -> None:
    names = [f"svc-{i:03d}" for i in range(25)]
    assert known("nope", names, "services") == (f" (known services: {', '.join(names[:20])} and 5 more)")
    assert known("svc-0011", names, "services").startswith("; did you mean 'svc-011'? (known services: svc-000, ")
    assert known("x", [], "services") == " (known services: none)"


# --- too-long names --------------------------------------------------------------------------


def test_a_too_long_service_name_says_its_length_and_the_limit(repo: Path) -> None:
    name = "klausapproves-loan-applications-api"  # 35 characters
    edit(repo, KLAUS, "name: klausapproves", f"name: {name}")
    result = refused(repo, "validate")
    assert (
        f"{KLAUS}:3:7: name: {name!r} is 35 characters long; at most 32 are allowed here: write 3 to 32 "
        "lower-case letters, digits and '-'"
    ) in result.stderr


def test_a_too_long_datastore_name_says_its_length_and_the_limit(repo: Path) -> None:
    long = "bpg-events-" + "x" * 31  # 42 characters
    edit(repo, BPG, "  bpg-events:\n", f"  {long}:\n")
    edit(repo, BPG, "datastores: [bpg-events,", f"datastores: [{long},")
    result = refused(repo, "validate")
    assert "is 42 characters long; at most 40 are allowed here: write 3 to 40 lower-case" in result.stderr


def test_a_too_short_name_says_its_length_too(repo: Path) -> None:
    edit(repo, KLAUS, "name: klausapproves", "name: k")
    result = refused(repo, "validate")
    assert f"{KLAUS}:3:7: name: 'k' is 1 characters long; at least 3 are allowed here" in result.stderr


def test_new_service_with_a_too_long_name_says_its_length(repo: Path) -> None:
    name = "averyveryverylongservicenamethatexceeds"
    result = refused(repo, "new", "service", name, "--owner", "payments", code=2)  # a usage error
    assert f"service name {name!r} must be DNS-safe" in result.stderr
    assert "3 to 32 characters, starting with a letter (it is 39 characters long)" in result.stderr


@pytest.mark.parametrize(
    ("pattern", "bounds"),
    [
        ("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", (3, 32)),
        ("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", (3, 40)),
        ("^[a-z][a-z0-9]{1,15}$", (2, 16)),
        ("^[a-z0-9-]{1,64}$", (1, 64)),
        ("^[0-9]+(\\.[0-9]+){0,2}$", None),
        ("^vpc-[0-9a-f]{8,17}$", None),
    ],
)
def test_length_bounds_of_name_patterns(pattern: str, bounds: tuple[int, int] | None) -> None:
    assert length_bounds(pattern) == bounds


# --- duplicate keys --------------------------------------------------------------------------


def test_a_duplicate_top_level_key_says_where_the_first_one_is(repo: Path) -> None:
    edit(repo, KLAUS, "owner: payments\n", "owner: payments\ndescription: again\n")
    result = refused(repo, "validate")
    assert (
        f"{KLAUS}:6:1: description: duplicate key 'description': the first 'description' is at {KLAUS}:5:1; "
        "a mapping holds each key once, so merge the two"
    ) in result.stderr


def test_a_second_overrides_block_says_where_the_first_one_is(repo: Path) -> None:
    """What uncommenting an example under a live `overrides:` gave: a bare "duplicate key"."""
    path = repo / KLAUS_STAGING
    path.write_text(path.read_text(encoding="utf-8") + "overrides:\n  desiredCount: 2\n", encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    first = lines.index("overrides:") + 1
    second = len(lines) - 1
    result = refused(repo, "validate")
    assert (
        f"{KLAUS_STAGING}:{second}:1: overrides: duplicate key 'overrides': the first 'overrides' is at "
        f"{KLAUS_STAGING}:{first}:1"
    ) in result.stderr


def test_a_nested_duplicate_key_points_at_its_sibling(repo: Path) -> None:
    edit(repo, KLAUS, "    cpu: 1024\n", "    cpu: 1024\n    cpu: 512\n")
    result = refused(repo, "validate")
    assert f"{KLAUS}:10:5: spec.resources.cpu: duplicate key 'cpu': the first 'cpu' is at {KLAUS}:9:5" in result.stderr
