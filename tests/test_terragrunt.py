"""The Terragrunt flavor. Terragrunt itself is not installed here and is never run: the output is
parsed with python-hcl2, every unit's inputs are checked against its module's variables.tf, and
the staging units' inputs (with the dependencies' mock outputs) are rendered as one plain root
that `terraform validate` checks. Byte-exact output: tests/golden/terragrunt (test_golden.py)."""

from __future__ import annotations

import json
import posixpath
import re
import shutil
from pathlib import Path
from typing import Any

import hcl2
import pytest
from conftest import REPO, copy_inputs, run_cli
from tfenv import provider_available, run_terraform, terraform_binary

from generator.render.terragrunt import flavor

UNIT = "terragrunt.hcl"


@pytest.fixture(scope="module")
def tg_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_inputs(tmp_path_factory.mktemp("tg") / "repo")
    (root / "infragen.yaml").write_text("flavor: terragrunt\n")
    result = run_cli("gen", "--root", str(root))
    assert result.code == 0, result.stderr
    return root


def units(root: Path) -> list[Path]:
    return sorted(p.parent for p in (root / "accounts").rglob(UNIT) if p.parent != root / "accounts")


def load(path: Path) -> dict[str, Any]:
    with path.open() as handle:
        parsed: dict[str, Any] = hcl2.load(handle)
    return parsed


def module_dir(unit: Path, parsed: dict[str, Any]) -> Path:
    source = decode(parsed["terraform"][0]["source"])
    assert isinstance(source, str) and "//" in source
    return (unit / source.replace("//", "/")).resolve()


def decode(value: Any, mocks: dict[str, dict[str, Any]] | None = None, local: dict[str, Any] | None = None) -> Any:
    """python-hcl2 values -> Python: strings unquoted, `dependency.x.outputs.y` -> the mock output,
    the two expressions over the unit's local task definition (``local``) -> their values."""
    if isinstance(value, str):
        ref = re.fullmatch(r"\$\{dependency\.(\w+)\.outputs\.(\w+)\}", value)
        if ref:
            assert mocks is not None and ref[1] in mocks, f"no dependency block {ref[1]}"
            return mocks[ref[1]][ref[2]]
        encoded = re.fullmatch(r"\$\{jsonencode\(local\.(\w+)\)\}", value)
        if encoded:
            assert local is not None and encoded[1] in local, f"no local {encoded[1]}"
            return json.dumps(local[encoded[1]])
        pairs = re.fullmatch(r"\$\{\{for item in local\.(\w+)\[0\]\.(\w+) : item\.(\w+) => item\.(\w+)\}\}", value)
        if pairs:
            assert local is not None and pairs[1] in local, f"no local {pairs[1]}"
            return {item[pairs[3]]: item[pairs[4]] for item in local[pairs[1]][0][pairs[2]]}
        assert value.startswith('"') and value.endswith('"'), f"unexpected expression {value}"
        return json.loads(value).replace("$${", "${").replace("%%{", "%{")
    if isinstance(value, list):
        return [decode(v, mocks, local) for v in value]
    if isinstance(value, dict):
        return {k.strip('"'): decode(v, mocks, local) for k, v in value.items() if k != "__is_block__"}
    return value


def unit_inputs(unit: Path) -> tuple[dict[str, Any], Path]:
    parsed = load(unit / UNIT)
    mocks = {}
    for block in parsed.get("dependency", []):
        for label, body in block.items():
            mocks[label.strip('"')] = decode(body["mock_outputs"])
            target = (unit / decode(body["config_path"])).resolve()
            assert (target / UNIT).is_file(), f"{unit}: dependency {label} points at no unit"
    local = {k: decode(v) for block in parsed.get("locals", []) for k, v in block.items() if k != "__is_block__"}
    return decode(parsed["inputs"], mocks, local), module_dir(unit, parsed)


def variables(module: Path) -> dict[str, dict[str, Any]]:
    """Variables from every *.tf file: shared inputs are linked in from modules/platform/_shared."""
    return {
        name.strip('"'): body
        for tf in sorted(module.glob("*.tf"))
        for block in load(tf).get("variable", [])
        for name, body in block.items()
    }


def parse_type(text: str) -> Any:
    """A Terraform type expression as nested tuples: ('string',), ('list', T), ('object', {k: T})."""
    tokens = re.findall(r"[A-Za-z_][A-Za-z0-9_]*|[(){}=,]", text.removeprefix("${").removesuffix("}"))
    pos = 0

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def parse() -> Any:
        nonlocal pos
        name = take()
        if name in ("string", "number", "bool", "any"):
            return (name,)
        assert take() == "("
        if name == "object":
            assert take() == "{"
            attrs = {}
            while tokens[pos] != "}":
                key = take()
                assert take() == "="
                attrs[key] = parse()
                if tokens[pos] == ",":
                    take()
            take()
            inner: Any = attrs
        else:
            inner = parse()
        if name == "optional" and tokens[pos] == ",":  # optional(T, default): the default is skipped
            depth = 0
            while depth or tokens[pos] != ")":
                depth += {"(": 1, "{": 1, ")": -1, "}": -1}.get(tokens[pos], 0)
                pos += 1
        assert take() == ")"
        return (name, inner)

    return parse()


def conforms(value: Any, kind: Any) -> bool:
    name = kind[0]
    if name == "any":
        return True
    if name == "string":
        return isinstance(value, str)
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if name == "bool":
        return isinstance(value, bool)
    if name in ("list", "set"):
        return isinstance(value, list) and all(conforms(v, kind[1]) for v in value)
    if name == "map":
        return isinstance(value, dict) and all(conforms(v, kind[1]) for v in value.values())
    if name == "optional":
        return value is None or conforms(value, kind[1])
    if name == "object":
        required = {k for k, t in kind[1].items() if t[0] != "optional"}
        return (
            isinstance(value, dict)
            and required <= set(value) <= set(kind[1])
            and all(conforms(value[k], kind[1][k]) for k in value)
        )
    raise AssertionError(f"unhandled type {kind}")


def test_flavor_defaults_to_terraform(tmp_path: Path) -> None:
    assert flavor(tmp_path) == "terraform"
    (tmp_path / "infragen.yaml").write_text("flavor: terragrunt\n")
    assert flavor(tmp_path) == "terragrunt"


def test_bad_settings_file_is_a_positioned_error(example: Path) -> None:
    (example / "infragen.yaml").write_text("flavour: terragrunt\n")
    result = run_cli("gen", "--json", "--root", str(example))
    assert result.code == 1
    (problem,) = json.loads(result.stdout)["problems"]
    assert problem["file"] == "infragen.yaml" and "did you mean 'flavor'?" in problem["message"]


def test_layout(tg_repo: Path) -> None:
    assert (tg_repo / "accounts/root.hcl").is_file()
    assert (tg_repo / "accounts/staging/env.hcl").is_file()
    found = {p.relative_to(tg_repo / "accounts").as_posix() for p in units(tg_repo)}
    assert "staging/services/klausapproves" in found
    assert "staging/services/klausapproves/klausapproves-rds" in found
    assert "production/services/core/discovery" in found
    assert "staging/services/core/discovery" not in found  # staging has no Consul
    assert not list((tg_repo / "accounts").rglob("main.tf"))  # no plain roots


def test_root_and_env_files_parse(tg_repo: Path) -> None:
    root = load(tg_repo / "accounts/root.hcl")
    state = root["remote_state"][0]
    assert decode(state["backend"]) == "s3"
    assert {"versions", "provider"} == {label.strip('"') for block in root["generate"] for label in block}
    env = decode(load(tg_repo / "accounts/production/env.hcl")["locals"][0])
    assert env["account_id"] == "222222222222" and env["state_lock_table"] == "terraform-locks"
    assert env["consul"] == {"address": "consul.production.lemon.internal:8500", "datacenter": "production"}


def test_every_input_matches_the_module_variables(tg_repo: Path) -> None:
    checked = 0
    for unit in units(tg_repo):
        inputs, module = unit_inputs(unit)
        declared = variables(module)
        assert set(inputs) <= set(declared), f"{unit}: unknown inputs {set(inputs) - set(declared)}"
        required = {name for name, body in declared.items() if "default" not in body}
        assert required <= set(inputs), f"{unit}: missing required inputs {required - set(inputs)}"
        for name, value in inputs.items():
            body = declared[name]
            if value is None:
                assert body.get("default", "absent") is None, f"{unit}: {name} = null but the variable is required"
                continue
            kind = parse_type(body.get("type", "any"))
            assert conforms(value, kind), f"{unit}: {name} = {value!r} is not a {body.get('type')}"
            checked += 1
    assert checked > 100


def test_atlantis_names_the_terragrunt_workflow(tg_repo: Path) -> None:
    import yaml

    config = yaml.safe_load((tg_repo / "atlantis.yaml").read_text())
    dirs = {p["dir"]: p for p in config["projects"]}
    assert {p["workflow"] for p in config["projects"]} == {"infragen-terragrunt"}
    assert set(dirs) == {p.relative_to(tg_repo).as_posix() for p in units(tg_repo)}
    service = dirs["accounts/staging/services/klausapproves"]
    assert set(service["depends_on"]) == {
        "staging-bpg",
        "staging-klausapproves.klausapproves-cache",
        "staging-klausapproves.klausapproves-rds",
        "staging-team-payments",  # the owner team's alerts unit: its topic exists before the alarms
    }
    for project in config["projects"]:
        base = project["dir"]
        triggers = project["autoplan"]["when_modified"]
        for needed in ("accounts/root.hcl", posixpath.join(*base.split("/")[:2], "env.hcl")):
            assert posixpath.relpath(needed, base) in triggers


def test_switching_back_to_terraform_removes_the_units(tg_repo: Path, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(tg_repo, root, symlinks=True)
    (root / "infragen.yaml").unlink()
    assert run_cli("gen", "--root", str(root)).code == 0
    assert not list((root / "accounts").rglob("*.hcl"))
    assert (root / "accounts/staging/services/klausapproves/main.tf").is_file()


def test_staging_inputs_pass_terraform_validate(tg_repo: Path, tmp_path: Path) -> None:
    """Terragrunt would pass the inputs as variables; here they are module arguments of one plain root."""
    if terraform_binary() is None or not provider_available("hashicorp", "aws"):
        pytest.skip("terraform validate needs the terraform CLI and hashicorp/aws in the local provider mirror")
    shutil.copytree(
        REPO / "modules", tmp_path / "modules", ignore=shutil.ignore_patterns(".terraform*", "tests"), symlinks=True
    )
    blocks = {}
    for unit in units(tg_repo):
        if "/staging/services/" not in unit.as_posix():
            continue
        inputs, module = unit_inputs(unit)
        escaped = json.loads(json.dumps(inputs).replace("${", "$${").replace("%{", "%%{"))
        source = "../" + module.relative_to(tg_repo).as_posix()  # a local path: relative, not absolute
        label = unit.relative_to(tg_repo / "accounts/staging/services").as_posix().replace("/", "__").replace("-", "_")
        blocks[label] = {"source": source, **escaped}
    assert len(blocks) >= 9
    root = tmp_path / "root"
    root.mkdir()
    config = {"module": blocks, "provider": {"aws": {"region": "eu-west-1"}}}
    (root / "main.tf.json").write_text(json.dumps(config, indent=2))
    init = run_terraform(["init", "-backend=false", "-input=false", "-no-color"], root)
    assert init.returncode == 0, init.stdout + init.stderr
    result = run_terraform(["validate", "-no-color"], root)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_flavor_switch_says_the_units_resources_stay(tg_repo: Path, tmp_path: Path) -> None:
    """A switch to the plain flavor makes no destroy-only units (the new roots take the resources
    over): the units are deleted, and `gen` must say that their state and resources are not
    destroyed (a plain "orphan" read as done). A removed service: tests/test_terragrunt_decommission.py."""
    root = tmp_path / "repo"
    shutil.copytree(tg_repo, root, symlinks=True)
    (root / "infragen.yaml").unlink()
    result = run_cli("gen", "--root", str(root))
    assert result.code == 0, result.stderr
    deleted = [line for line in result.stdout.splitlines() if line.startswith("delete  ")]
    units = [line for line in deleted if line.split()[1].endswith("/terragrunt.hcl")]
    assert units, deleted
    for line in units:
        assert "its state and resources stay" in line and "state mv" in line, line
    assert not any("Destroy-only" in p.read_text() for p in (root / "accounts").rglob("*.tf"))
