"""AWS limits the emulator does not enforce, checked on the plan JSON of every generated root.

Each example root (accounts/<env>/services/<name>) and each plain golden root is planned with
the real hashicorp/aws provider (`terraform plan -refresh=false`, then `terraform show -json`)
in a copy where the provider never calls AWS (skip flags, fake credentials, an endpoint that is
never contacted, local backend), the cross-root data sources are replaced by placeholders (each
`-clients` group lookup by a `terraform_data` carrying the looked-up name, so the plan still says
which group a task joins) and the Consul module call (`discovery`, not an AWS resource) is dropped. The rules below are
judged on what Terraform planned; each cites the AWS documentation page it encodes.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import tfenv

from generator import validate
from generator.datastores import REGISTRY
from generator.spec.convention import TASK_DEFINITION_BYTES
from generator.spec.models import Repo
from generator.spec.rules import INFRAGEN_TAG_KEYS, connection_parameters, security_groups
from generator.tools import plancheck

REPO = Path(__file__).resolve().parent.parent
ORG = REPO / "tests" / "fixtures" / "org"  # the fixture organization, never the live accounts/

OVERRIDE = """
terraform {
  backend "local" {}
}

provider "aws" {
  access_key                  = "limits"
  secret_key                  = "limits"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    sts = "http://127.0.0.1:9"
  }
}
"""

# The rules live in the product (infragen plan-check runs them on every Atlantis plan); these
# tests run them, and the cross-root ones, over the planned fixture and golden roots.
NAME_RULES = plancheck.NAME_RULES
SG_PER_ENI = plancheck.SG_PER_ENI


def _roots() -> list[tuple[str, Path, Path]]:
    """(account key, tree root, root dir) for every plain generated root."""
    found = []
    for base in [ORG, *sorted((REPO / "tests" / "golden").glob("*/expected"))]:
        for root in sorted(base.glob("accounts/*/services/*")):
            if (root / "main.tf").is_file() and not (root / "terragrunt.hcl").exists():
                found.append((f"{base.relative_to(REPO)}:{root.parent.parent.name}", base, root))
    return found


def _strip_block(text: str, opening: str) -> str:
    """Remove every top-level block whose first line starts with ``opening``."""
    out, skip, depth = [], False, 0
    for line in text.splitlines(keepends=True):
        if not skip and line.startswith(opening):
            skip, depth = True, 0
        if skip:
            depth += line.count("{") - line.count("}")
            if depth <= 0 and "}" in line:
                skip = False
            continue
        out.append(line)
    return "".join(out)


def _prepare(base: Path, root: Path, dest: Path) -> Path:
    shutil.copytree(REPO / "modules", dest / "modules", ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    rel = root.relative_to(base)
    work = dest / rel
    work.mkdir(parents=True)
    for tf in root.glob("*.tf"):
        text = tf.read_text(encoding="utf-8")
        if tf.name == "main.tf":
            text = _strip_block(text, 'module "discovery"')
            looked_up = re.findall(r'data "aws_security_group" "(\w+)" \{\s*name\s*=\s*"([^"]+)"', text)
            text = _strip_block(text, 'data "aws_security_group"')
            for label, name in looked_up:  # another root's group, by the name the lookup uses
                text += f'\nresource "terraform_data" "sg_{label}" {{\n  input = "{name}"\n}}\n'
                text = text.replace(f"data.aws_security_group.{label}.id", f"terraform_data.sg_{label}.output")
            # Other roots' datastores, looked up by each kind's data source (aws_db_instance,
            # aws_rds_cluster, ...): the offline plan cannot read them; placeholders stand in.
            for source in {k.data_source for k in REGISTRY.kinds if k.data_source is not None}:
                text = _strip_block(text, f'data "{source.type}"')
                for attr in source.attrs:
                    text = re.sub(rf"data\.{source.type}\.\w+\.{attr}", f'"{attr}-PLACEHOLDER000000000000"', text)
            # container_insights makes platform/service read the cluster (data.aws_ecs_cluster), which
            # this offline plan cannot; it changes no AWS limit (only the missing-tasks alarm).
            text = re.sub(r"\n\s*container_insights\s*=\s*true", "", text)
            # Placeholders for other roots' resources (what the data sources would read).
            text = re.sub(r"data\.aws_security_group\.\w+\.id", '"sg-0f00000000000000a"', text)
        elif tf.name == "providers.tf":
            text = _strip_block(text, 'provider "consul"')
            # The account guard needs STS, which this plan never calls; it is no AWS limit.
            text = re.sub(r"\n\s*allowed_account_ids\s*=.*", "", text)
        elif tf.name == "versions.tf":
            text = re.sub(r"\n\s*consul = \{[^}]*\}", "", text)
        (work / tf.name).write_text(text, encoding="utf-8")
    (work / "zz_limits_override.tf").write_text(OVERRIDE, encoding="utf-8")
    return work


def _plan(work: Path) -> dict[str, Any]:
    init = tfenv.run_terraform(["init", "-input=false", "-no-color"], work)
    assert init.returncode == 0, init.stdout + init.stderr
    plan = tfenv.run_terraform(["plan", "-refresh=false", "-input=false", "-no-color", "-out=plan.bin"], work)
    assert plan.returncode == 0, plan.stdout + plan.stderr
    show = tfenv.run_terraform(["show", "-json", "plan.bin"], work)
    assert show.returncode == 0, show.stderr
    data: dict[str, Any] = json.loads(show.stdout)
    return data


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, dict[str, Any]]]:
    """root path -> (account key, plan JSON)."""
    if tfenv.terraform_binary() is None or not tfenv.provider_available("hashicorp", "aws"):
        pytest.skip("AWS limits NOT checked: needs the terraform CLI and hashicorp/aws in the local provider mirror")
    tfenv.cli_config()
    result = {}
    for account, base, root in _roots():
        dest = tmp_path_factory.mktemp("limits")
        work = _prepare(base, root, dest)
        result[str(root.relative_to(REPO))] = (account, _plan(work))
    return result


def _created(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [rc for rc in plan.get("resource_changes", []) if rc["change"]["actions"] != ["delete"]]


def _target_group_of_rule(plan: dict[str, Any], rc: dict[str, Any]) -> str:
    """The target group instance a listener rule forwards to (the product's reading of the configuration)."""
    group = plancheck.target_group_of_rule(plan, rc)
    assert group, f"{rc['address']}: target_group_arn is not a reference to one target group"
    return group


def _kind(plan: dict[str, Any]) -> str:
    call = plan["configuration"]["root_module"]["module_calls"]["service"]["expressions"]
    return str(call.get("kind", {}).get("constant_value", "service"))


def test_roots_were_planned(plans: dict[str, tuple[str, dict[str, Any]]]) -> None:
    assert len(plans) == len(_roots()) and plans, "every plain example and golden root must be planned"
    jobs = 0
    for path, (_, plan) in plans.items():
        types = [rc["type"] for rc in _created(plan)]
        if _kind(plan) != "job":
            assert "aws_ecs_service" in types, f"{path}: no ECS service planned"
            assert "aws_scheduler_schedule" not in types, f"{path}: a schedule planned for a {_kind(plan)}"
            continue
        jobs += 1
        assert "aws_ecs_service" not in types, f"{path}: a job has no ECS service"
        assert types.count("aws_scheduler_schedule") == 1, f"{path}: a job has one schedule"
    assert jobs, "the golden job case must be planned"


def test_a_job_schedule_runs_its_family_in_its_network(plans: dict[str, tuple[str, dict[str, Any]]]) -> None:
    """Scheduler calls RunTask on the cluster (the target ARN) with the job's bootstrap task
    definition, Fargate and no public IP, as its own Scheduler role (its policy: modules/aws/ecs-service tests).
    https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-templated.html"""
    checked = 0
    for path, (_, plan) in plans.items():
        if _kind(plan) != "job":
            continue
        checked += 1
        created = _created(plan)
        (schedule,) = [rc["change"]["after"] for rc in created if rc["type"] == "aws_scheduler_schedule"]
        (target,) = schedule["target"]
        (ecs,) = target["ecs_parameters"]
        (network,) = ecs["network_configuration"]
        call = plan["configuration"]["root_module"]["module_calls"]["service"]["expressions"]
        assert target["arn"] == call["cluster_arn"]["constant_value"], path
        assert (ecs["launch_type"], ecs["task_count"], network["assign_public_ip"]) == ("FARGATE", 1, False), path
        assert schedule["schedule_expression"].startswith(("cron(", "rate(")), path
        (role,) = [
            rc["change"]["after"] for rc in created if rc["type"] == "aws_iam_role" and rc["name"] == "scheduler"
        ]
        assert role["name"] == f"{_service_name(plan)}-scheduler", path
        assert "scheduler.amazonaws.com" in role["assume_role_policy"], path
    assert checked


def test_target_group_used_by_one_load_balancer(plans: dict[str, tuple[str, dict[str, Any]]]) -> None:
    """A target group can be associated with one load balancer only (TargetGroupAssociationLimit).
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/register-multiple-targetgroups.html
    https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html"""
    problems = []
    for path, (_, plan) in plans.items():
        lbs: dict[str, set[str]] = defaultdict(set)
        for rc in _created(plan):
            if rc["type"] == "aws_lb_listener_rule":
                listener = rc["change"]["after"]["listener_arn"]
                lb = "/".join(listener.split(":listener/")[1].split("/")[:3])
                lbs[_target_group_of_rule(plan, rc)].add(lb)
        problems += [f"{path}: {tg} is used by {sorted(found)}" for tg, found in lbs.items() if len(found) > 1]
    assert not problems, "\n".join(problems)


def test_security_groups_per_task_eni(plans: dict[str, tuple[str, dict[str, Any]]]) -> None:
    """At most 5 security groups per network interface (the default VPC quota).
    https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups"""
    problems = []
    for path, (_, plan) in plans.items():
        call = plan["configuration"]["root_module"]["module_calls"]["service"]["expressions"]
        refs = call["client_security_group_ids"].get("references", [])
        literal = call["client_security_group_ids"].get("constant_value") or []
        groups = {r for r in refs if r.endswith((".client_security_group_id", ".id", ".output"))} | set(literal)
        count = 1 + len(groups)  # the tasks' own group
        if count > SG_PER_ENI:
            problems.append(f"{path}: the tasks' ENI would join {count} security groups: own + {sorted(groups)}")
    assert not problems, "\n".join(problems)


def test_names_fit_aws_limits(plans: dict[str, tuple[str, dict[str, Any]]]) -> None:
    """Name length and characters per resource type (pages cited in NAME_RULES)."""
    problems, checked = [], 0
    for path, (_, plan) in plans.items():
        for rc in _created(plan):
            after = rc["change"]["after"] or {}
            for (rtype, attr), (limit, pattern, page) in NAME_RULES.items():
                if rc["type"] != rtype or not isinstance(after.get(attr), str):
                    continue
                checked += 1
                value = after[attr]
                if len(value) > limit or not re.match(pattern, value):
                    problems.append(f"{path}: {rc['address']}.{attr} = {value!r} breaks {limit}/{pattern} ({page})")
    assert checked > 0
    assert not problems, "\n".join(problems)


def test_listener_rule_priorities_unique_per_listener(plans: dict[str, tuple[str, dict[str, Any]]]) -> None:
    """Rule priorities are unique per listener (PriorityInUse), across every root of an account.
    https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateRule.html"""
    seen: dict[tuple[str, str, int], list[str]] = defaultdict(list)
    for path, (account, plan) in plans.items():
        for rc in _created(plan):
            if rc["type"] == "aws_lb_listener_rule":
                after = rc["change"]["after"]
                seen[(account, after["listener_arn"], after["priority"])].append(f"{path}:{rc['address']}")
    clashes = [f"{k}: {v}" for k, v in seen.items() if len(v) > 1]
    assert seen and not clashes, "\n".join(clashes)


def test_final_snapshot_identifiers_are_unique(plans: dict[str, tuple[str, dict[str, Any]]]) -> None:
    """A final snapshot identifier must not exist yet (DBSnapshotAlreadyExists /
    SnapshotAlreadyExistsFault), so a fixed name fails the second destroy of the same name: each
    must carry a per-instance random part (unknown at plan) and known ones must be unique.
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBInstance.html
    https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_DeleteReplicationGroup.html"""
    problems, known = [], defaultdict(list)
    for path, (_, plan) in plans.items():
        for rc in _created(plan):
            if rc["type"] not in ("aws_db_instance", "aws_elasticache_replication_group"):
                continue
            after, unknown = rc["change"]["after"], rc["change"].get("after_unknown", {})
            value = after.get("final_snapshot_identifier")
            if unknown.get("final_snapshot_identifier"):
                continue
            if value is not None:
                problems.append(f"{path}: {rc['address']} has the fixed final snapshot identifier {value!r}")
                known[value].append(path)
    assert not problems, "\n".join(problems)


def _service_name(plan: dict[str, Any]) -> str:
    """The workload's name: its task definition family (a job has no ECS service)."""
    (name,) = [rc["change"]["after"]["family"] for rc in _created(plan) if rc["type"] == "aws_ecs_task_definition"]
    return str(name)


def _task_ingress(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The ingress rules of the tasks' own group, by rule key (aws/client-access)."""
    return {
        rc["index"]: rc["change"]["after"]
        for rc in _created(plan)
        if rc["type"] == "aws_security_group_rule"
        and rc.get("module_address") == "module.service.module.client_access"
        and rc["name"] == "ingress"
    }


def _group_name(plan: dict[str, Any], module: str, name_suffix: str = "") -> str:
    """Name of the one security group planned in ``module`` (whose name ends with the suffix)."""
    names = [
        rc["change"]["after"]["name"]
        for rc in _created(plan)
        if rc["type"] == "aws_security_group"
        and rc.get("module_address", "").startswith(module)
        and rc["change"]["after"]["name"].endswith(name_suffix)
    ]
    assert len(names) == 1, f"{module}: expected one security group ending {name_suffix!r}, found {names}"
    return str(names[0])


def _ingress_sources(plan: dict[str, Any]) -> set[str]:
    """Who may open a connection to the tasks: group names (own -clients) or literal group ids (load balancers)."""
    sources = set()
    for key, rule in _task_ingress(plan).items():
        if rule.get("source_security_group_id"):
            sources.add(rule["source_security_group_id"])  # an account-level group (a load balancer)
        else:
            assert key == "clients", f"unknown source of ingress rule {key}: {rule}"
            sources.add(_group_name(plan, "module.service.module.client_access", "-clients"))
    return sources


def _eni_groups(plan: dict[str, Any]) -> set[str]:
    """Names of the security groups the service's tasks join: their own and the dependencies' -clients groups."""
    groups = {_group_name(plan, "module.service.module.client_access", _service_name(plan))}
    call = plan["configuration"]["root_module"]["module_calls"]["service"]["expressions"]
    looked_up = {
        f"terraform_data.{rc['name']}": rc["change"]["after"]["input"]
        for rc in _created(plan)
        if rc["type"] == "terraform_data"
    }
    for ref in call["client_security_group_ids"].get("references", []):
        if ref.endswith(".output"):
            groups.add(looked_up[ref.removesuffix(".output")])
        elif ref.startswith("module.") and ref.endswith(".client_security_group_id"):
            groups.add(_group_name(plan, ref.removesuffix(".client_security_group_id"), "-clients"))
    return groups


def _repo_of(path: str) -> Repo:
    """The validated inputs a planned root was generated from (the repo, or a golden case's input)."""
    base = ORG if not path.startswith("tests/golden/") else REPO / Path(path).parents[4] / "input"
    return validate(base)


def test_task_ingress_is_only_the_declared_sources(plans: dict[str, tuple[str, dict[str, Any]]]) -> None:
    """What may open a connection to a service's tasks, as planned: its own -clients group, plus the
    external load balancer's group exactly when external ingress is declared, on the HTTP port only,
    never an address range. No internal load balancer: services reach each other through ECS
    Service Connect from their own ENIs (docs/design.md, service-to-service access)."""
    problems = []
    for path, (_, plan) in plans.items():
        call = plan["configuration"]["root_module"]["module_calls"]["service"]["expressions"]
        external = call["external"].get("constant_value")
        rules = _task_ingress(plan)
        # nothing may call a worker or a job: no -clients group, so no ingress at all
        calls = _kind(plan) == "service"
        want = {*(["clients"] if calls else []), *(["external_lb"] if external else [])}
        if set(rules) != want:
            problems.append(f"{path}: task ingress from {sorted(rules)}, declared {sorted(want)}")
        name = _service_name(plan)
        sources = _ingress_sources(plan)
        want_sources = {*([f"{name}-clients"] if calls else []), *([external["security_group_id"]] if external else [])}
        if sources != want_sources:
            problems.append(f"{path}: task ingress sources {sorted(sources)}, want {sorted(want_sources)}")
        for key, rule in rules.items():
            if rule.get("cidr_blocks") or rule.get("ipv6_cidr_blocks") or rule["from_port"] != rule["to_port"]:
                problems.append(f"{path}: ingress {key} is not one port from one group: {rule}")
        targets = [rc for rc in _created(plan) if rc["type"] in ("aws_lb_target_group", "aws_lb_listener_rule")]
        if not external and targets:
            problems.append(f"{path}: no external ingress, yet {[rc['address'] for rc in targets]}")
        if any(
            rc["type"] == "aws_route53_record" and "-internal." in rc["change"]["after"]["name"]
            for rc in _created(plan)
        ):
            problems.append(f"{path}: an internal DNS record (it would name a load balancer that no longer routes)")
    assert plans and not problems, "\n".join(problems)


def test_every_service_serves_through_service_connect(plans: dict[str, tuple[str, dict[str, Any]]]) -> None:
    """Every ECS service serves the task definition's port named http through ECS Service Connect at
    its client alias <svc>-internal.<env>.<zone>:80, so the convention URL http://<svc>-internal...
    keeps working for callers. The port name must exist in the task definition or ECS refuses the
    service. https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectService.html"""
    problems = []
    workers = 0
    for path, (_, plan) in plans.items():
        call = plan["configuration"]["root_module"]["module_calls"]["service"]["expressions"]
        if _kind(plan) == "job":
            continue  # no ECS service (test_a_job_schedule_runs_its_family_in_its_network)
        (service,) = [rc["change"]["after"] for rc in _created(plan) if rc["type"] == "aws_ecs_service"]
        (taskdef,) = [rc["change"]["after"] for rc in _created(plan) if rc["type"] == "aws_ecs_task_definition"]
        ports = {m.get("name") for c in json.loads(taskdef["container_definitions"]) for m in c["portMappings"]}
        sc = (service.get("service_connect_configuration") or [{}])[0]
        if call.get("kind", {}).get("constant_value") == "worker":
            # a worker serves nothing: a Service Connect client only, no alias, no port named http
            workers += 1
            if sc.get("enabled") is not True or sc.get("service") or "http" in ports:
                problems.append(f"{path}: a worker must be a Service Connect client only: {sc}, ports {ports}")
            continue
        hostname = call["internal_hostname"]["constant_value"]
        served = sc.get("service") or [{}]
        alias = (served[0].get("client_alias") or [{}])[0]
        got = (sc.get("enabled"), served[0].get("port_name"), alias.get("dns_name"), alias.get("port"))
        if got != (True, "http", hostname, 80):
            problems.append(f"{path}: service_connect_configuration {got}, want (True, 'http', {hostname!r}, 80)")
        if served[0].get("port_name") not in ports:
            problems.append(f"{path}: port_name {served[0].get('port_name')!r} not in the task definition's {ports}")
        if not hostname.startswith(f"{_service_name(plan)}-internal."):
            problems.append(f"{path}: client alias {hostname} is not <service>-internal.<env>.<zone>")
    assert plans and workers and not problems, "\n".join(problems)


def test_a_declared_dependency_is_the_only_path_between_services(
    plans: dict[str, tuple[str, dict[str, Any]]],
) -> None:
    """Who can reach whom, computed from the plans: caller A can open a connection to callee B iff a
    group of A's task ENI is a source of B's task ingress, and that must hold exactly when A
    declares B in dependencies.services (in the same account)."""
    by_account: dict[str, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
    for path, (account, plan) in plans.items():
        by_account[account].append((path, _service_name(plan), plan))
    problems, pairs = [], 0
    for account, entries in by_account.items():
        repo = _repo_of(entries[0][0])
        for _, caller, caller_plan in entries:
            declared = set(repo.service(caller).depends_on_services)
            groups = _eni_groups(caller_plan)
            for _, callee, callee_plan in entries:
                if callee == caller:
                    continue
                pairs += 1
                reaches = bool(groups & _ingress_sources(callee_plan))
                if reaches != (callee in declared):
                    problems.append(
                        f"{account}: {caller} {'reaches' if reaches else 'cannot reach'} {callee}, declared "
                        f"{sorted(declared)}; {caller}'s ENI joins {sorted(groups)}"
                    )
    assert pairs and not problems, "\n".join(problems)


def test_tasks_open_https_only_to_the_account_endpoints(plans: dict[str, tuple[str, dict[str, Any]]]) -> None:
    """Review finding 11: no planned security group rule lets anything out to 0.0.0.0/0 (no example
    or golden account lists it in network.httpsEgress); the tasks' HTTPS egress goes to the
    private ranges of the VPC's endpoints (the module default) and is tcp/443 only."""
    problems, https = [], 0
    for path, (_, plan) in plans.items():
        for rc in _created(plan):
            after = rc["change"]["after"] or {}
            if rc["type"] != "aws_security_group_rule" or after.get("type") != "egress":
                continue
            if "0.0.0.0/0" in (after.get("cidr_blocks") or []) or "::/0" in (after.get("ipv6_cidr_blocks") or []):
                problems.append(f"{path}: {rc['address']} allows egress to anywhere")
            if rc["address"].endswith("aws_security_group_rule.https_egress[0]"):
                https += 1
                if (after.get("protocol"), after.get("from_port"), after.get("to_port")) != ("tcp", 443, 443):
                    problems.append(f"{path}: {rc['address']} is not tcp/443")
                if after.get("cidr_blocks") != ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]:
                    problems.append(f"{path}: {rc['address']} goes to {after.get('cidr_blocks')}")
    assert https > 0, "no HTTPS egress rule planned"
    assert not problems, "\n".join(problems)


def test_plan_check_passes_every_planned_root(plans: dict[str, tuple[str, dict[str, Any]]]) -> None:
    """`infragen plan-check` (every rule, with the spec's context) finds nothing wrong in what the
    generator writes: a false alarm there would fail every Atlantis plan of a real repository."""
    problems = []
    for path, (_, plan) in plans.items():
        base = ORG if not path.startswith("tests/golden/") else REPO / Path(path).parents[3]
        directory = Path(path).relative_to(base.relative_to(REPO)).as_posix()
        context = plancheck.context_for(base, _repo_of(path), directory)
        assert context.service, f"{path}: not recognised as a service root"
        report = plancheck.check(plan, context)
        problems += [f"{path}: {v}" for v in report.violations]
    assert plans and not problems, "\n".join(problems)


def test_the_tag_keys_infragen_adds_are_the_ones_the_spec_rule_counts(
    plans: dict[str, tuple[str, dict[str, Any]]],
) -> None:
    """spec.rules.INFRAGEN_TAG_KEYS is what keeps an account's defaultTags within AWS's 50 tags per
    resource: every key a planned resource carries is a default tag or one of them, and each of
    them is carried somewhere (the constant is neither short nor padded)."""
    seen: set[str] = set()
    for path, (_, plan) in plans.items():
        defaults = {key for account in _repo_of(path).accounts for key, _ in account.default_tags}
        for rc in _created(plan):
            tags = rc["change"]["after"].get("tags_all")
            if isinstance(tags, dict):
                extra = set(tags) - defaults - INFRAGEN_TAG_KEYS
                assert not extra, f"{path}: {rc['address']} carries {sorted(extra)}"
                seen |= set(tags) & INFRAGEN_TAG_KEYS
    assert seen == INFRAGEN_TAG_KEYS


def test_every_inline_policy_is_counted_toward_a_role_of_the_plan(
    plans: dict[str, tuple[str, dict[str, Any]]],
) -> None:
    """plan-check sums the inline policies per role: at a first plan the role's name is unknown,
    so the policy's configuration reference names the role, also a counted one (a job's
    scheduler role), and it must be a role the plan creates."""
    unresolved = []
    scheduled = 0
    for path, (_, plan) in plans.items():
        roles = {rc["address"] for rc in _created(plan) if rc["type"] == "aws_iam_role"}
        for rc in _created(plan):
            if rc["type"] != "aws_iam_role_policy":
                continue
            scheduled += rc["name"] == "scheduler"
            role = plancheck._inline_role(plan, rc)
            if role not in roles:
                unresolved.append(f"{path}: {rc['address']} -> {role}")
    assert scheduled and not unresolved, "\n".join(unresolved)


def test_execution_role_policies_are_known_at_the_first_plan(plans: dict[str, tuple[str, dict[str, Any]]]) -> None:
    """aws/ecs-service builds the repository's and log group's ARNs from their names, so the
    execution role's policy is in the plan of a new service (a reviewer reads it; its size is judged)."""
    unknown = []
    for path, (_, plan) in plans.items():
        for rc in plan["resource_changes"]:
            execution = rc["type"] == "aws_iam_role_policy" and rc["name"] == "execution"
            if execution and not isinstance(rc["change"]["after"].get("policy"), str):
                unknown.append(f"{path}: {rc['address']}")
    assert plans and not unknown, "\n".join(unknown)


def test_a_role_policy_over_the_iam_quota_fails_plan_check(tmp_path: Path) -> None:
    """A service with 140 secrets: its execution role's one inline policy, which names each
    parameter, would exceed IAM's 10,240 characters. Terraform plans it and moto would apply it;
    plan-check refuses the plan of the first apply already, naming the role and the sizes."""
    if tfenv.terraform_binary() is None or not tfenv.provider_available("hashicorp", "aws"):
        pytest.skip(
            "IAM policy size NOT checked: needs the terraform CLI and hashicorp/aws in the local provider mirror"
        )
    tfenv.cli_config()
    from generator.api import generate

    base = tmp_path / "repo"
    shutil.copytree(ORG, base)
    service = base / "services" / "aggregator"
    (service / "environments").mkdir(parents=True)
    (service / "service.yaml").write_text(
        "name: aggregator\nowner: payments\nenvironments: [staging]\n"
        "spec:\n  resources: {cpu: 256, memory: 512}\n  desiredCount: 1\n",
        encoding="utf-8",
    )
    (service / "environments" / "staging.yaml").write_text(
        "secrets:\n"
        + "".join(
            f"  PARTNER_TOKEN_{i:03d}: {{ssmParameter: /aggregator/partner-api-token-{i:03d}}}\n" for i in range(140)
        ),
        encoding="utf-8",
    )
    generate(base)
    root = base / "accounts" / "staging" / "services" / "aggregator"
    plan = _plan(_prepare(base, root, tmp_path / "plan"))
    execution = next(
        rc for rc in plan["resource_changes"] if rc["type"] == "aws_iam_role_policy" and rc["name"] == "execution"
    )
    size = plancheck.policy_chars(execution["change"]["after"]["policy"])
    assert size > plancheck.ROLE_INLINE_POLICY_CHARS

    report = plancheck.check(plan, plancheck.context_for(base, validate(base), "accounts/staging/services/aggregator"))
    found = [v for v in report.violations if "IAM allows" in v.why]
    assert [v.address for v in found] == [execution["address"]], report.violations
    assert f"would total {size} characters" in found[0].why
    assert "role module.service.module.ecs_service.aws_iam_role.execution would" in found[0].why
    assert plancheck.IAM_QUOTAS_PAGE in found[0].fix


def test_a_task_definition_over_64_kib_fails_plan_check(tmp_path: Path) -> None:
    """The spec refuses an environment that encodes to more than ECS's 64 KiB per task definition
    (tests/test_task_definition_size.py); a root edited by hand past it is planned by Terraform,
    and plan-check reads the planned container definitions and refuses the plan."""
    if tfenv.terraform_binary() is None or not tfenv.provider_available("hashicorp", "aws"):
        pytest.skip("task definition size NOT checked: needs the terraform CLI and hashicorp/aws in the local mirror")
    tfenv.cli_config()
    base = tmp_path / "repo"
    shutil.copytree(ORG, base)
    root = base / "accounts" / "staging" / "services" / "klausapproves"
    main = root / "main.tf"
    text = main.read_text(encoding="utf-8")
    assert '{ name = "LOG_LEVEL", value = "debug" },' in text
    main.write_text(text.replace('value = "debug"', f'value = "{"x" * 70_000}"', 1), encoding="utf-8")
    plan = _plan(_prepare(base, root, tmp_path / "plan"))
    (task,) = [rc for rc in plan["resource_changes"] if rc["type"] == "aws_ecs_task_definition"]
    size = len(task["change"]["after"]["container_definitions"].encode("utf-8"))
    assert size > TASK_DEFINITION_BYTES
    report = plancheck.check(plan)
    found = [v for v in report.violations if "container definitions" in v.why]
    assert [v.address for v in found] == [task["address"]], report.violations
    assert f"alone take {size:,} bytes" in found[0].why


def test_the_parameters_a_root_publishes_are_the_ones_the_spec_rule_counts(
    plans: dict[str, tuple[str, dict[str, Any]]],
) -> None:
    """spec.rules.parameter_rules keeps an account within Parameter Store's 10,000 standard
    parameters by counting each datastore's connection keys (spec/convention.py): every planned
    root creates exactly that many standard parameters, and some root creates some."""
    seen = 0
    for path, (_, plan) in plans.items():
        repo = _repo_of(path)
        (service,) = [s for s in repo.services if s.name == _service_name(plan)]
        planned = [rc for rc in _created(plan) if rc["type"] == "aws_ssm_parameter"]
        assert len(planned) == connection_parameters(service), (path, [rc["address"] for rc in planned])
        assert all(rc["change"]["after"].get("tier") in (None, "Standard") for rc in planned), path
        seen += len(planned)
    assert seen


def test_the_security_groups_a_root_creates_are_the_ones_the_spec_rule_counts(
    plans: dict[str, tuple[str, dict[str, Any]]],
) -> None:
    """spec.rules.security_group_rules keeps an account within Amazon VPC's security groups per
    Region by counting each workload's groups (spec.rules.security_groups): every planned root
    creates exactly that many, and the roots cover services, workers or jobs, and network datastores."""
    kinds = set()
    for path, (_, plan) in plans.items():
        repo = _repo_of(path)
        (service,) = [s for s in repo.services if s.name == _service_name(plan)]
        planned = [rc["address"] for rc in _created(plan) if rc["type"] == "aws_security_group"]
        assert len(planned) == security_groups(service), (path, planned)
        kinds.add(service.kind)
        kinds |= {"network datastore" for d in service.datastores if REGISTRY.get(d.type).network_for(d.type)}
    assert kinds >= {"service", "job", "network datastore"}, kinds
