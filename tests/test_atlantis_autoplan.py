"""Autoplan is exactly right: simulate Atlantis's matching of `when_modified` on every example project.

Atlantis joins each pattern to the project dir, cleans it, and matches a pull request's modified
files with moby's patternmatcher (.dockerignore rules). generator.patterns implements that; the
first tests pin it against the documented rules, the rest prove coverage and isolation.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

import pytest
import yaml

from generator import api
from generator.plan import modules
from generator.plan.roots import OutputFile
from generator.render.atlantis import projects
from generator.spec.load import load_repo
from generator.tools.patterns import when_modified_match

ORG = Path(__file__).resolve().parent / "fixtures" / "org"  # the fixture organization


@pytest.mark.parametrize(
    ("patterns", "file", "expected"),
    [
        (["*.tf"], "p/main.tf", True),
        (["*.tf"], "p/sub/main.tf", False),  # `*` does not cross `/`
        (["*.tf"], "p/main.tf.json", False),
        (["*.tf*"], "p/main.tf.json", True),
        (["?ain.tf"], "p/main.tf", True),
        (["?ain.tf"], "p/mmain.tf", False),
        (["**/*.tf"], "p/a/b/c.tf", True),
        (["**/*.tf"], "p/c.tf", True),  # `**` matches zero directories
        (["../modules/**/*.tf"], "modules/x/y/z.tf", True),
        (["../modules/x/*.tf"], "modules/x/y/z.tf", False),
        (["../modules/x"], "modules/x/y/z.tf", True),  # a parent directory matches its files
        (["../modules/x/*.tf*"], "modules/x/tests/x.tftest.hcl", False),
        (["*.tf", "!test.tf"], "p/test.tf", False),  # a later exclusion wins
        (["!test.tf", "*.tf"], "p/test.tf", True),  # an earlier one does not
        (["*.tf", "!test.tf", "test.tf"], "p/test.tf", True),
        (["main.tf"], "p/main.tf", True),
        (["main.tf"], "main.tf", False),  # relative to the project dir, not the repo root
        (["a.b"], "p/aXb", False),  # `.` is literal
        (["../../x.yaml"], "x.yaml", False),
        (["../x.yaml"], "x.yaml", True),
    ],
)
def test_matcher_follows_dockerignore_rules(patterns: list[str], file: str, expected: bool) -> None:
    assert (when_modified_match("p", patterns, file) is not None) is expected


def _all_files(root: Path) -> list[str]:
    """Every file of the checkout that a pull request could touch (no caches or virtualenvs)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in {"__pycache__", "node_modules"}]
        found.extend((Path(dirpath) / f).relative_to(root).as_posix() for f in filenames)
    return sorted(found)


Item = tuple[str, str, tuple[str, ...], list[str], set[str]]
Model = tuple[list[OutputFile], list[Item]]


@pytest.fixture(scope="module")
def model() -> Model:
    """(generated files, [(project, dir, when_modified, module dirs, input files)]) of the example."""
    modules.clear_cache()
    repo = load_repo(ORG)
    files = api.outputs(ORG, repo)
    result = []
    for project in projects(ORG, repo):
        if project.root is None:  # the teams' alerts roots: tests/test_alerting.py covers their triggers
            continue
        mods = _module_dirs(ORG, project.dir)
        result.append((project.name, project.dir, project.when_modified, mods, set(project.root.inputs)))
    return files, result


def _module_dirs(root: Path, directory: str) -> list[str]:
    """Modules a root reaches, found independently of the generator: follow every local source."""
    seen: set[str] = set()
    pending = [directory]
    while pending:
        current = pending.pop()
        for tf in sorted((root / current).glob("*.tf")):
            if tf.is_symlink():  # a shared file linked in: its folder is an input of the module too
                linked = posixpath.normpath(posixpath.join(current, posixpath.dirname(os.readlink(tf))))
                seen.add(linked)
            for line in tf.read_text(encoding="utf-8").splitlines():
                stripped = line.strip()
                if stripped.startswith("source") and ('"../' in stripped or '"./' in stripped):
                    source = stripped.split('"')[1]
                    target = posixpath.normpath(posixpath.join(current, source))
                    if target not in seen:
                        seen.add(target)
                        pending.append(target)
    return sorted(seen)


def test_a_shared_variables_file_plans_every_module_that_links_it(model: Model) -> None:
    _, items = model
    planned = {
        name
        for name, directory, patterns, _, _ in items
        if when_modified_match(directory, patterns, "modules/platform/_shared/datastore_variables.tf")
    }
    with_datastores = {"staging-bpg", "staging-core", "staging-klausapproves", "production-core"}
    assert with_datastores <= planned
    assert "staging-demo-service" not in planned


def test_every_example_project_has_modules_reached_transitively(model: Model) -> None:
    _, items = model
    for name, _, _, mods, _ in items:
        assert any(m.startswith("modules/platform/") for m in mods), name
        assert any(m.startswith("modules/aws/") for m in mods), f"{name}: aws modules are reached through platform"


def test_touching_any_input_of_a_project_plans_it(model: Model) -> None:
    files, items = model
    for name, directory, patterns, mods, inputs in items:
        own = [f.path for f in files if f.path.startswith(directory + "/")]
        header_inputs = {i for f in files if f.path.startswith(directory + "/") for i in f.inputs}
        env = directory.split("/")[1]
        service = directory.split("/")[3]
        touched = [
            *own,
            f"{directory}/.terraform.lock.hcl",
            f"{directory}/extra.tf.json",
            f"{directory}/prod.tfvars",
            *header_inputs,
            *inputs,
            f"accounts/{env}/account.yaml",
            f"services/{service}/service.yaml",
            f"services/{service}/environments/{env}.yaml",  # even one that does not exist yet
        ]
        for module in mods:
            module_files = sorted((ORG / module).glob("*.tf"))
            assert module_files, module
            touched.extend(p.relative_to(ORG).as_posix() for p in module_files)
        assert len(own) >= 5, name
        for file in touched:
            assert when_modified_match(directory, patterns, file) is not None, f"{name} is not planned for {file}"


def test_unrelated_files_do_not_plan_a_project(model: Model) -> None:
    files, items = model
    every_file = _all_files(ORG)
    for name, directory, patterns, mods, inputs in items:
        env = directory.split("/")[1]
        service = directory.split("/")[3]
        relevant_prefixes = (directory + "/", *(m + "/" for m in mods))
        allowed = {*inputs, f"accounts/{env}/account.yaml", f"services/{service}/environments/{env}.yaml"}
        for file in every_file:
            hit = when_modified_match(directory, patterns, file)
            if hit is None:
                continue
            assert file in allowed or file.startswith(relevant_prefixes), f"{name} is planned for unrelated {file}"
            if file.startswith(tuple(m + "/" for m in mods)):
                assert "/tests/" not in file and not file.endswith(".md"), f"{name} planned for {file}"
        # another service's spec, env file, roots and the other account do not count
        others = [f.path for f in files if f.path.startswith("accounts/") and not f.path.startswith(directory + "/")]
        for file in [*others, "README.md", "generator/plan/roots.py", "schemas/service.schema.json"]:
            assert when_modified_match(directory, patterns, file) is None, f"{name} is planned for {file}"
        # the owner team's cost center (teams.yaml) is in every root's default tags
        assert when_modified_match(directory, patterns, "teams.yaml") is not None, f"{name} ignores teams.yaml"


def test_a_service_change_plans_only_that_service_and_its_readers(model: Model) -> None:
    _, items = model
    planned = {
        name
        for name, directory, patterns, _, _ in items
        if when_modified_match(directory, patterns, "services/bpg/service.yaml")
    }
    assert "staging-bpg" in planned and "production-bpg" in planned
    assert "staging-klausapproves" in planned  # it reads bpg's resources
    assert "staging-core" not in planned and "staging-demo-service" not in planned
    touched = "services/core/service.yaml"
    assert {n for n, d, p, _, _ in items if when_modified_match(d, p, touched)} == {"production-core", "staging-core"}


def test_committed_atlantis_yaml_carries_the_computed_patterns(model: Model) -> None:
    _, items = model
    committed = yaml.safe_load((ORG / "atlantis.yaml").read_text())
    by_name = {p["name"]: p for p in committed["projects"]}
    for name, directory, patterns, _, _ in items:
        assert by_name[name]["dir"] == directory
        assert tuple(by_name[name]["autoplan"]["when_modified"]) == patterns


def test_execution_order_and_depends_on(model: Model) -> None:
    committed = yaml.safe_load((ORG / "atlantis.yaml").read_text())
    by_name = {p["name"]: p for p in committed["projects"]}
    for env in ("staging", "production"):
        reader, dependency = by_name[f"{env}-klausapproves"], by_name[f"{env}-bpg"]
        assert reader["depends_on"] == [f"{env}-bpg", f"{env}-team-payments"]  # and its team's alerts root
        assert reader["execution_order_group"] > dependency["execution_order_group"]
    for project in committed["projects"]:
        for dep in project.get("depends_on", []):
            assert dep in by_name, dep
            assert by_name[dep]["execution_order_group"] < project["execution_order_group"]
            assert dep.split("-")[0] == project["name"].split("-")[0], "dependencies stay in one account"
    names = [p["name"] for p in committed["projects"]]
    assert names == sorted(names)


@pytest.mark.parametrize(
    "start",
    ["accounts/staging/services/x", "accounts/production/services/y", "accounts/staging/alerts", "modules/platform/x"],
)
def test_the_relative_closure_is_relpath_of_each_reached_module(start: str) -> None:
    """The triggers' module paths, shared by every root as deep under the same folder, are exactly
    posixpath.relpath of each module reached, whatever the start (one under modules/ shares the
    modules' first folder, so it is computed for that start alone)."""
    modules.clear_cache()
    depth = start.count("/") + 1
    sources = tuple("../" * depth + f"modules/platform/{m}" for m in ("service", "dashboard"))
    reached = modules.closure_by_depth(ORG, start, sources)
    assert len(reached) > 2  # the platform modules call modules/aws ones
    expected = tuple(posixpath.relpath(d, start) for d in reached)
    assert modules.relative_closure(ORG, start, sources) == expected
    assert modules.relative_closure(ORG, start, sources) == expected  # and from the cache
