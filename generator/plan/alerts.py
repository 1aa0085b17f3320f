"""The alerts roots: one per team and account, owning the team's encrypted SNS topic and its
subscriptions (``accounts/<env>/teams/<team>/``). Service roots notify the topic by its ARN."""

from __future__ import annotations

from dataclasses import dataclass

from generator import hcl
from generator.hcl import Raw, Value
from generator.plan.alarms import alerting_teams, team_root_dir
from generator.plan.roots import MODULES, Block, Output, OutputFile, root_files
from generator.spec.models import Account, Repo, Team


@dataclass(frozen=True)
class TeamRoot:
    team: Team
    account: Account
    dir: str
    inputs: tuple[str, ...]
    services: tuple[str, ...]  # the team's services in this account, whose alarms notify the topic


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
            result.append(TeamRoot(team, account, team_root_dir(account.env, team.name), inputs, services))
    return sorted(result, key=lambda r: r.dir)


def state_key(account: Account, team: str) -> str:
    return f"{account.state.key_prefix}{account.env}/teams/{team}/terraform.tfstate"


def module_args(root: TeamRoot) -> list[tuple[str, Value]]:
    route = root.team.route(root.account.env)
    return [
        ("source", f"{MODULES}/platform/alerts"),
        ("team", root.team.name),
        ("environment", root.account.env),
        ("email", list(route.email) if route else []),
        ("https", list(route.https) if route else []),
    ]


def files(repo: Repo) -> list[OutputFile]:
    result: list[OutputFile] = []
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
        result.extend(
            root_files(root.dir, root.inputs, account, state_key(account, root.team.name), blocks, tags, outputs)
        )
    return result
