"""Cache node type and engine version against modules/platform/cache/catalogue.yaml, per
environment, and no engine version older than the one an environment runs (its committed root)."""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import REPO, copy_inputs
from spec_files import edit, line_of, problems

from generator import generate
from generator.datastores import versions

KLAUS = "services/klausapproves/service.yaml"
KLAUS_PRODUCTION = "services/klausapproves/environments/production.yaml"
CACHE = "  klausapproves-cache:\n    type: redis\n"
PRODUCTION_RDS = "    klausapproves-rds:\n"


def _main(root: Path, env: str) -> str:
    return (root / f"accounts/{env}/services/klausapproves/main.tf").read_text(encoding="utf-8")


def _cache_block(text: str) -> str:
    start = text.index('module "klausapproves_cache" {')
    return text[start : text.index("\n}\n", start)]


def test_the_catalogue_holds_the_defaults_and_what_the_module_accepts() -> None:
    found = versions.catalogue(REPO, "platform/cache")
    assert found is not None
    assert "cache.t4g.micro" in found.node_types and "7.1" in found.versions["redis"]
    assert all(versions.parts(v)[0] >= 7 for v in found.versions["redis"])  # IAM authentication
    raw = yaml.safe_load((REPO / "modules/platform/cache/catalogue.yaml").read_text(encoding="utf-8"))
    assert set(raw) == {"engines", "nodeTypes"}


def test_node_type_and_version_per_environment(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    edit(root, KLAUS, CACHE, CACHE + "    nodeType: cache.t4g.small\n")
    edit(
        root,
        KLAUS_PRODUCTION,
        PRODUCTION_RDS,
        "    klausapproves-cache:\n      nodeType: cache.r7g.large\n" + PRODUCTION_RDS,
    )
    generate(root, check=False)
    assert 'node_type               = "cache.t4g.small"' in _cache_block(_main(root, "staging"))
    assert 'node_type               = "cache.r7g.large"' in _cache_block(_main(root, "production"))


def test_unknown_node_type_names_close_ones_at_its_line(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    edit(
        root,
        KLAUS_PRODUCTION,
        PRODUCTION_RDS,
        "    klausapproves-cache:\n      nodeType: cache.r7g.larg\n" + PRODUCTION_RDS,
    )
    [problem] = problems(root)
    assert (problem.file, problem.line) == (KLAUS_PRODUCTION, line_of(root, KLAUS_PRODUCTION, "cache.r7g.larg"))
    assert problem.field == "overrides.datastores.klausapproves-cache.nodeType"
    assert "not in modules/platform/cache/catalogue.yaml" in problem.message
    assert "did you mean cache.r7g.large" in problem.message


def test_unknown_engine_version_lists_the_supported_ones(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    edit(root, KLAUS, CACHE, CACHE + '    engineVersion: "7.4"\n')
    found = problems(root)
    assert [(p.file, p.line, p.field) for p in found] == [
        (KLAUS, line_of(root, KLAUS, '"7.4"'), "resources.klausapproves-cache.engineVersion")
    ]
    assert "Redis 7.4 is not in modules/platform/cache/catalogue.yaml" in found[0].message
    assert "7.1" in found[0].message


def _with_outputs(tmp_path: Path) -> Path:
    root = copy_inputs(tmp_path / "repo")
    generate(root, check=False)  # the committed roots: every environment runs 7.1 and postgres 16
    return root


def test_a_cache_version_older_than_the_running_one_is_refused(tmp_path: Path) -> None:
    root = _with_outputs(tmp_path)
    edit(root, KLAUS, CACHE, CACHE + '    engineVersion: "7.0"\n')
    found = problems(root)
    line = line_of(root, KLAUS, '"7.0"')
    assert {(p.file, p.line, p.field) for p in found} == {(KLAUS, line, "resources.klausapproves-cache.engineVersion")}
    assert {p.message.split(" runs ")[0] for p in found} == {
        "redis 7.0 is older than 7.1, which production",
        "redis 7.0 is older than 7.1, which staging",
    }
    assert all("VersionManagement.html" in p.message for p in found)


def test_a_downgrade_in_one_environment_is_refused_there(tmp_path: Path) -> None:
    root = _with_outputs(tmp_path)
    edit(root, KLAUS_PRODUCTION, "      storageGb: 100\n", '      storageGb: 100\n      engineVersion: "15"\n')
    [problem] = problems(root)
    assert (problem.file, problem.field) == (KLAUS_PRODUCTION, "overrides.datastores.klausapproves-rds.engineVersion")
    assert problem.line == line_of(root, KLAUS_PRODUCTION, '"15"')
    assert "postgres 15 is older than 16, which production runs" in problem.message
    assert "USER_UpgradeDBInstance.Upgrading.html" in problem.message


def test_an_upgrade_and_a_pinned_minor_of_the_running_line_pass(tmp_path: Path) -> None:
    root = _with_outputs(tmp_path)
    edit(root, KLAUS_PRODUCTION, "      storageGb: 100\n", '      storageGb: 100\n      engineVersion: "16.4"\n')
    generate(root, check=False)
    assert 'engine_version        = "16.4"' in _main(root, "production")
    edit(root, KLAUS_PRODUCTION, '"16.4"', '"17"')
    generate(root, check=False)
    assert 'engine_version        = "17"' in _main(root, "production")


def test_version_order() -> None:
    assert versions.older("7.0", "7.1") and versions.older("15", "16.4") and versions.older("16.2", "16.4")
    assert not versions.older("16", "16.4") and not versions.older("16.4", "16") and not versions.older("8.4", "8.0")


def test_another_engine_under_the_same_name_is_not_a_downgrade(tmp_path: Path) -> None:
    """postgres 16 to mysql 8.0 of one datastore is a replacement (acknowledged in the environment
    file, plan-check's rule), not an older version of what runs."""
    root = _with_outputs(tmp_path)
    edit(root, KLAUS, "  klausapproves-rds:\n    type: postgres\n", "  klausapproves-rds:\n    type: mysql\n")
    generate(root, check=False)
    assert 'engine_version        = "8.0"' in _main(root, "production")
