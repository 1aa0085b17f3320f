"""Alert routing and alarm overrides from the specs: team roots, Atlantis order, module inputs,
positioned errors for bad overrides and routes (nothing written), and `explain`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from conftest import run_cli, snapshot

from generator import api
from generator.plan.alarms import topic_arn
from generator.plan.alerts import team_roots
from generator.render.atlantis import projects
from generator.spec.alarms import defaults
from generator.spec.load import load_repo

STAGING = "services/klausapproves/environments/staging.yaml"


def test_every_team_with_services_gets_an_alerts_root_per_account(example: Path) -> None:
    api.generate(example)
    repo = load_repo(example)
    found = {(r.account.env, r.team.name) for r in team_roots(repo)}
    wanted = {(env, s.owner) for s in repo.services for env in s.environments}
    assert found == wanted
    main = (example / "accounts/production/teams/payments/main.tf").read_text()
    assert 'email       = ["payments-oncall@lemon.com"]' in main
    assert '"https://events.incident.example/integrations/payments-production"' in main
    assert "payments-alerts@lemon.com" in (example / "accounts/staging/teams/payments/main.tf").read_text()


def test_atlantis_applies_the_team_topic_before_the_services(example: Path) -> None:
    repo = load_repo(example)
    by_name = {p.name: p for p in projects(example, repo)}
    for service in repo.services:
        for env in service.environments:
            project = by_name[f"{env}-{service.name}"]
            team = by_name[f"{env}-team-{service.owner}"]
            assert team.execution_order_group == 0 < project.execution_order_group
            assert team.name in project.depends_on
            assert "../../../../teams.yaml" in team.when_modified


def test_service_and_datastores_notify_the_owner_topic_with_overrides(example: Path) -> None:
    api.generate(example)
    repo = load_repo(example)
    arn = topic_arn("payments", repo.account("staging"))
    main = (example / "accounts/staging/services/klausapproves/main.tf").read_text()
    assert re.search(rf"alarm_topic_arn +{re.escape(f'= {json.dumps(arn)}')}", main)  # any alignment
    assert main.count(arn) == 3  # the service, its database and its cache
    assert "silenced = true" in main and "threshold = 2" in main
    production = (example / "accounts/production/services/klausapproves/main.tf").read_text()
    assert "alarm_overrides" not in production  # the overrides are staging's only


def test_module_defaults_are_read_from_alarms_tf(example: Path) -> None:
    service = defaults(example, "service")
    assert service is not None and service["cpu"].threshold == 80 and service["cpu"].max == 100
    assert defaults(example, "bucket") is None


def _edit(path: Path, change: object) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_bad_overrides_and_routes_are_positioned_errors_and_change_nothing(example: Path) -> None:
    def overrides(data: dict) -> None:  # type: ignore[type-arg]
        alarms = data["overrides"]["alarms"]
        alarms["service"]["cpuu"] = {"threshold": 90, "reason": "typo in the key"}
        alarms["service"]["memory"] = {"threshold": 150, "reason": "more than all of it"}
        alarms["klausapproves-nope"] = {"cpu": {"silenced": True, "reason": "no such datastore"}}

    def routes(data: dict) -> None:  # type: ignore[type-arg]
        data["teams"]["growth"]["alerts"]["stagin"] = {"email": ["x@lemon.com"]}

    _edit(example / STAGING, overrides)
    _edit(example / "teams.yaml", routes)
    before = snapshot(example)
    result = run_cli("gen", "--json", "--root", str(example))
    assert result.code == 1
    problems = {(p["file"], p["field"], p["message"]) for p in json.loads(result.stdout)["problems"]}
    messages = " | ".join(m for _, _, m in problems)
    assert any(f == STAGING and "cpuu" in path and "did you mean 'cpu'" in m for f, path, m in problems), messages
    assert any(f == STAGING and "outside 1 to 100" in m for f, _, m in problems), messages
    assert any(f == STAGING and "not a part of this service" in m for f, _, m in problems), messages
    assert any(f == "teams.yaml" and "unknown environment 'stagin'" in m for f, _, m in problems), messages
    assert all(isinstance(p["line"], int) and p["line"] > 1 for p in json.loads(result.stdout)["problems"])
    assert snapshot(example) == before


def test_a_silenced_alarm_needs_a_reason(example: Path) -> None:
    def no_reason(data: dict) -> None:  # type: ignore[type-arg]
        del data["overrides"]["alarms"]["klausapproves-cache"]["evictions"]["reason"]

    _edit(example / STAGING, no_reason)
    result = run_cli("validate", "--json", "--root", str(example))
    assert result.code == 1
    (problem,) = json.loads(result.stdout)["problems"]
    assert problem["file"] == STAGING and "reason" in problem["message"]


def test_explain_lists_alarms_thresholds_and_who_is_paged(example: Path) -> None:
    result = run_cli("explain", "klausapproves", "--root", str(example))
    assert result.code == 0, result.stderr
    text = result.stdout
    assert "### Alarms and who gets paged" in text
    assert "| `klausapproves` p99_latency | 1 seconds | 2 seconds (override: staging runs one small task" in text
    assert "| `klausapproves-cache` evictions | 100 evicted keys per 5 min | silenced: the staging cache" in text
    assert "`payments-alerts`: payments-oncall@lemon.com, https://events.incident.example/" in text


def test_generation_is_deterministic_with_team_roots(example: Path) -> None:
    api.generate(example)
    first = snapshot(example)
    assert api.generate(example, check=True).changes == []
    assert snapshot(example) == first


def test_silencing_every_deployment_alarm_is_an_error_at_the_line(example: Path) -> None:
    """Review finding 6: ECS rolls bad deployments back on the service's 5xx and latency alarms;
    silencing both would send an empty alarm list, which the provider cannot. validate says so at
    the line of the last silencing override and writes nothing."""

    def silence_both(data: dict) -> None:  # type: ignore[type-arg]
        service = data["overrides"]["alarms"]["service"]
        service["p99_latency"] = {"silenced": True, "reason": "load tests are slow on purpose"}
        service["http_5xx_rate"] = {"silenced": True, "reason": "load tests inject 5xx"}

    _edit(example / STAGING, silence_both)
    before = snapshot(example)
    result = run_cli("gen", "--json", "--root", str(example))
    assert result.code == 1, result.stdout
    (problem,) = json.loads(result.stdout)["problems"]
    assert problem["file"] == STAGING
    assert problem["field"] == "overrides.alarms.service.p99_latency.silenced"
    assert "last deployment alarm" in problem["message"]
    lines = (example / STAGING).read_text().splitlines()
    assert lines[problem["line"] - 1].strip().startswith("silenced:")
    assert snapshot(example) == before

    # one of the two still watching deployments is fine
    def keep_latency(data: dict) -> None:  # type: ignore[type-arg]
        data["overrides"]["alarms"]["service"]["p99_latency"] = {"threshold": 5, "reason": "slow but watched"}

    _edit(example / STAGING, keep_latency)
    assert run_cli("validate", "--root", str(example)).code == 0
