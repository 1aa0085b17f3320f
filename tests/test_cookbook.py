"""docs/platform-cookbook.md, applied: each recipe's edit on a copy of the example organization
must generate and validate, change what the recipe says, and touch exactly the files its
**Files** line names (a recipe that edits generator code is applied by replacing that function,
which is what the edit does)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import git
import pytest
import yaml
from conftest import REPO, copy_inputs

from generator import api
from generator.datastores import database
from generator.tools import patterns, release

COOKBOOK = REPO / "docs" / "platform-cookbook.md"
ACTOR = git.Actor("infragen tests", "tests@infragen.invalid")
SECTION = re.compile(r"^## (\d+)\. .*?\n\*\*Files:\*\* (.*?)\n", re.MULTILINE | re.DOTALL)


def documented_files() -> dict[int, list[str]]:
    text = COOKBOOK.read_text(encoding="utf-8")
    return {int(n): re.findall(r"`([^`]+)`", files) for n, files in SECTION.findall(text)}


def documented_yaml(number: int) -> dict[str, dict[str, Any]]:
    """The recipe's YAML blocks as written, by the file of its **Files** line each edits (a block
    for several files labels each part with a ``# <path>`` comment line)."""
    text = COOKBOOK.read_text(encoding="utf-8")
    section = re.split(r"^## ", text, flags=re.MULTILINE)[number]
    files = [f for f in documented_files()[number] if f.endswith(".yaml")]
    edits: dict[str, dict[str, Any]] = {}
    for block in re.findall(r"```yaml\n(.*?)```", section, re.DOTALL):
        for label, part in re.findall(r"(?:^# (\S+\.yaml)\n)?((?:(?!# \S+\.yaml\n).*\n)+)", block, re.MULTILINE):
            (target,) = [f for f in files if f.endswith(label)] if label else files
            edits[target] = yaml.safe_load(part)
    return edits


def _merge(into: dict[str, Any], edit: dict[str, Any]) -> None:
    for key, value in edit.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


class Kitchen:
    """A copy of the example organization, generated; records which files a recipe edits."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = root
        self.monkeypatch = monkeypatch
        self.touched: set[str] = set()

    def yaml(self, rel: str, change: Callable[[dict[str, Any]], None]) -> None:
        path = self.root / rel
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
        change(data)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        self.touched.add(rel)

    def as_documented(self, number: int) -> None:
        """Merge the recipe's YAML, exactly as the cookbook shows it, into the files it names."""
        for rel, edit in documented_yaml(number).items():
            self.yaml(rel, lambda d, edit=edit: _merge(d, edit))

    def text(self, rel: str, change: Callable[[str], str]) -> None:
        path = self.root / rel
        before = path.read_text(encoding="utf-8") if path.is_file() else ""
        after = change(before)
        assert after != before, f"the edit of {rel} changes it"
        path.write_text(after, encoding="utf-8")
        self.touched.add(rel)

    def code(self, rel: str, owner: Any, name: str, replacement: Callable[..., Any]) -> None:
        """The edit of a generator function (``rel`` is its file). An edited generator has another
        fingerprint, so nothing generated before is trusted: stamps and caches are off."""
        assert (REPO / rel).read_text(encoding="utf-8").count(f"def {name}(") == 1, f"{name} is in {rel}"
        self.monkeypatch.setattr(owner, name, replacement)
        self.monkeypatch.setenv("INFRAGEN_NO_STAMP", "1")
        self.touched.add(rel)

    def gen(self) -> dict[str, str]:
        """Regenerate and validate; the changed files, path -> action."""
        changes = api.generate(self.root).changes
        api.validate(self.root)
        assert api.generate(self.root, check=True).changes == []
        return {c.path: c.action for c in changes}

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")


@pytest.fixture
def kitchen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Kitchen]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = copy_inputs(tmp_path / "org", outputs=True)
    assert api.generate(root).changes == []  # the copy is consistent before the recipe
    yield Kitchen(root, monkeypatch)


def _append(items: list[str], item: str) -> list[str]:
    return [*items, item]


def recipe_1(k: Kitchen) -> None:
    k.as_documented(1)
    changed = k.gen()
    assert "accounts/production/services/core/main.tf" in changed
    production = k.read("accounts/production/services/core/main.tf")
    assert 'module "core_reports"' in production
    assert re.search(r"read_replicas\s+= 1", production)


def recipe_2(k: Kitchen) -> None:
    k.as_documented(2)
    k.gen()
    assert '"cache.r7g.large"' in k.read("accounts/production/services/core/main.tf")
    assert '"cache.r7g.large"' not in k.read("accounts/staging/services/core/main.tf")


def recipe_3(k: Kitchen) -> None:
    k.as_documented(3)
    k.gen()
    staging = k.read("accounts/staging/services/klausapproves/main.tf")
    assert '"/ready"' in staging and re.search(r"unhealthy_threshold\s+= 5", staging)
    assert not re.search(r"unhealthy_threshold\s+= 5", k.read("accounts/production/services/klausapproves/main.tf"))


def recipe_4(k: Kitchen) -> None:
    k.as_documented(4)
    k.gen()
    staging = k.read("accounts/staging/services/core/main.tf")
    assert re.search(r"backup_retention_days\s+= 21", staging)
    assert '"02:00-02:30"' in staging and '"sun:04:00-sun:04:30"' in staging


def recipe_5(k: Kitchen) -> None:
    k.as_documented(5)
    k.gen()
    production = k.read("accounts/production/services/klausapproves/main.tf")
    assert '"/api/*"' in production and '"X-Client"' in production


def recipe_6(k: Kitchen) -> None:
    k.as_documented(6)
    changed = k.gen()
    assert "accounts/staging/services/core/references-payments.tf" in changed  # bpg is payments'
    atlantis = yaml.safe_load(k.read("atlantis.yaml"))
    core = next(p for p in atlantis["projects"] if p["name"] == "staging-core")
    assert "staging-bpg" in core.get("depends_on", [])


def recipe_7(k: Kitchen) -> None:
    k.code(
        "generator/datastores/database.py",
        database,
        "read_replicas",
        lambda opts, account: (
            opts.read_replicas if opts.read_replicas is not None else (2 if account.production else 0)
        ),
    )
    changed = k.gen()
    assert re.search(r"read_replicas\s+= 2", k.read("accounts/production/services/core/main.tf"))
    assert re.search(r"read_replicas\s+= 0", k.read("accounts/staging/services/core/main.tf"))
    assert "accounts/staging/services/core/main.tf" not in changed


def recipe_8(k: Kitchen) -> None:
    real = database.default_engine_version
    k.code(
        "generator/datastores/database.py",
        database,
        "default_engine_version",
        lambda engine: "17" if engine == "postgres" else real(engine),
    )
    k.as_documented(8)
    k.gen()
    for env in ("staging", "production"):
        assert re.search(r'engine_version\s+= "17"', k.read(f"accounts/{env}/services/core/main.tf"))
        assert re.search(r'engine_version\s+= "16"', k.read(f"accounts/{env}/services/klausapproves/main.tf"))


def _database_roots(k: Kitchen) -> set[str]:
    found = set()
    for spec in (k.root / "services").glob("*/service.yaml"):
        data = yaml.safe_load(spec.read_text(encoding="utf-8"))
        if any(r["type"] in ("postgres", "mysql") for r in (data.get("resources") or {}).values()):
            found.update(f"{env}-{data['name']}" for env in data["environments"])
    return found


def _planned_by(k: Kitchen, file: str) -> set[str]:
    atlantis = yaml.safe_load(k.read("atlantis.yaml"))
    return {
        p["name"] for p in atlantis["projects"] if patterns.triggered(p["dir"], p["autoplan"]["when_modified"], [file])
    }


def recipe_9(k: Kitchen) -> None:
    k.text("modules/aws/rds/main.tf", lambda text: text + "\n# backups: copy every snapshot's tags\n")
    assert k.gen() == {}, "a module edit generates nothing"
    assert _planned_by(k, "modules/aws/rds/main.tf") == _database_roots(k)


def recipe_10(k: Kitchen) -> None:
    repo = git.Repo.init(k.root)

    def commit(message: str) -> None:
        repo.git.add(A=True)
        repo.index.commit(message, author=ACTOR, committer=ACTOR)

    commit("base")
    release.release(k.root, "modules-v1.4.0")
    channels = f"source: git::file://{k.root}\nenvironments:\n  production: modules-v1.4.0\n"
    k.text("modules/channels.yaml", lambda _: channels)
    k.gen()  # the first channel file: production on the tag (and every root's header names the file)
    assert "?ref=modules-v1.4.0" in k.read("accounts/production/services/core/main.tf")
    assert _planned_by(k, "modules/aws/rds/main.tf") == {p for p in _database_roots(k) if p.startswith("staging-")}
    commit("production on modules-v1.4.0")
    release.release(k.root, "modules-v1.5.0")
    k.text("modules/channels.yaml", lambda text: text.replace("modules-v1.4.0", "modules-v1.5.0"))
    changed = k.gen()  # the promotion a week later: exactly production's roots
    assert changed and all(p.startswith("accounts/production/") for p in changed), changed
    assert "?ref=modules-v1.5.0" in k.read("accounts/production/services/core/main.tf")


def recipe_12(k: Kitchen) -> None:
    k.text("infragen.yaml", lambda text: text + 'infragenVersion: ">=0"\n')
    assert k.gen() == {}


def recipe_11(k: Kitchen) -> None:
    """The kind exists where the recipe says (every listed path), and a service using it generates
    and validates; the kitchen sink declares it."""
    for rel in documented_files()[11]:
        assert (REPO / rel).exists(), rel
        k.touched.add(rel)
    assert "aurora-postgres" in (REPO / documented_files()[11][-1]).read_text(encoding="utf-8")

    def use(d: dict[str, Any]) -> None:
        d["resources"]["core-ledger"] = {"type": "aurora-postgres"}
        deps = d["spec"]["dependencies"]
        deps["datastores"] = _append(deps["datastores"], "core-ledger")

    k.yaml("services/core/service.yaml", use)
    k.touched.discard("services/core/service.yaml")  # the use of the kind, not the recipe's edit
    k.gen()
    assert 'module "core_ledger"' in k.read("accounts/staging/services/core/main.tf")


RECIPES: dict[int, Callable[[Kitchen], None]] = {
    int(name.split("_")[1]): fn for name, fn in list(globals().items()) if name.startswith("recipe_")
}


def test_every_recipe_has_a_files_line_and_a_test() -> None:
    documented = documented_files()
    assert sorted(documented) == list(range(1, len(documented) + 1)), "recipes are numbered 1..N"
    assert set(RECIPES) == set(documented), "every recipe is applied here"


@pytest.mark.parametrize("number", sorted(RECIPES))
def test_recipe(number: int, kitchen: Kitchen) -> None:
    RECIPES[number](kitchen)
    assert kitchen.touched == set(documented_files()[number]), "the Files line names exactly what the edit touches"
