"""``.github/workflows/drift.yml``: the nightly `infragen drift` of every service and environment,
each finding published to the owner team's alert topic (docs/deploying.md, "Drift")."""

from __future__ import annotations

import json
from dataclasses import dataclass

from generator.plan.alarms import topic_arn
from generator.plan.roots import TERRAFORM_VERSION, OutputFile
from generator.render.jinja import render
from generator.spec import naming
from generator.spec.models import Account, Repo

DRIFT_WORKFLOW = ".github/workflows/drift.yml"
INPUTS = ("teams.yaml", "accounts/*/account.yaml", "services/*/service.yaml")
DRIFT_ROLE = "infragen-drift"  # the read-only role the workflow assumes in each account
CRON = "17 3 * * *"  # nightly, off the full hour that every other schedule picks


@dataclass(frozen=True)
class Entry:
    """One matrix entry; every value is a JSON string (valid YAML, whatever the name holds)."""

    service: str
    environment: str
    team: str
    region: str
    role: str
    topic: str


def drift_role_arn(account: Account) -> str:
    return f"arn:{naming.partition(account.region)}:iam::{account.account_id}:role/{DRIFT_ROLE}"


def entries(repo: Repo) -> list[Entry]:
    """A service in an environment per entry, by environment then service. Each distinct value is
    quoted once: the 3,000 entries of 1,000 services x 3 hold about a thousand (their account's,
    their team's, their names), and 18,000 json.dumps calls were a seventh of a cold run's shared files
    (33 of 220 ms at 1,000 x 3)."""
    quoted: dict[str, str] = {}

    def quote(value: str) -> str:
        found = quoted.get(value)
        if found is None:
            found = quoted[value] = json.dumps(value)
        return found

    services = sorted(repo.services, key=lambda s: s.name)
    result = []
    for account in sorted(repo.accounts, key=lambda a: a.env):
        env, region, role = quote(account.env), quote(account.region), quote(drift_role_arn(account))
        topics: dict[str, str] = {}
        for service in services:
            if account.env in service.environments:
                topic = topics.get(service.owner)
                if topic is None:
                    topic = topics[service.owner] = quote(topic_arn(service.owner, account))
                result.append(Entry(quote(service.name), env, quote(service.owner), region, role, topic))
    return result


def drift_workflow_file(repo: Repo) -> OutputFile | None:
    """The workflow, or None when no service runs anywhere (GitHub refuses an empty matrix)."""
    found = entries(repo)
    if not found:
        return None
    content = render(
        "drift.yml.j2",
        header=naming.header(INPUTS),
        entries=found,
        role_name=DRIFT_ROLE,
        cron=CRON,
        terraform_version=json.dumps(TERRAFORM_VERSION),
    )
    return OutputFile(DRIFT_WORKFLOW, content, INPUTS)
