"""The kitchen-sink golden case (tests/golden/kitchen-sink): every datastore kind through gen
(``expected/``, checked by test_golden.py), the Terragrunt flavor (``expected-terragrunt/``),
``explain`` (``explain/<service>.md``) and ``new service --datastore`` for every type
(``new-service/``). Refresh with ``make golden`` and review the diff."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import generate
from generator.datastores import REGISTRY
from generator.tools.explain import explain
from generator.tools.scaffold import NewService, new_service

CASE = Path(__file__).parent / "golden" / "kitchen-sink"
SERVICES = ("shop", "reports")


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _compare(produced: dict[str, bytes], expected_dir: Path, request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--update-golden"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for path, data in produced.items():
            (expected_dir / path).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / path).write_bytes(data)
    assert expected_dir.is_dir(), f"no {expected_dir.name} for kitchen-sink: run make golden"
    expected = _tree(expected_dir)
    assert sorted(produced) == sorted(expected)
    for path, data in expected.items():
        assert produced[path] == data, f"kitchen-sink: {expected_dir.name}/{path} differs from the golden file"


def test_every_kind_is_in_the_kitchen_sink() -> None:
    spec = (CASE / "input" / "services" / "shop" / "service.yaml").read_text(encoding="utf-8")
    assert {t for t in REGISTRY.types() if f"type: {t}" not in spec} == set()


def test_terragrunt_flavor(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    work = tmp_path / "repo"
    shutil.copytree(CASE / "input", work)
    (work / "infragen.yaml").write_text("flavor: terragrunt\n", encoding="utf-8")
    inputs = set(_tree(work))
    generate(work)
    produced = {path: data for path, data in _tree(work).items() if path not in inputs}
    _compare(produced, CASE / "expected-terragrunt", request)


def test_explain(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    work = tmp_path / "repo"
    shutil.copytree(CASE / "input", work)
    generate(work)
    produced = {f"{name}.md": explain(work, name).encode() for name in SERVICES}
    assert not any(b"ObjectList(" in text or b"Raw(" in text for text in produced.values())
    _compare(produced, CASE / "explain", request)


def test_new_service_with_every_kind(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    work = tmp_path / "repo"
    shutil.copytree(CASE / "input", work)
    datastores = tuple(f"{t}:{t}-store" for t in REGISTRY.types())
    result = new_service(work, NewService(name="sink", owner="platform", datastores=datastores))
    generate(work)  # the scaffold validates and generates with every kind
    for t in REGISTRY.types():
        label = f"sink_{t}_store".replace("-", "_")  # the datastore sink-<type>-store as an HCL label
        assert (work / "accounts/dev/services/sink/main.tf").read_text().count(f'module "{label}"') == 1
    _compare({rel: (work / rel).read_bytes() for rel in result.files}, CASE / "new-service", request)
