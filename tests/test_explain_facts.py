"""`infragen explain` cannot disagree with the roots: for every service root (plain, or Terragrunt
units) of every golden case and of the fixture organization, each fact explain states is read back from the generated HCL
(python-hcl2) and CODEOWNERS: internal and public names, the database users each datastore
grants, the security groups the tasks join, the secrets and parameters the execution role reads,
the team topic the alarms notify, whether the missing-tasks alarm exists, and who approves the apply."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Any

import hcl2
import pytest

from generator.tools.explain import Explanation, explanation

REPO = Path(__file__).resolve().parent.parent
CASES = {
    "fixture-org": (REPO / "tests/fixtures/org", REPO / "tests/fixtures/org"),
    **{
        path.parent.name: (path.parent / "input", path)
        for path in sorted((REPO / "tests/golden").glob("*/expected"))
        if (path.parent / "input").is_dir()
    },
}


def _unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    if isinstance(value, list):
        return [_unquote(v) for v in value]
    if isinstance(value, dict):
        return {_unquote(k): _unquote(v) for k, v in value.items() if k != "__comments__"}
    return value


def _blocks(main: Path) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(module label -> arguments, security group data label -> arguments) of a root's main.tf."""
    with main.open(encoding="utf-8") as handle:
        parsed = hcl2.load(handle)
    modules = {_unquote(k): _unquote(v) for block in parsed.get("module", []) for k, v in block.items()}
    groups = {
        _unquote(label): _unquote(args)
        for block in parsed.get("data", [])
        for kind, found in block.items()
        if _unquote(kind) == "aws_security_group"
        for label, args in found.items()
    }
    return modules, groups


def _units(root: Path) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The Terragrunt flavor of :func:`_blocks`: the service unit's inputs as module "service",
    each datastore unit's inputs by its directory, and each dependency's -clients group by the
    reference the service unit uses (the unit directory a dependency's config_path names)."""

    def load(path: Path) -> dict[str, Any]:
        with path.open(encoding="utf-8") as handle:
            parsed: dict[str, Any] = _unquote(hcl2.load(handle))
        return parsed

    unit = load(root / "terragrunt.hcl")
    modules = {"service": unit["inputs"]}
    for sub in sorted(p.parent for p in root.glob("*/terragrunt.hcl")):
        modules[sub.name.replace("-", "_")] = load(sub / "terragrunt.hcl").get("inputs") or {}
    groups = {
        f"dependency.{label}": {"name": f"{Path(body['config_path']).name}-clients"}
        for block in unit.get("dependency", [])
        for label, body in block.items()
    }
    return modules, groups


def _roots(expected: Path) -> list[Path]:
    return [
        root
        for root in sorted(expected.glob("accounts/*/services/*"))
        if ((root / "main.tf").is_file() or (root / "terragrunt.hcl").is_file())
        and "Destroy-only root" not in ((root / "main.tf").read_text(encoding="utf-8") if (root / "main.tf").is_file() else "")
    ]  # fmt: skip


def _cell(e: Explanation, rows: str, label: str, env: str) -> str:
    row = next(r for r in getattr(e, rows) if r.label == label)
    return row.cells[e.envs.index(env)]


def _ticked(text: str) -> list[str]:
    return re.findall(r"`([^`]+)`", text)


def _owners(rules: list[list[str]], path: str) -> str:
    """The owners of ``path``: the last matching line wins, as GitHub reads it (a folder line, or a
    path whose segments are matched one by one, `*` within a segment)."""
    owners = ""
    for pattern, *who in rules:
        parts = pattern.strip("/").split("/")
        folder = pattern.endswith("/") and f"/{path}".startswith(pattern)
        exact = not pattern.endswith("/") and len(parts) == path.count("/") + 1
        if pattern == "*" or folder or (exact and all(map(fnmatch.fnmatchcase, path.split("/"), parts))):
            owners = " or ".join(who)
    return owners


def _codeowners(expected: Path, directory: str) -> str:
    """The reviews a change to every file of the root needs: its folder's owners, then the owners of
    each file another line covers."""
    text = (expected / "CODEOWNERS").read_text(encoding="utf-8")
    rules = [line.split() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    folder = _owners(rules, f"{directory}/main.tf")
    others: dict[str, list[str]] = {}
    for file in sorted((expected / directory).glob("*.tf")):
        who = _owners(rules, f"{directory}/{file.name}")
        if who != folder:
            others.setdefault(who, []).append(file.name)
    return ", and ".join([folder, *(f"{who} for {', '.join(names)}" for who, names in sorted(others.items()))])


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_fact_explain_states_is_in_the_generated_roots(case: str) -> None:
    inputs, expected = CASES[case]
    checked = 0
    for root in _roots(expected):
        env, name = root.parent.parent.name, root.name
        e = explanation(inputs, name)
        terragrunt = (root / "terragrunt.hcl").is_file()
        modules, groups = _units(root) if terragrunt else _blocks(root / "main.tf")
        service = modules["service"]
        where = f"{case}: {root.relative_to(expected)}"

        ingress = _cell(e, "declares", "ingress", env)
        if service.get("kind") == "worker":  # issue 19: no HTTP, so no alias; the health command instead
            assert "internal_hostname" not in service and not service.get("external"), where
            assert ingress.startswith("none: a worker serves no HTTP"), where
            command = _ticked(_cell(e, "declares", "kind", env).replace("\\|", "|"))[0]
            assert command == " ".join(service["health_check_command"]), where
        elif service.get("kind") == "job":  # no HTTP either; the schedule the root passes
            assert "internal_hostname" not in service and not service.get("external"), where
            assert ingress.startswith("none: a job serves no HTTP"), where
            schedule = _cell(e, "declares", "schedule", env)
            assert _ticked(schedule)[0] == service["schedule"]["expression"], where
            assert f"({service['schedule']['timezone']})" in schedule, where
        else:
            assert _ticked(ingress)[0] == service["internal_hostname"], where
            external = service.get("external")
            public = [t for t in _ticked(ingress)[1:]]
            assert public == ([external["domain"]] if external else []), where

        joined = _ticked(_cell(e, "grants", "tasks join security groups", env))
        want = []
        for ref in service.get("client_security_group_ids") or []:
            lookup = (
                r"\$\{(dependency\.\w+)\.outputs\.client_security_group_id\}|\$\{data\.aws_security_group\.(\w+)\.id\}"
            )
            if match := re.fullmatch(lookup, ref):
                want.append(groups[match.group(1) or match.group(2)]["name"])
            elif match := re.fullmatch(r"\$\{module\.(\w+)\.client_security_group_id\}", ref):
                want.append(f"{modules[match.group(1)]['name']}-clients")
            else:
                raise AssertionError(f"{where}: unexpected client group reference {ref}")
        assert joined == sorted(want), where

        for arg, label in (
            ("ssm_parameter_arns", "execution role: read SSM parameters"),
            ("secret_arns", "execution role: read Secrets Manager secrets"),
        ):
            rows = [r.label for r in e.grants]
            stated = _ticked(_cell(e, "grants", label, env)) if label in rows else []
            assert stated == list(service.get(arg) or []), f"{where}: {label}"

        for datastore in e.datastores:
            ds_name = _ticked(datastore.label)[0]
            module = next((m for m in modules.values() if m.get("name") == ds_name), None)
            cell = datastore.cells[e.envs.index(env)]
            if module is None:
                assert cell == "not in this environment", where
                continue
            users = module.get("iam_users")
            if users is not None:
                assert f"database users (IAM auth) [{', '.join(users)}]" in cell, f"{where}: {ds_name}"
            else:
                assert "database users" not in cell, f"{where}: {ds_name}"

        notifies = _cell(e, "alarms", "notifies", env)
        assert _ticked(notifies)[0] == service["alarm_topic_arn"].rsplit(":", 1)[-1], where
        # the missing-tasks alarm exists only where the root says the cluster has Container Insights
        missing = f"`{e.service}` missing_tasks"
        if missing in [r.label for r in e.alarms]:
            has_insights = service.get("container_insights") is True
            assert (_cell(e, "alarms", missing, env) != "none: no Container Insights") == has_insights, where

        directory = root.relative_to(expected).as_posix()
        (project,) = [p for p in e.projects if p.dir == directory]
        assert project.approvers == _codeowners(expected, directory), where
        checked += 1
    assert checked, f"{case}: no service root checked"


def test_the_diagram_shows_callers_callees_datastores_and_the_paged_topic() -> None:
    inputs, _ = CASES["fixture-org"]
    assert explanation(inputs, "klausapproves").diagram == (
        "flowchart LR",
        '  svc_klausapproves["klausapproves"]',
        '  svc_bpg["bpg"]',
        "  svc_klausapproves -->|calls| svc_bpg",
        '  ds_klausapproves_cache[("klausapproves-cache (redis)")]',
        "  svc_klausapproves -->|owns| ds_klausapproves_cache",
        '  ds_klausapproves_rds[("klausapproves-rds (postgres)")]',
        "  svc_klausapproves -->|owns| ds_klausapproves_rds",
        '  topic_payments_alerts{{"payments-alerts (team payments)"}}',
        "  svc_klausapproves -.->|alarms| topic_payments_alerts",
    )
    bpg = explanation(inputs, "bpg").diagram
    assert "  svc_klausapproves -->|calls| svc_bpg" in bpg  # its caller
    for line in bpg[1:]:
        ids = re.findall(r"^\s+(\S+?)(?:\[|\{|\s)", line)
        assert ids and re.fullmatch(r"[A-Za-z0-9_]+", ids[0]), line
