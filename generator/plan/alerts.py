"""The alerts roots: one per team and account, owning the team's encrypted SNS topic and its
subscriptions (``accounts/<env>/teams/<team>/``). Service roots notify the topic by its ARN."""

from __future__ import annotations

from dataclasses import dataclass

from generator import hcl
from generator.hcl import Raw, Value
from generator.plan.alarms import alerting_teams, team_root_dir
from generator.plan.roots import MODULES, Block, Output, RootBody, per_file_inputs
from generator.spec.channels import module_source
from generator.spec.models import MAIN, Account, Repo, Team


@dataclass(frozen=True)
class TeamRoot:
    team: Team
    account: Account
    dir: str
    inputs: tuple[str, ...]
    services: tuple[str, ...]  # the team's services in this account, whose alarms notify the topic
    source: str = f"{MODULES}/platform/alerts"  # the module it calls, on the account's release channel
    modules: str = MAIN  # that channel: main or a release tag (modules/channels.yaml)
    channels_file: str | None = None  # an input of main.tf when the repository has one


def team_roots(repo: Repo) -> list[TeamRoot]:
    result = []
    for account in repo.accounts:
        for team in alerting_teams(repo, account.env):
            services = tuple(
                sorted(s.name for s in repo.services if s.owner == team.name and account.env in s.environments)
            )
            # What the root prints comes from these two files only; the services merely decide
            # that the team has one in this account (a spec edit does not plan the topic).
            inputs = (f"accounts/{account.env}/account.yaml", "teams.yaml")
            source = module_source(repo.channels, account.env, f"{MODULES}/platform/alerts", MODULES)
            result.append(
                TeamRoot(
                    team,
                    account,
                    team_root_dir(account.env, team.name),
                    inputs,
                    services,
                    source,
                    repo.channels.of(account.env),
                    repo.channels.file,
                )
            )
    return sorted(result, key=lambda r: r.dir)


def state_key(account: Account, team: str) -> str:
    return f"{account.state.key_prefix}{account.env}/teams/{team}/terraform.tfstate"


def module_args(root: TeamRoot) -> list[tuple[str, Value]]:
    route = root.team.route(root.account.env)
    return [
        ("source", root.source),
        ("team", root.team.name),
        ("environment", root.account.env),
        ("email", list(route.email) if route else []),
        ("https", list(route.https) if route else []),
    ]


def bodies(repo: Repo) -> list[RootBody]:
    """The teams' alerts roots (generator.render.roots prints them)."""
    result: list[RootBody] = []
    for root in team_roots(repo):
        account = root.account
        blocks = [Block('module "alerts"', hcl.body(module_args(root)))]
        tags: dict[str, Value] = {k: v for k, v in account.default_tags}
        tags.update({"environment": account.env, "managed-by": "infragen", "owner": root.team.name})
        outputs = [
            Output(
                "topic_arn",
                hcl.body(
                    [
                        ("description", "ARN of the team's alert topic; every alarm of its services notifies it."),
                        ("value", Raw("module.alerts.topic_arn")),
                    ]
                ),
            )
        ]
        inputs = per_file_inputs(root.inputs)
        if root.channels_file is not None:  # the module source; no autoplan trigger (docs/atlantis.md)
            inputs["main.tf"] = tuple(sorted({*root.inputs, root.channels_file}))
        result.append(
            RootBody(root.dir, inputs, account, state_key(account, root.team.name), tuple(blocks), tags, tuple(outputs))
        )
    return result
