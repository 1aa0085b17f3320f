"""Day-2 transitions against the emulator: change the spec the way users do, plan, require that no
serving or stateful resource is destroyed or replaced, then apply.

The fixture (tests/e2e/fixture) is applied once; each transition edits the specs in that copy,
runs `infragen gen`, and plans/applies only the projects whose files changed, in Atlantis order.
Transitions whose apply the emulator cannot run (Application Auto Scaling, docs/testing.md) are
planned only and then reverted; the summary says so by name.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from tfenv import run_terraform, terraform_binary

from generator import api
from generator.tools import plancheck

from . import harness as h
from .test_apply import e2e_requested

# Every transition's plan goes through `infragen plan-check` with the spec's context (the
# product's rules: no unacknowledged destroy or replacement of a stateful or serving resource, AWS
# limits, tags, declared access), exactly as the Atlantis workflow runs it after plan.

Edit = Callable[[Path], None]


def _edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def shop(repo: Path) -> Path:
    return repo / "services" / "shop" / "service.yaml"


def ledger(repo: Path) -> Path:
    return repo / "services" / "ledger" / "service.yaml"


def spec_edit(file: Callable[[Path], Path], change: Callable[[dict[str, Any]], None]) -> Edit:
    return lambda repo: _edit(file(repo), change)


def _set(path: tuple[str, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        node = data
        for key in path[:-1]:
            node = node.setdefault(key, {})
        if value is None:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = value

    return change


def _port_change(port: int, previous: int) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["spec"]["port"] = port
        data["spec"]["previousPort"] = previous

    return change


def _add_table(data: dict[str, Any]) -> None:
    data["resources"]["ledger-audit"] = {"type": "table", "hashKey": "id"}
    data["spec"]["dependencies"]["datastores"].append("ledger-audit")


def _env_change(repo: Path) -> None:
    _edit(
        repo / "services" / "shop" / "environments" / "e2e.yaml",
        lambda d: d["variables"].update({"MOTTO": "changed", "NEW_FLAG": "on"}),
    )


# (name, edit, apply?) in order; each starts from the state the previous one left.
TRANSITIONS: list[tuple[str, Edit, bool]] = [
    # docs/deploying.md, Changing the port: PR 1 opens the new port beside the previous one (the
    # ECS service keeps 8080), `infragen deploy` moves task definition and load balancer port in
    # one UpdateService (tests/test_deploy_rollout.py; moto validates neither), PR 2 closes 8080.
    ("port change, PR 1 (shop 8080 -> 8081, previousPort 8080)", spec_edit(shop, _port_change(8081, 8080)), True),
    ("port change, PR 2 (shop drops previousPort)", spec_edit(shop, _set(("spec", "previousPort"), None)), True),
    (
        "cpu/memory change (shop 512/1024 -> 1024/2048)",
        spec_edit(shop, _set(("spec", "resources"), {"cpu": 1024, "memory": 2048})),
        True,
    ),
    ("desiredCount change (shop 3 -> 4)", spec_edit(shop, _set(("spec", "desiredCount"), 4)), True),
    (
        "autoscaling on (shop)",
        spec_edit(shop, _set(("spec", "autoscaling"), {"resource": "cpu", "target": 60, "min": 2, "max": 6})),
        False,
    ),
    (
        "remove a service dependency (shop -> ledger)",
        spec_edit(shop, _set(("spec", "dependencies", "services"), [])),
        True,
    ),
    (
        "add a service dependency (shop -> ledger)",
        spec_edit(shop, _set(("spec", "dependencies", "services"), ["ledger"])),
        True,
    ),
    ("add a datastore (ledger-audit table)", spec_edit(ledger, _add_table), True),
    ("env variable change (shop MOTTO, NEW_FLAG)", _env_change, True),
    (
        "engine minor version change (ledger-db 16.3 -> 16.4)",
        spec_edit(ledger, lambda d: d["resources"]["ledger-db"].update({"engineVersion": "16.4"})),
        True,
    ),
    ("external ingress off (shop)", spec_edit(shop, _set(("spec", "ingress"), None)), True),
    (
        "external ingress on (shop)",
        spec_edit(shop, _set(("spec", "ingress"), {"external": True, "domain": "shop.e2e-example.com"})),
        True,
    ),
]


def summary(plan: dict[str, Any]) -> list[str]:
    """Every change of one plan, `address action/action`."""
    return [
        f"{rc['address']} {'/'.join(rc['change']['actions'])}"
        for rc in plan.get("resource_changes", [])
        if rc["change"]["actions"] not in (["no-op"], ["read"])
    ]


def plan_check(repo: Path, project: str, plan: dict[str, Any]) -> plancheck.Report:
    return plancheck.check(plan, plancheck.context_for(repo, api.validate(repo), project))


def test_day2_transitions_keep_serving_and_stateful_resources(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if not e2e_requested(request.config):
        pytest.skip("the day-2 transitions run only with `make e2e` (pytest tests/e2e): they take minutes")
    if terraform_binary() is None:
        pytest.skip("terraform CLI not on PATH: the transitions need it")
    started = time.monotonic()
    results: list[tuple[str, str, str]] = []

    def tf(cwd: Path, *args: str, ok: tuple[int, ...] = (0,)) -> str:
        done = run_terraform([*args, "-no-color"], cwd, timeout=1800)
        assert done.returncode in ok, (
            f"{cwd.name}: terraform {' '.join(args)} exited {done.returncode}:\n{(done.stdout + done.stderr)[-6000:]}"
        )
        return done.stdout

    with h.moto_server() as endpoint:
        infra = h.provision(endpoint)
        repo = h.make_repo(tmp_path / "repo", infra)
        # The minor-version transition starts from a pinned minor.
        _edit(ledger(repo), lambda d: d["resources"]["ledger-db"].update({"engineVersion": "16.3"}))
        api.generate(repo)
        atlantis = yaml.safe_load((repo / "atlantis.yaml").read_text(encoding="utf-8"))
        projects = sorted(
            (p for p in atlantis["projects"] if p["dir"].startswith(f"accounts/{h.ENV}/")),
            key=lambda p: (p["execution_order_group"], p["name"]),
        )
        work = tmp_path / "work"
        shutil.copytree(repo / "accounts", work / "accounts", symlinks=True)
        shutil.copytree(repo / "modules", work / "modules", symlinks=True)
        override = h.override(endpoint)
        for project in projects:
            cwd = work / project["dir"]
            (cwd / "zz_e2e_override.tf").write_text(override, encoding="utf-8")
            tf(cwd, "init", "-input=false")
            tf(cwd, "apply", "-input=false", "-auto-approve")
        print(f"\ntransitions: fixture applied ({time.monotonic() - started:.0f}s)", flush=True)

        failures: list[str] = []
        only = os.environ.get("INFRAGEN_TRANSITIONS")  # a substring: run only the matching transitions
        for name, edit, apply in TRANSITIONS:
            if only and only not in name:
                print(f"  {name}: not run (INFRAGEN_TRANSITIONS={only!r})", flush=True)
                continue
            begun = time.monotonic()
            snapshot = {p: p.read_bytes() for p in (repo / "services").rglob("*.yaml")}
            edit(repo)
            changed = {c.path for c in api.generate(repo).changes}
            dirs = [p for p in projects if any(path.startswith(p["dir"] + "/") for path in changed)]
            assert dirs, f"{name}: the spec change changed no root"
            notes: list[str] = []
            for project in dirs:
                cwd = work / project["dir"]
                for tf_file in (repo / project["dir"]).glob("*.tf"):
                    shutil.copy2(tf_file, cwd / tf_file.name)
                tf(cwd, "init", "-input=false")  # as Atlantis does before every plan (new module calls)
                tf(cwd, "plan", "-input=false", "-out=tplan")
                shown = run_terraform(["show", "-json", "tplan"], cwd)
                assert shown.returncode == 0, shown.stderr
                planned = json.loads(shown.stdout)
                changes = summary(planned)
                bad = [str(v) for v in plan_check(repo, project["name"], planned).violations]
                failures += [f"{name}: {project['name']}: {b}" for b in bad]
                notes.append(f"{project['name']}: {len(changes)} changes" + (f", PLAN-CHECK {bad}" if bad else ""))
                for line in changes:
                    print(f"    {name} | {project['name']} | {line}", flush=True)
                if apply and not bad:
                    tf(cwd, "apply", "-input=false", "tplan")
            if not apply:
                # Not applied (emulator gap): put the spec and the roots back.
                for path, data in snapshot.items():
                    path.write_bytes(data)
                for path in set((repo / "services").rglob("*.yaml")) - set(snapshot):
                    path.unlink()
                for c in api.generate(repo).changes:
                    src = repo / c.path
                    if src.suffix == ".tf" and src.exists():
                        shutil.copy2(src, work / c.path)
            verdict = "FAIL" if any(f.startswith(name) for f in failures) else ("ok" if apply else "ok (plan only)")
            results.append((name, "; ".join(notes), verdict))
            print(f"  {name}: {verdict} ({time.monotonic() - begun:.0f}s)", flush=True)

        if not only or only in REPLACEMENT:
            begun = time.monotonic()
            verdict = _replacement_is_refused_then_acknowledged(repo, work, projects, tf)
            results.append((REPLACEMENT, "e2e-ledger", verdict))
            print(f"  {REPLACEMENT}: {verdict} ({time.monotonic() - begun:.0f}s)", flush=True)

        for project in reversed(projects):
            tf(work / project["dir"], "destroy", "-input=false", "-auto-approve")

    print(f"\ntransitions summary ({time.monotonic() - started:.0f}s):")
    print("| transition | roots planned | result |\n|---|---|---|")
    for row in results:
        print(f"| {' | '.join(row)} |")
    assert not failures, "\n".join(failures)


REPLACEMENT = "replace a database (ledger-db postgres -> mysql), refused, then acknowledged"
REASON = "e2e: the ledger database holds no data yet; recreated empty as mysql"


def _replacement_is_refused_then_acknowledged(
    repo: Path, work: Path, projects: list[dict[str, Any]], tf: Callable[..., str]
) -> str:
    """Issue 23: a change that replaces a database fails plan-check, which names the address and
    the environment file lines to add; with them added the same saved plan passes and applies."""
    _edit(ledger(repo), lambda d: d["resources"]["ledger-db"].update({"type": "mysql", "engineVersion": "8.0"}))
    changed = {c.path for c in api.generate(repo).changes}
    (project,) = [p for p in projects if p["name"] == f"{h.ENV}-ledger"]
    assert any(path.startswith(project["dir"] + "/") for path in changed)
    cwd = work / project["dir"]
    for tf_file in (repo / project["dir"]).glob("*.tf"):
        shutil.copy2(tf_file, cwd / tf_file.name)
    tf(cwd, "init", "-input=false")
    tf(cwd, "plan", "-input=false", "-out=rplan")
    shown = run_terraform(["show", "-json", "rplan"], cwd)
    assert shown.returncode == 0, shown.stderr
    saved = cwd / "rplan.json"
    saved.write_text(shown.stdout, encoding="utf-8")

    def cli() -> subprocess.CompletedProcess[str]:
        args = ["plan-check", str(saved), "--root", str(repo), "--project", project["name"]]
        return subprocess.run([sys.executable, "-m", "generator.cli", *args], capture_output=True, text=True)

    refused = cli()
    print(
        f"\n$ infragen plan-check rplan.json --project {project['name']}\n{refused.stdout}{refused.stderr}", flush=True
    )
    assert refused.returncode == 1, refused.stdout + refused.stderr
    report = plan_check(repo, project["name"], json.loads(shown.stdout))
    replaced = [v for v in report.violations if v.rule == "replacement"]
    assert [v for v in report.violations if v.rule != "replacement"] == []
    assert any(v.address.endswith("aws_db_instance.this") for v in replaced), refused.stdout
    env_file = f"services/ledger/environments/{h.ENV}.yaml"
    assert f"under acknowledge.replace in {env_file}" in refused.stdout
    assert f"to acknowledge, add to {env_file}:" in refused.stdout

    # The owner pastes the printed lines with a real reason.
    path = repo / env_file
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = [{"address": v.address, "reason": REASON} for v in replaced]
    path.write_text(yaml.safe_dump({"acknowledge": {"replace": entries}}, sort_keys=False), encoding="utf-8")
    api.generate(repo)
    passed = cli()
    print(f"$ infragen plan-check rplan.json --project {project['name']}  # acknowledged\n{passed.stdout}", flush=True)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert all(f"acknowledged: {v.address}: {REASON}" in passed.stdout for v in replaced)
    tf(cwd, "apply", "-input=false", "rplan")
    return f"refused ({len(replaced)} replacement(s)), acknowledged, applied"
