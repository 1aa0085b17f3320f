"""infragen.yaml's ``infragenVersion`` (issue 20), on copies of the fixture organization.

- A satisfied or absent requirement changes nothing: the generated tree stays byte-identical.
- An unsatisfied one stops gen, gen --check and validate with one error at the field's line,
  before any schema check (a newer spec's unknown fields are not reported), writing nothing.
- A malformed specifier is an error at its line.
- A file stale only because the generator changed says "generator changed" and names no input.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import copy_inputs, run_cli, snapshot

from generator import api
from generator.cli import main
from generator.errors import GeneratorVersionError, SpecError
from generator.plan import keys
from generator.spec import version
from generator.spec.naming import CHECKSUM_PREFIX, seal

RUNNING = version.running_version()
VERSIONS_TF = "accounts/staging/services/bpg/versions.tf"
NEWER_SERVICE_FIELD = "  futureSetting: true\n"  # a field only a newer generator knows


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stamps, the per-root cache and the record of inputs on, in a folder of this test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("INFRAGEN_NO_STAMP", "0")
    monkeypatch.setenv("INFRAGEN_NO_CACHE", "0")


def _settings(root: Path, text: str) -> None:
    (root / "infragen.yaml").write_text(text, encoding="utf-8")


def _newer_repo(root: Path, requirement: str) -> None:
    """A repository written for a newer generator: the requirement, and fields this one rejects."""
    _settings(root, f"flavor: terraform\n# the generator this repository needs\ninfragenVersion: {requirement}\n")
    with (root / "infragen.yaml").open("a", encoding="utf-8") as handle:
        handle.write("futureOption: on\n")
    spec = root / "services/bpg/service.yaml"
    text = spec.read_text(encoding="utf-8")
    assert "\nspec:\n" in text
    spec.write_text(text.replace("\nspec:\n", "\nspec:\n" + NEWER_SERVICE_FIELD, 1), encoding="utf-8")


def test_satisfied_requirement_changes_nothing(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo", outputs=True)
    _settings(root, f'infragenVersion: ">={RUNNING}, <999"\n')
    before = snapshot(root)
    assert api.generate(root, check=True).changes == []
    assert api.generate(root).changes == []
    api.validate(root)
    after = snapshot(root)
    assert after == before


@pytest.mark.parametrize(
    ("requirement", "running", "ok"),
    [
        (">=0.9", "0.9", True),
        (">=0.9", "0.10.0", True),
        (">=0.9", "0.10.0.dev3", True),  # a development build by its order
        (">=0.9", "0.8.7", False),
        ("==1.2.*", "1.2.5", True),
        ("~=1.2", "2.0", False),
        (">=0.9, <2", "2.0", False),
        (">=0.9", "not-a-version", False),
    ],
)
def test_specifier_semantics(tmp_path: Path, requirement: str, running: str, ok: bool) -> None:
    _settings(tmp_path, f'infragenVersion: "{requirement}"\n')
    if ok:
        version.require(tmp_path, running=running)
    else:
        with pytest.raises(GeneratorVersionError):
            version.require(tmp_path, running=running)


@pytest.mark.parametrize("command", ["gen", "check", "validate"])
def test_unsatisfied_requirement_is_one_error_at_its_line(tmp_path: Path, command: str) -> None:
    root = copy_inputs(tmp_path / "repo")  # no generated files: gen would create every root
    _newer_repo(root, '">=999.1"')
    before = snapshot(root)
    with pytest.raises(GeneratorVersionError) as raised:
        if command == "validate":
            api.validate(root)
        else:
            api.generate(root, check=command == "check")
    error = raised.value
    assert len(error.problems) == 1, error.problems  # no "unknown field" about futureOption or futureSetting
    problem = error.problems[0]
    assert (problem.file, problem.line, problem.column, problem.field) == ("infragen.yaml", 3, 18, "infragenVersion")
    assert problem.message.startswith(f"this repository needs infragen >=999.1, the server runs {RUNNING}: ")
    assert "nothing was written" in problem.message
    assert (error.wanted, error.running) == (">=999.1", RUNNING)
    assert snapshot(root) == before
    assert not (root / "accounts/staging/services").exists()


def test_an_older_generator_without_the_requirement_reports_the_newer_fields(tmp_path: Path) -> None:
    """What the requirement prevents: the same repository without it fails on fields, not versions."""
    root = copy_inputs(tmp_path / "repo")
    _newer_repo(root, '">=0"')
    with pytest.raises(SpecError) as raised:
        api.validate(root)
    assert not isinstance(raised.value, GeneratorVersionError)
    assert any("futureOption" in str(p) for p in raised.value.problems)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('">=banana"', "not a version specifier: '>=banana'"),
        ('"0.9"', "not a version specifier: '0.9'"),  # no operator
        ("0.9", "YAML read 0.9 (float); write a quoted PEP 440 specifier"),
        ('""', "empty; write a PEP 440 specifier"),
        ("", "YAML read nothing; write a quoted PEP 440 specifier"),
    ],
)
def test_malformed_specifier_is_an_error_at_its_line(tmp_path: Path, value: str, expected: str) -> None:
    root = copy_inputs(tmp_path / "repo")
    _settings(root, f"flavor: terraform\ninfragenVersion: {value}\n")
    before = snapshot(root)
    with pytest.raises(SpecError) as raised:
        api.generate(root)
    assert not isinstance(raised.value, GeneratorVersionError)
    (problem,) = raised.value.problems
    assert (problem.file, problem.line, problem.field) == ("infragen.yaml", 2, "infragenVersion")
    assert expected in problem.message, problem.message
    assert snapshot(root) == before


def test_absent_requirement_leaves_the_output_byte_identical(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo", outputs=True)
    _settings(root, "flavor: terraform\n")
    before = snapshot(root)
    assert api.generate(root, check=True).changes == []
    assert api.generate(root).changes == []
    assert snapshot(root) == before
    (root / "infragen.yaml").unlink()
    version.require(root)  # no file at all: nothing to compare


def _as_an_older_generator_wrote_it(root: Path) -> None:
    target = root / VERSIONS_TF
    body = target.read_text(encoding="utf-8").rsplit(CHECKSUM_PREFIX, 1)[0]
    assert "1.11.4" in body
    target.write_text(seal(body.replace("1.11.4", "1.11.3")), encoding="utf-8")


def test_stale_because_the_generator_changed_names_no_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_inputs(tmp_path / "repo", outputs=True)
    assert api.generate(root).changes == []  # consistent: records the inputs and the generator digest
    _as_an_older_generator_wrote_it(root)
    real = keys.generator_digest()
    monkeypatch.setattr(keys, "generator_digest", lambda: "a-newer-generator-" + real)
    changes = api.generate(root, check=True).changes
    assert [(c.path, c.action, c.reason) for c in changes] == [
        (VERSIONS_TF, "update", "generator changed: none of its inputs changed since it was last written")
    ]
    assert "yaml" not in changes[0].reason  # no input file is named


def test_input_change_keeps_its_message_when_the_generator_changed_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_inputs(tmp_path / "repo", outputs=True)
    assert api.generate(root).changes == []
    env_file = root / "services/klausapproves/environments/staging.yaml"
    env_file.write_text(env_file.read_text(encoding="utf-8").replace("LOG_LEVEL: debug", "LOG_LEVEL: warn"))
    monkeypatch.setattr(keys, "generator_digest", lambda: "another-generator")
    reasons = {c.path: c.reason for c in api.generate(root, check=True).changes}
    assert reasons == {
        "accounts/staging/services/klausapproves/main.tf": (
            "input changed: services/klausapproves/environments/staging.yaml"
        )
    }


def test_same_generator_and_inputs_say_the_file_was_replaced(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo", outputs=True)
    assert api.generate(root).changes == []
    _as_an_older_generator_wrote_it(root)  # e.g. checked out from a branch an older generator wrote
    (change,) = api.generate(root, check=True).changes
    assert change.reason.startswith("stale: neither its inputs nor the generator changed"), change.reason


def _gate(root: Path, *extra: str) -> tuple[int, str]:
    """The server's gate through click's runner: ``main``, the entry point, with its error handling."""
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(sys, "argv", ["infragen", "gen", "--check", "--root", str(root), *extra])
    try:
        result = CliRunner().invoke(click.Command("infragen", callback=main), [])
    finally:
        monkeypatch.undo()
    return result.exit_code, result.stdout + result.stderr


def test_the_gate_exits_1_with_the_version_message(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo", outputs=True)
    _newer_repo(root, '">=999.1"')
    before = snapshot(root)
    code, output = _gate(root)
    assert code == 1, output
    assert output.strip() == (
        f"infragen.yaml:3:18: infragenVersion: this repository needs infragen >=999.1, the server runs {RUNNING}: "
        "upgrade the infragen that runs this command (for the Atlantis gate: release infragen, then update the "
        'server image; docs/atlantis.md, "Generator versions"); no spec was checked and nothing was written'
    )
    code, output = _gate(root, "--json")
    assert code == 1 and '"error": "GeneratorVersionError"' in output, output
    assert snapshot(root) == before


def test_the_gate_passes_a_satisfied_requirement(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo", outputs=True)
    _settings(root, f'infragenVersion: ">={RUNNING}"\n')
    assert _gate(root) == (0, "generated files are up to date\n")


def test_the_installed_entry_point_exits_1(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    _newer_repo(root, '">=999.1"')
    result = run_cli("validate", "--root", str(root), env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert result.code == 1
    assert result.stderr.startswith("infragen.yaml:3:18: infragenVersion: this repository needs infragen >=999.1")
    assert "unknown" not in result.stderr


def test_reasons_name_only_what_is_known() -> None:
    from generator.write.reasons import Changed, reason

    inputs = ["accounts/staging/account.yaml", "services/bpg/service.yaml"]
    git = Changed(frozenset({"services/bpg/service.yaml"}), complete=False)
    assert reason(inputs, git) == "input changed: services/bpg/service.yaml"
    clean = reason(inputs, Changed(frozenset(), complete=False))  # git: nothing uncommitted
    assert clean.startswith("stale: none of its inputs has an uncommitted change; the generator changed")
    assert "yaml" not in clean
    old_record = Changed(frozenset(), complete=True, generator=None)  # recorded before digests were
    assert reason(inputs, old_record).startswith("generator changed: ")
    assert reason(inputs, None).endswith("or the generator changed since it was written")  # nothing known
