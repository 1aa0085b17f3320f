"""Drift traced to the spec: what runs, compared with what the spec says, each difference named by
the spec or environment file line that sets it.

The static half reads a refresh-only plan (``terraform show -json`` of ``terraform plan
-refresh-only``): ``resource_drift`` holds each resource as Terraform last recorded it (``before``)
and as AWS has it now (``after``), ``prior_state`` the refreshed state. Every changed attribute is
mapped back through a table: (resource, attribute) -> the field that sets it (``desired_count`` ->
``overrides.desiredCount`` or ``spec.desiredCount``, whichever sets it for the environment; a
datastore option through its kind's ``drift_attributes``; each tag key to ``owner``, ``name``,
``environments``, the owner team's ``costCenter`` in teams.yaml or the account's ``defaultTags``),
with the line the loader recorded (generator/spec/document.py). Attributes no field sets are
reported as "not set by the spec". The dynamic half (what ``infragen status`` knows: running
revision, image, configuration not deployed) is added by the caller with :func:`with_dynamic`.

Terraform is run by :mod:`generator.tools.terraform`; this module only reads JSON.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.datastores import kind_of
from generator.errors import InfragenError
from generator.spec import naming
from generator.spec.document import Document, FieldPath, dotted
from generator.spec.document import load as load_yaml
from generator.spec.models import Account, Datastore, Repo, Service

ECS_SERVICE = "aws_ecs_service"
NOT_SET = "not set by the spec"
# Tags whose value infragen writes itself: not a field of any input file.
INFRAGEN_TAGS = {"managed-by": "infragen"}


class DriftError(InfragenError):
    """Drift cannot be computed: terraform failed, or a plan file is not a refresh-only plan JSON."""


@dataclass(frozen=True)
class Source:
    """Where an input file sets a value: ``file:line field``."""

    file: str
    line: int
    field: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} {self.field}"


@dataclass(frozen=True)
class Finding:
    """One difference between what runs and what the spec says."""

    kind: str  # "static" (refresh-only plan) or "dynamic" (the running task definition)
    address: str  # the resource address, or the service for a dynamic finding
    attribute: str  # e.g. desired_count, tags.owner, ingress
    source: Source | None  # None: no input file sets it
    wanted: str | None  # the spec's value as text, when the spec sets one
    actual: str  # what runs
    note: str = ""  # why it is not set by the spec, or what to do

    def text(self) -> str:
        if self.kind == "dynamic":
            return f"not deployed: {self.actual}" + (f" ({self.note})" if self.note else "")
        where = f"  ({self.address} {self.attribute})"
        if self.source is not None:
            wanted = f" {self.wanted}" if self.wanted is not None else ""
            note = f"; {self.note}" if self.note else ""
            return f"{self.source}{wanted}, running {self.actual}{note}{where}"
        note = f"; {self.note}" if self.note else ""
        return f"{NOT_SET}: {self.attribute} {self.actual}{note}{where}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "address": self.address,
            "attribute": self.attribute,
            "file": self.source.file if self.source else None,
            "line": self.source.line if self.source else None,
            "field": self.source.field if self.source else None,
            "setBySpec": self.source is not None,
            "spec": self.wanted,
            "running": self.actual,
            "note": self.note,
            "text": self.text(),
        }


@dataclass(frozen=True)
class Report:
    service: str
    env: str
    root: str  # the Terraform root the plan is of
    team: str  # the owner team, whose alert topic gets the findings
    findings: tuple[Finding, ...]
    notes: tuple[str, ...] = ()  # information that is not drift (nothing deployed yet, the revision)

    @property
    def drifted(self) -> bool:
        return bool(self.findings)

    def text(self) -> str:
        head = f"{self.service} ({self.env}): {self.root}"
        lines = [head, *(f"  {f.text()}" for f in self.findings)]
        lines.extend(f"  note: {n}" for n in self.notes)
        if not self.findings:
            lines.append("  no drift: what runs matches the spec")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "environment": self.env,
            "root": self.root,
            "team": self.team,
            "drifted": self.drifted,
            "findings": [f.as_dict() for f in self.findings],
            "notes": list(self.notes),
        }


# -- reading the plan ----------------------------------------------------------------------


def _resources(module: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _resources(child)


def refreshed(plan: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """address -> the managed resource as AWS has it now (the plan's refreshed ``prior_state``)."""
    state = plan.get("prior_state") or {}
    root = (state.get("values") or {}).get("root_module") or {}
    return {r["address"]: r for r in _resources(root) if r.get("mode", "managed") == "managed"}


def check_plan(plan: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(plan, Mapping) or "format_version" not in plan:
        raise DriftError(f"{where}: not a plan JSON (`terraform show -json PLANFILE` of a refresh-only plan)")
    if plan.get("errored"):
        raise DriftError(f"{where}: the plan errored; run `terraform plan -refresh-only` there to see why")
    return plan


def load_plan(path: Path) -> Mapping[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DriftError(f"cannot read the plan {path}: {exc}") from None
    return check_plan(data, str(path))


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {} or value is False or value == 0


def same(a: Any, b: Any) -> bool:
    """Equal, where unset and its empty or zero value count as the same (the provider reads some
    arguments back as ``[]``/``{}``/``0`` that it recorded as ``null``)."""
    if a is None or b is None:
        return _empty(a) and _empty(b)
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return all(same(a.get(k), b.get(k)) for k in set(a) | set(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return value if value and " " not in value else json.dumps(value)
    return json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else str(value)


def _resource_key(address: str) -> tuple[str, str]:
    """(the first module label, ``type.name`` of the resource without its index)."""
    parts = address.split(".")
    label = parts[1] if parts[0] == "module" else ""
    tail = ".".join(parts[-2:])
    return label.split("[", 1)[0], tail.split("[", 1)[0]


# -- the spec's lines ----------------------------------------------------------------------


@dataclass
class _Spec:
    """The input files of one service in one environment, with the position of every value."""

    root: Path
    repo: Repo
    service: Service
    account: Account
    docs: dict[str, Document | None] = dataclasses.field(default_factory=dict)

    def doc(self, file: str) -> Document | None:
        if file not in self.docs:
            path = self.root / file
            self.docs[file] = load_yaml(path, self.root) if path.is_file() else None
        return self.docs[file]

    def at(self, file: str | None, path: FieldPath) -> Source | None:
        """The line of ``path`` in ``file`` (the line naming the key: a block mapping's value
        starts on the next one), or None when the file does not set it."""
        if file is None:
            return None
        doc = self.doc(file)
        if doc is None or path not in doc.values:
            return None
        line = doc.keys[path][0] if path in doc.keys else doc.values[path][0]
        return Source(file, line, dotted(path))

    @property
    def env_file(self) -> str | None:
        found = self.service.env_file(self.account.env)
        return found.file if found else None

    def first(self, *candidates: tuple[str | None, FieldPath]) -> Source | None:
        for file, path in candidates:
            found = self.at(file, path)
            if found is not None:
                return found
        return None

    def datastore(self, label: str) -> Datastore | None:
        env_file = self.service.env_file(self.account.env)
        overrides = dict(env_file.datastore_overrides) if env_file else {}
        for d in self.service.datastores:
            if naming.label(d.name) == label:
                return overrides.get(d.name, d)
        return None

    def owner_of(self, label: str) -> Source | None:
        """The declaration of what a module call creates: ``resources.<name>`` or ``name``."""
        found = self.datastore(label)
        if found is not None:
            return self.at(self.service.file, ("resources", found.name))
        return self.at(self.service.file, ("name",))

    def dependencies(self) -> Source | None:
        return self.first(
            (self.service.file, ("spec", "dependencies")),
            (self.service.file, ("spec",)),
        )


# -- the mapping table ---------------------------------------------------------------------


def _desired_count(spec: _Spec, address: str, values: Mapping[str, Any], task_definitions: set[str]) -> Finding | None:
    """ECS's desired count against the spec's (Terraform creates the service with 0 tasks and never
    owns the count: ``infragen deploy`` sets it, autoscaling moves it between min and max)."""
    actual = values.get("desired_count")
    if not isinstance(actual, int):
        return None
    if actual == 0 and str(values.get("task_definition", "")) in task_definitions:
        return None  # nothing deployed yet: the bootstrap revision Terraform registered, 0 tasks
    env_file = spec.env_file
    _, _, desired, autoscaling = spec.service.effective_size(spec.account.env)
    if autoscaling is not None:
        if autoscaling.min <= actual <= autoscaling.max:
            return None
        source = spec.first((env_file, ("overrides", "autoscaling")), (spec.service.file, ("spec", "autoscaling")))
        wanted = f"{autoscaling.min}..{autoscaling.max}"
    else:
        if actual == desired:
            return None
        source = spec.first((env_file, ("overrides", "desiredCount")), (spec.service.file, ("spec", "desiredCount")))
        wanted = str(desired)
    return Finding("static", address, "desired_count", source, wanted, str(actual))


def _option(spec: _Spec, label: str, option_key: str) -> tuple[Source | None, str | None]:
    """Where a datastore option is set for this environment (the environment file's override, the
    service file, else the declaration: the kind's default applies) and its effective value."""
    datastore = spec.datastore(label)
    if datastore is None:
        return None, None
    kind = kind_of(datastore.type)
    option = next((o for o in kind.options if o.key == option_key), None)
    value = getattr(datastore.options, option.attr, None) if option else None
    source = spec.first(
        (spec.env_file, ("overrides", "datastores", datastore.name, option_key)),
        (spec.service.file, ("resources", datastore.name, option_key)),
    )
    if source is None:
        declared = spec.at(spec.service.file, ("resources", datastore.name))
        if declared is not None:
            source = Source(declared.file, declared.line, f"resources.{datastore.name}.{option_key} (default)")
    return source, None if value is None else shown(value)


def _tag_source(spec: _Spec, label: str, key: str) -> tuple[Source | None, str | None, str]:
    """Which field sets tag ``key`` and its value; the note says why when no field does."""
    service, account = spec.service, spec.account
    if key == "owner":
        return spec.at(service.file, ("owner",)), service.owner, ""
    if key == "service":
        return spec.at(service.file, ("name",)), service.name, ""
    if key == "environment":
        return spec.at(service.file, ("environments",)), account.env, ""
    if key == "cost-center":
        team = spec.repo.teams.get(service.owner)
        if team is not None:
            return spec.at("teams.yaml", ("teams", team.name, "costCenter")), team.cost_center, ""
    if key in INFRAGEN_TAGS:
        return None, INFRAGEN_TAGS[key], "infragen sets it on every resource"
    defaults = dict(account.default_tags)
    if key in defaults:
        return spec.at(f"accounts/{account.env}/account.yaml", ("defaultTags", key)), defaults[key], ""
    if key == "Name":
        return spec.owner_of(label), None, ""
    return None, None, "a tag added outside Terraform"


def _tags(spec: _Spec, address: str, label: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Finding]:
    old = before.get("tags_all") or before.get("tags") or {}
    new = after.get("tags_all") or after.get("tags") or {}
    findings = []
    for key in sorted(set(old) | set(new)):
        if same(old.get(key), new.get(key)):
            continue
        source, wanted, note = _tag_source(spec, label, key)
        if wanted is not None and new.get(key) == wanted:
            continue  # back to what the spec says
        actual = "(removed)" if key not in new else shown(new[key])
        if key == "Name" and wanted is None:
            wanted = shown(old.get(key))
        findings.append(Finding("static", address, f"tags.{key}", source, wanted, actual, note))
    return findings


_PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp", "all": "-1"}


def _atoms(rule: Mapping[str, Any], group_id: str) -> set[tuple[str, ...]]:
    """A rule as (protocol, from, to, peer) atoms, one per peer (CIDR, prefix list or group)."""
    protocol = str(rule.get("protocol", "")).lower()
    head = (_PROTOCOLS.get(protocol, protocol), str(rule.get("from_port", "")), str(rule.get("to_port", "")))
    peers = [*(rule.get("cidr_blocks") or []), *(rule.get("ipv6_cidr_blocks") or [])]
    peers += [*(rule.get("prefix_list_ids") or []), *(rule.get("security_groups") or [])]
    if rule.get("source_security_group_id"):
        peers.append(rule["source_security_group_id"])
    if rule.get("self"):
        peers.append(group_id)
    return {(*head, str(peer)) for peer in peers}


def _rule_text(direction: str, atom: tuple[str, ...], description: str) -> str:
    protocol, low, high, peer = atom
    ports = "all traffic" if protocol == "-1" else f"{protocol} {low}" + (f"-{high}" if high != low else "")
    word = "from" if direction == "ingress" else "to"
    return f"{ports} {word} {peer}" + (f" ({json.dumps(description)})" if description else "")


def _group_rules(spec: _Spec, address: str, values: Mapping[str, Any], state: Mapping[str, Any]) -> list[Finding]:
    """Rules on a security group that no aws_security_group_rule of the root manages: the modules
    manage every rule as its own resource, so such a rule was added outside Terraform. Access comes
    only from declared dependencies (and ``spec.ingress``)."""
    group_id = str(values.get("id", ""))
    managed: dict[str, set[tuple[str, ...]]] = {"ingress": set(), "egress": set()}
    for resource in state.values():
        rule = resource.get("values") or {}
        if resource.get("type") == "aws_security_group_rule" and rule.get("security_group_id") == group_id:
            managed.setdefault(str(rule.get("type")), set()).update(_atoms(rule, group_id))
    findings = []
    for direction in ("ingress", "egress"):
        for rule in values.get(direction) or []:
            for atom in sorted(_atoms(rule, group_id) - managed.get(direction, set())):
                text = _rule_text(direction, atom, str(rule.get("description") or ""))
                source = spec.dependencies()
                note = "added outside Terraform; access comes only from declared dependencies"
                if source is not None:
                    note += f", {source}"
                findings.append(Finding("static", address, direction, None, None, text, note))
    return findings


def _rule_source(spec: _Spec, label: str, address: str) -> tuple[Source | None, str]:
    """The field a managed security-group rule exists for, and a note: the external load balancer's
    rule comes from ``spec.ingress``; the rules of a group and its -clients group from the
    dependency that declares it (the first declaring service's ``spec.dependencies`` line), else
    from the declaration of the service or datastore."""
    if '"external_lb"' in address:
        return spec.first((spec.service.file, ("spec", "ingress"))), ""
    if "https_egress" in address:
        return None, "infragen adds HTTPS egress for the AWS APIs Fargate needs"
    datastore = spec.datastore(label)
    if datastore is not None:
        declaring = [s for s in spec.repo.services if datastore.name in s.depends_on_datastores]
        field = "datastores"
    else:
        declaring = list(spec.repo.dependents(spec.service.name))
        field = "services"
    if declaring:
        names = ", ".join(s.name for s in declaring)
        return spec.at(declaring[0].file, ("spec", "dependencies", field)), f"declared by {names}"
    return spec.owner_of(label), ""


def _inline_policies(address: str, values: Mapping[str, Any], state: Mapping[str, Any]) -> list[Finding]:
    """Inline policies of a role that no aws_iam_role_policy of the root manages."""
    role = values.get("name")
    managed = {
        (r.get("values") or {}).get("name")
        for r in state.values()
        if r.get("type") == "aws_iam_role_policy" and (r.get("values") or {}).get("role") == role
    }
    return [
        Finding("static", address, "inline_policy", None, None, str(p.get("name")), "a policy added outside Terraform")
        for p in values.get("inline_policy") or []
        if p.get("name") not in managed
    ]


def _policy_source(spec: _Spec, address: str) -> Source | None:
    if address.endswith(".execution"):  # the execution role reads the secrets the environment file names
        return spec.first((spec.env_file, ("secrets",)), (spec.service.file, ("spec", "dependencies")))
    return spec.dependencies()


def _changed(before: Any, after: Any) -> list[str]:
    """Top-level attributes that differ."""
    if not isinstance(before, Mapping) or not isinstance(after, Mapping):
        return []
    return sorted(k for k in set(before) | set(after) if not same(before.get(k), after.get(k)))


# Attributes that change outside Terraform by design: the running revision is the dynamic half's.
OWNED_ELSEWHERE = {(ECS_SERVICE, "task_definition"), (ECS_SERVICE, "desired_count")}
HANDLED = {"tags", "tags_all"}


def _drift_entry(spec: _Spec, entry: Mapping[str, Any], state: Mapping[str, Any]) -> list[Finding]:
    address, kind = str(entry["address"]), str(entry.get("type", ""))
    change = entry.get("change") or {}
    before, after = change.get("before"), change.get("after")
    label, resource = _resource_key(address)
    if after is None:  # deleted outside Terraform
        source, note = (
            _rule_source(spec, label, address) if kind == "aws_security_group_rule" else (spec.owner_of(label), "")
        )
        return [Finding("static", address, "(resource)", source, "exists", "deleted", note)]
    if not isinstance(before, Mapping):
        return []
    findings: list[Finding] = []
    if any(not same(before.get(k), after.get(k)) for k in HANDLED):
        findings.extend(_tags(spec, address, label, before, after))
    datastore = spec.datastore(label)
    table = kind_of(datastore.type).drift_attributes if datastore else {}
    for attribute in _changed(before, after):
        if attribute in HANDLED or (kind, attribute) in OWNED_ELSEWHERE:
            continue
        if kind == "aws_security_group" and attribute in ("ingress", "egress"):
            continue  # _group_rules compares every group with the managed rules
        if kind == "aws_iam_role" and attribute == "inline_policy":
            continue  # _inline_policies, likewise
        actual = shown(after.get(attribute))
        option = table.get((resource, attribute))
        if option is not None:
            source, wanted = _option(spec, label, option)
            if wanted is not None and wanted == actual:
                continue  # the state was behind; AWS has what the spec says
            findings.append(Finding("static", address, attribute, source, wanted, actual))
        elif kind == "aws_iam_role_policy" and attribute == "policy":
            findings.append(
                Finding("static", address, attribute, _policy_source(spec, address), None, "a changed document")
            )
        elif kind == ECS_SERVICE and attribute == "network_configuration":
            note = "the tasks' security groups: their own and the -clients groups of declared dependencies"
            findings.append(Finding("static", address, attribute, spec.dependencies(), None, actual, note))
        elif kind == "aws_security_group_rule":
            source, note = _rule_source(spec, label, address)
            findings.append(Finding("static", address, attribute, source, shown(before.get(attribute)), actual, note))
        else:
            note = f"was {shown(before.get(attribute))}; a module default (modules/)"
            findings.append(Finding("static", address, attribute, None, None, actual, note))
    return findings


def static(root: Path, repo: Repo, service: Service, env: str, plan: Mapping[str, Any]) -> Report:
    """The static half for ``service`` in ``env`` from its root's refresh-only plan JSON."""
    account = repo.account(env)
    spec = _Spec(root, repo, service, account)
    state = refreshed(plan)
    findings: list[Finding] = []
    for entry in plan.get("resource_drift") or []:
        if entry.get("mode", "managed") == "managed":
            findings.extend(_drift_entry(spec, entry, state))
    task_definitions = {
        str((r.get("values") or {}).get("arn")) for r in state.values() if r.get("type") == "aws_ecs_task_definition"
    }
    notes: list[str] = []
    for address, resource in sorted(state.items()):
        values = resource.get("values") or {}
        kind = resource.get("type")
        if kind == ECS_SERVICE:
            found = _desired_count(spec, address, values, task_definitions)
            if found is not None:
                findings.append(found)
            elif values.get("desired_count") == 0:
                notes.append(f"{address}: 0 tasks, nothing deployed yet (`infragen deploy` sets the count)")
        elif kind == "aws_security_group":
            findings.extend(_group_rules(spec, address, values, state))
        elif kind == "aws_iam_role":
            findings.extend(_inline_policies(address, values, state))
    return Report(
        service=service.name,
        env=env,
        root=naming.root_dir(env, service.name),
        team=service.owner,
        findings=tuple(sorted(findings, key=lambda f: (f.address, f.attribute, f.actual))),
        notes=tuple(notes),
    )


def with_dynamic(report: Report, pending_changes: Sequence[str], revision: str, image_tag: str | None) -> Report:
    """The report with the dynamic half: each change the spec has that the running revision lacks
    (``infragen status``'s list) is a finding, pointing at the files that set the configuration."""
    command = f"infragen deploy {report.service} --env {report.env} --image-tag {image_tag or '<tag>'}"
    dynamic = tuple(
        Finding("dynamic", report.service, "task_definition", None, None, change, f"roll it out: {command}")
        for change in pending_changes
    )
    note = f"running revision {revision}, image tag {image_tag or '?'}"
    return dataclasses.replace(report, findings=(*report.findings, *dynamic), notes=(*report.notes, note))


def services_in(repo: Repo, env: str, name: str | None) -> list[Service]:
    """The services drift looks at: the one named, else every service that runs in ``env``."""
    if name is not None:
        return [repo.service(name)]
    return [s for s in repo.services if env in s.environments]
