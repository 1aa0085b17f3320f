"""Read every input file once: YAML -> JSON Schema check -> frozen models -> cross-file rules."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import parallel
from generator.datastores import kind_of
from generator.errors import Problem, SpecError
from generator.spec import channels, schema, version
from generator.spec.document import Document, FieldPath, parse_bytes
from generator.spec.document import read as read_bytes
from generator.spec.inputcache import InputCache
from generator.spec.models import (
    ACKNOWLEDGEMENT_PLACEHOLDER,
    Account,
    Acknowledgement,
    AlarmOverride,
    AlertRoute,
    Autoscaling,
    Consul,
    Datastore,
    EnvironmentFile,
    Ingress,
    LoadBalancer,
    Options,
    Quotas,
    Repo,
    Schedule,
    Secret,
    Service,
    StateBackend,
    TargetHealth,
    Team,
    Teams,
)
from generator.spec.root import TEAMS_FILE

DEFAULT_PORT = 8080
DEFAULT_HEALTH_CHECK = "/health"
DEFAULT_METRICS_PORT = 9090
DEFAULT_KIND = "service"
DEFAULT_TIMEZONE = "UTC"  # spec.schedule.timezone of a job
DEFAULT_RETRIES = 2  # spec.schedule.retries: Scheduler's retry attempts when RunTask fails


# what reading one file found: its sha256 (None: unreadable), its document (None: not YAML) and its problems
Read = tuple[str | None, Document | None, list[Problem]]
PREFETCH_MINIMUM = 64  # files per process below which reading them in a forked child costs more than it saves


def _read_file(root: Path, path: str | Path, kind: schema.Kind) -> Read:
    """Read, parse and schema-check one file: no cache, no state (it may run in a forked child)."""
    file = _relative(root, path)
    try:
        raw = read_bytes(path, file)
    except SpecError as exc:
        return None, None, list(exc.problems)
    return _checked(raw, file, hashlib.sha256(raw).hexdigest(), kind)


def _checked(raw: bytes, file: str, digest: str, kind: schema.Kind) -> Read:
    try:
        doc = parse_bytes(raw, file)
    except SpecError as exc:
        return digest, None, list(exc.problems)
    if doc.data is None:
        doc = Document(file=doc.file, data={}, values=doc.values, keys=doc.keys)
    return digest, doc, schema.check(doc, kind)


# What a file costs a child to read, parse and check, relative to an environment file: a
# service.yaml is about twice as long and its schema larger (measured at 1,000 x 3).
_READ_COST: dict[str, int] = {"service": 2, "environment": 1}


def _balanced(files: list[tuple[str | Path, schema.Kind]], count: int) -> list[list[tuple[str | Path, schema.Kind]]]:
    """``files`` cut into ``count`` groups (at least 2) of about equal reading cost, in order of kind,
    so that a group holds files of one kind, or of two where it straddles them: each child compiles
    one validator, at most two (the service schema's takes 20 ms)."""
    ordered = sorted(files, key=lambda f: f[1])
    total = sum(_READ_COST.get(kind, 1) for _, kind in ordered)
    count = max(count, 2)
    groups: list[list[tuple[str | Path, schema.Kind]]] = [[] for _ in range(count)]
    spent = 0
    for item in ordered:
        groups[min(spent * count // max(total, 1), count - 1)].append(item)
        spent += _READ_COST.get(item[1], 1)
    return [group for group in groups if group]


class _Reader:
    def __init__(self, root: Path, digests: dict[str, str] | None = None, *, cache: bool = True) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.docs: dict[str, Document] = {}
        self.cache = InputCache.open(root) if cache else None
        self.digests: dict[str, str] = {} if digests is None else digests
        self.prefetched: dict[str, Read] = {}

    def prefetch(
        self, files: list[tuple[str | Path, schema.Kind]], meanwhile: Callable[[], None], spare: Callable[[], None]
    ) -> None:
        """Read ``files`` on every core ahead of :meth:`read` when nothing is cached (a cold run:
        CI's gate on a fresh clone), while this process does ``meanwhile``, then ``spare`` when children
        read (what a cold run needs later, imports for one: this process would wait idle). The
        files go to the children by kind, so each compiles one validator (the service schema's takes
        20 ms). With cached documents, reading in order is cheaper: ``meanwhile``, then nothing."""
        if self.cache is not None and self.cache.entries:
            meanwhile()
            return
        root = self.root
        groups = _balanced(files, parallel.jobs())
        found = parallel.map_chunks(
            lambda chunk: [[_read_file(root, path, kind) for path, kind in group] for group in chunk],
            groups,
            # a group per child, but below PREFETCH_MINIMUM files per process a fork costs more than it saves
            minimum=1 if len(files) >= len(groups) * PREFETCH_MINIMUM else len(groups) + 1,
            meanwhile=meanwhile,
            spare=spare,
        )
        self.prefetched = {
            _relative(root, path): read
            for group, reads in zip(groups, found, strict=True)
            for (path, _), read in zip(group, reads, strict=True)
        }

    def read(self, path: str | Path, kind: schema.Kind) -> Document | None:
        file = _relative(self.root, path)
        found = self.prefetched.pop(file, None)
        if found is None and self.cache is not None:
            try:
                raw = read_bytes(path, file)
            except SpecError as exc:
                self.problems.extend(exc.problems)
                return None
            sha = hashlib.sha256(raw).hexdigest()
            cached = self.cache.get(file, sha, kind)
            if cached is not None:
                self.digests[file] = sha
                self.docs[file] = cached
                return cached
            found = _checked(raw, file, sha, kind)
        digest, doc, problems = found if found is not None else _read_file(self.root, path, kind)
        if digest is not None:
            self.digests[file] = digest
        self.problems.extend(problems)
        if doc is None:
            return None
        self.docs[file] = doc
        if problems:
            return None
        if self.cache is not None and digest is not None:
            self.cache.put(doc, digest, kind)
        return doc

    def read_service(self, folder: ServiceFolder) -> tuple[Document | None, list[Document]] | None:
        """A service folder's spec and its valid environment files; None when it has no
        service.yaml. Every problem found (a `.yml` environment file too) is added to :attr:`problems`."""
        path = folder.spec
        if not folder.has_spec:
            self.problems.append(Problem(_relative(self.root, path), 1, 1, "", "service folder has no service.yaml"))
            return None
        doc = self.read(path, "service")
        env_docs: list[Document] = []
        for name, env_path in zip(folder.environments, folder.environment_paths, strict=True):
            suffix = _suffix(name)
            if suffix == ".yml":
                self.problems.append(Problem(_relative(self.root, env_path), 1, 1, "", "use the .yaml extension"))
            elif suffix == ".yaml":
                env_doc = self.read(env_path, "environment")
                if env_doc is not None:
                    env_docs.append(env_doc)
        return doc, env_docs

    def save(self, without: set[str]) -> None:
        if self.cache is not None:
            self.cache.save(without=without)


def load_repo(root: Path, *, git_dir: Path | None = None, digests: dict[str, str] | None = None) -> Repo:
    """Load and validate the whole repository. Raises :class:`SpecError` listing every problem, or
    :class:`GeneratorVersionError` alone when infragen.yaml needs another generator (checked first,
    so fields of a newer spec version are not reported as unknown). ``git_dir``: where the release
    tags that modules/channels.yaml names are looked up (``root``; a copy of a commit has none).
    ``digests``: filled with the sha256 of every spec file read (relative POSIX path -> digest), so
    a caller that records them (generator/write/reasons.py) does not read them again."""
    return read_repo(root, git_dir=git_dir, digests=digests).check()


class Unchecked:
    """A repository whose every file passed its own checks (YAML, schema, model), its cross-file
    rules not run yet: :meth:`check` runs them. A cold `gen` plans and renders while they run
    (generator/api.py), so nothing may be written or trusted before :meth:`check` returned."""

    def __init__(self, root: Path, repo: Repo, reader: _Reader, broken: set[str]) -> None:
        self.root = root
        self.repo = repo
        self._reader = reader
        self._broken = broken
        self._problems: list[Problem] | None = None

    def check(self) -> Repo:
        """The cross-file rules (once): the repository, or :class:`SpecError` listing every problem."""
        from generator.spec.rules import cross_check
        from generator.spec.workload import workload_problems

        if self._problems is None:
            reader = self._reader
            problems = [*reader.problems, *cross_check(self.root, self.repo, reader.docs, self._broken)]
            problems.extend(workload_problems(self.repo, reader.docs))
            # every input file was read: entries of files that are gone go, and so do those of files
            # with a problem of any rule (a credential under `variables:` is a cross-file rule's
            # problem: the cache must not keep a copy of the value)
            reader.save(without={p.file for p in problems})
            self._problems = problems
        if self._problems:
            raise SpecError(self._problems)
        return self.repo


def _platform(root: Path, reader: _Reader) -> tuple[Teams | None, list[Account]]:
    """teams.yaml and every account.yaml, read (a cold run reads them while children read the services)."""
    teams_doc = reader.read(root / TEAMS_FILE, "teams") if (root / TEAMS_FILE).is_file() else None
    if not (root / TEAMS_FILE).is_file():
        reader.problems.append(Problem(TEAMS_FILE, 1, 1, "", "file is missing"))
    accounts: list[Account] = []
    for env_dir in _subdirs(root / "accounts"):
        path = env_dir / "account.yaml"
        if not path.is_file():
            continue  # a folder without account.yaml holds no account (for example leftovers to prune)
        doc = reader.read(path, "account")
        if doc is not None:
            accounts.append(_account(env_dir.name, doc.data))
    return (_teams(teams_doc.data) if teams_doc else None), accounts


def read_repo(
    root: Path,
    *,
    git_dir: Path | None = None,
    digests: dict[str, str] | None = None,
    spare: Callable[[], object] | None = None,
) -> Unchecked:
    """Every input file read and made a model, as :func:`load_repo` does, the cross-file rules left
    to :meth:`Unchecked.check`. When a file has a problem of its own, the rules run at once and
    :class:`SpecError` lists every problem: only a repository whose files are all sound is returned.
    ``spare``: the caller's work for the time a cold run waits for the children reading the files
    (imports of the later stages); not run when the files are read in this process."""
    from generator.spec import secrets
    from generator.spec.rules import partial_service_rules

    def cold_spare() -> None:
        secrets.warm()  # nothing cached: the cross-file rules judge every variable
        if spare is not None:
            spare()

    version.require(root)
    reader = _Reader(root, digests)
    platform: list[tuple[Teams | None, list[Account]]] = []
    folders = service_folders(root)
    reader.prefetch(
        [
            *((folder.spec, "service") for folder in folders if folder.has_spec),
            *(
                (folder.environment_path(name), "environment")
                for folder in folders
                for name in folder.environment_files
            ),
        ],
        meanwhile=lambda: platform.append(_platform(root, reader)),
        spare=cold_spare,
    )
    teams, accounts = platform[0]
    found_channels, channel_problems = channels.load(root, [a.env for a in accounts], git_dir)
    reader.problems.extend(channel_problems)
    platform_broken = bool(reader.problems) or teams is None
    services: list[Service] = []
    broken_services: set[str] = set()
    for folder in folders:
        service_dir = folder.path
        before = len(reader.problems)
        found = reader.read_service(folder)
        if found is None:
            continue
        doc, env_docs = found
        rel = f"services/{service_dir.name}/service.yaml"
        service = _service(doc, env_docs, reader.problems) if doc is not None else None
        if service is None or len(reader.problems) > before:
            broken_services.add(service_dir.name)
            parsed = reader.docs.get(rel)
            if doc is None and parsed is not None:  # parsed, but failed its schema
                team_names = [t.name for t in teams.teams] if teams else []
                env_names = [a.env for a in accounts]
                reader.problems.extend(partial_service_rules(parsed, team_names, env_names))
        else:
            services.append(service)

    if platform_broken or teams is None:
        reader.save(without={p.file for p in reader.problems})
        raise SpecError(reader.problems)
    repo = Repo(teams=teams, accounts=tuple(accounts), services=tuple(services), channels=found_channels)
    unchecked = Unchecked(root, repo, reader, broken_services)
    if reader.problems:
        unchecked.check()  # raises, with the cross-file rules' problems beside the files' own
    return unchecked


def load_service(root: Path, name: str) -> tuple[Service, dict[str, Document], dict[str, str]] | None:
    """One service's files read alone (services/<name>/: its spec and environment files), parsed,
    checked against their schemas and made a model, as :func:`load_repo` reads them: the model,
    the documents and the files' sha256 (relative POSIX path -> digest). None when a file has a
    problem of its own: :func:`load_repo` reports it, with every other problem of the repository.
    The cross-file rules are the caller's (generator.spec.rules.service_rules)."""
    reader = _Reader(root, cache=False)
    found = reader.read_service(ServiceFolder.listed(root / "services" / name))
    if found is None or found[0] is None or reader.problems:
        return None
    service = _service(found[0], found[1], reader.problems)
    if service is None or reader.problems:
        return None
    return service, reader.docs, reader.digests


def _relative(root: Path, path: str | Path) -> str:
    """``path.relative_to(root).as_posix()``, cut from the text when ``path`` is spelled under
    ``root`` (every input file: a tenth of the time, 6,000 calls at 1,000 services)."""
    base, text = os.fspath(root), os.fspath(path)
    if os.sep == "/" and text.startswith(base) and text[len(base) : len(base) + 1] == "/":
        return text[len(base) + 1 :]
    return Path(path).relative_to(root).as_posix()


@dataclass(frozen=True)
class ServiceFolder:
    """A folder of services/ as listed once (os.scandir), for both the children that read its files
    and the models made of them: 2,000 globs and 3,000 stats fewer at 1,000 services. Its files'
    paths are made here, once, as text: pathlib's parsing was a third of a cold run's reading in
    this process (before and after the children read), 7,000 joins at 1,000 services."""

    path: Path
    has_spec: bool  # a service.yaml file
    environments: tuple[str, ...]  # every name in its environments/ folder, sorted
    environment_files: tuple[str, ...]  # those that are `*.yaml` files (read ahead when nothing is cached)
    spec: str  # path / "service.yaml", as text
    environment_paths: tuple[str, ...]  # path / "environments" / name, for each of ``environments``

    @classmethod
    def listed(cls, path: Path) -> ServiceFolder:
        base = os.fspath(path)
        has_spec = False
        with contextlib.suppress(OSError), os.scandir(base) as entries:
            has_spec = any(e.name == "service.yaml" and e.is_file() for e in entries)
        found: list[os.DirEntry[str]] = []
        with contextlib.suppress(OSError), os.scandir(f"{base}/environments") as entries:
            found = sorted(entries, key=lambda e: e.name)
        files = tuple(e.name for e in found if e.name.endswith(".yaml") and e.is_file())
        names = tuple(e.name for e in found)
        paths = tuple(f"{base}/environments/{name}" for name in names)
        return cls(path, has_spec, names, files, f"{base}/service.yaml", paths)

    def environment_path(self, name: str) -> str:
        return self.environment_paths[self.environments.index(name)]


def service_folders(root: Path) -> list[ServiceFolder]:
    """The folders of services/ (not hidden ones), sorted by name, each listed."""
    services = root / "services"
    try:
        with os.scandir(services) as entries:  # a DirEntry knows whether it is a folder: no stat each
            names = sorted(e.name for e in entries if not e.name.startswith(".") and e.is_dir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [ServiceFolder.listed(services / name) for name in names]


def _subdirs(path: Path) -> list[Path]:
    if not path.is_dir():
        return []
    return sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))


def _stem(file: str) -> str:
    """``PurePath(file).stem`` of a relative POSIX path, without making a path."""
    name = file.rpartition("/")[2]
    suffix = _suffix(name)
    return name[: len(name) - len(suffix)] if suffix else name


def _suffix(name: str) -> str:
    """``PurePath(name).suffix``, without making a path."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _pairs(mapping: dict[str, str] | None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((mapping or {}).items()))


def _teams(data: dict[str, Any]) -> Teams:
    teams = tuple(
        Team(
            name=name,
            github=t["github"],
            cost_center=t["costCenter"],
            alerts=tuple(
                AlertRoute(env=env, email=tuple(r.get("email", [])), https=tuple(r.get("https", [])))
                for env, r in sorted((t.get("alerts") or {}).items())
            ),
        )
        for name, t in sorted(data["teams"].items())
    )
    return Teams(platform_team=data["platformTeam"], teams=teams)


def _lb(data: dict[str, Any] | None) -> LoadBalancer | None:
    if data is None:
        return None
    return LoadBalancer(
        data["listenerArn"],
        data["dnsName"],
        data["zoneId"],
        data["securityGroupId"],
        data.get("listenerPort", 443),
        tuple(data.get("certificateDomains", ())),
    )


def _quotas(data: dict[str, Any]) -> Quotas:
    """account.yaml ``quotas``: what AWS granted the account; absent keys are AWS's defaults."""
    return Quotas(
        security_groups_per_eni=data.get("securityGroupsPerNetworkInterface"),
        cloud_map_instances_per_namespace=data.get("cloudMapInstancesPerNamespace"),
        targets_per_application_load_balancer=data.get("targetsPerApplicationLoadBalancer"),
        network_interfaces_per_region=data.get("networkInterfacesPerRegion"),
        security_groups_per_region=data.get("securityGroupsPerRegion"),
    )


def _account(env: str, data: dict[str, Any]) -> Account:
    state = data["stateBackend"]
    consul = data.get("consul")
    internal = _lb(data["loadBalancers"]["internal"])
    assert internal is not None
    return Account(
        env=env,
        account_id=data["accountId"],
        region=data["region"],
        production=data["production"],
        state=StateBackend(
            bucket=state["bucket"],
            key_prefix=state.get("keyPrefix", ""),
            region=state.get("region", data["region"]),
            lock_table=state.get("lockTable"),
        ),
        vpc_id=data["network"]["vpcId"],
        subnet_ids=tuple(data["network"]["privateSubnetIds"]),
        cluster_arn=data["ecs"]["clusterArn"],
        service_connect_namespace_arn=data["ecs"]["serviceConnectNamespaceArn"],
        internal_lb=internal,
        external_lb=_lb(data["loadBalancers"].get("external")),
        dns_zone=data["dns"]["zone"],
        dns_zone_id=data["dns"]["zoneId"],
        public_zone_id=data["dns"].get("publicZoneId"),
        consul=Consul(consul["address"], consul["datacenter"]) if consul else None,
        apply_requirements=tuple(data.get("atlantis", {}).get("applyRequirements", ())),
        default_tags=_pairs(data.get("defaultTags")),
        public_zone=data["dns"].get("publicZone"),
        atlantis_security_group_id=data.get("atlantis", {}).get("securityGroupId"),
        container_insights=bool(data["ecs"].get("containerInsights", False)),
        https_egress_cidrs=_egress(data["network"], "cidrs"),
        https_egress_prefix_lists=_egress(data["network"], "prefixListIds"),
        quotas=_quotas(data.get("quotas", {})),
    )


def _egress(network: dict[str, Any], key: str) -> tuple[str, ...] | None:
    """One list of network.httpsEgress: None without httpsEgress (the module's default applies),
    else exactly what the account lists (an omitted list is empty)."""
    egress = network.get("httpsEgress")
    return None if egress is None else tuple(egress.get(key, ()))


def _schedule(data: dict[str, Any] | None) -> Schedule | None:
    if data is None:
        return None
    return Schedule(
        expression=data["expression"],
        timezone=data.get("timezone", DEFAULT_TIMEZONE),
        retries=data.get("retries", DEFAULT_RETRIES),
        timeout=data.get("timeout"),
    )


def _ingress(data: dict[str, Any]) -> Ingress:
    return Ingress(
        external=data["external"],
        domain=data.get("domain"),
        paths=tuple(data.get("paths") or ()),
        headers=tuple((name, tuple(values)) for name, values in (data.get("headers") or {}).items()),
    )


def _target_health(data: object) -> TargetHealth:
    """The load balancer settings of a (schema-checked) healthCheck mapping; none for a path."""
    if not isinstance(data, dict):
        return TargetHealth()
    return TargetHealth(
        interval_seconds=data.get("intervalSeconds"),
        timeout_seconds=data.get("timeoutSeconds"),
        healthy_threshold=data.get("healthyThreshold"),
        unhealthy_threshold=data.get("unhealthyThreshold"),
        matcher=data.get("matcher"),
    )


def _autoscaling(data: dict[str, Any] | None) -> Autoscaling | None:
    if data is None:
        return None
    return Autoscaling(
        resource=data["resource"], target=data["target"], min=data["min"], max=data["max"], queue=data.get("queue")
    )


def options(kind: str, data: dict[str, Any]) -> Options:
    """Typed datastore options with the kind's defaults filled in."""
    return kind_of(kind).read(kind, data)


def _service(doc: Document, env_docs: list[Document], problems: list[Problem]) -> Service | None:
    data = doc.data
    spec = data["spec"]
    raw_resources: dict[str, dict[str, Any]] = data.get("resources") or {}
    datastores = tuple(
        Datastore(name=name, type=raw["type"], options=options(raw["type"], raw))
        for name, raw in sorted(raw_resources.items())
    )
    ingress = spec.get("ingress")
    deps = spec.get("dependencies") or {}
    health = spec.get("healthCheck", DEFAULT_HEALTH_CHECK)
    command = health.get("command") if isinstance(health, dict) else None
    env_files = []
    for env_doc in env_docs:
        env_file = _environment(env_doc, raw_resources, problems)
        if env_file is not None:
            env_files.append(env_file)
    return Service(
        name=data["name"],
        file=doc.file,
        owner=data["owner"],
        description=data.get("description", ""),
        environments=tuple(data["environments"]),
        image=spec.get("image", data["name"]),
        port=spec.get("port", DEFAULT_PORT),
        previous_port=spec.get("previousPort"),
        health_check=health if isinstance(health, str) else health.get("path", DEFAULT_HEALTH_CHECK),
        target_health=_target_health(health),
        health_check_command=tuple(command) if command is not None else None,
        kind=data.get("kind", DEFAULT_KIND),
        schedule=_schedule(spec.get("schedule")),
        metrics_port=spec.get("metricsPort", DEFAULT_METRICS_PORT),
        cpu=spec["resources"]["cpu"],
        memory=spec["resources"]["memory"],
        desired_count=spec.get("desiredCount", 0),
        autoscaling=_autoscaling(spec.get("autoscaling")),
        ingress=_ingress(ingress) if ingress else None,
        depends_on_services=tuple(deps.get("services", [])),
        depends_on_datastores=tuple(deps.get("datastores", [])),
        datastores=datastores,
        env_files=tuple(sorted(env_files, key=lambda f: f.env)),
    )


def _secret(data: dict[str, str]) -> Secret:
    return Secret(
        secrets_manager_arn=data.get("secretsManager"),
        field=data.get("field"),
        ssm_parameter=data.get("ssmParameter"),
        kms_key=data.get("kmsKey"),
    )


def _environment(
    doc: Document, raw_resources: dict[str, dict[str, Any]], problems: list[Problem]
) -> EnvironmentFile | None:
    data = doc.data
    overrides = data.get("overrides") or {}
    resolved: list[tuple[str, Datastore]] = []
    bad = False
    for name, override in sorted((overrides.get("datastores") or {}).items()):
        path: FieldPath = ("overrides", "datastores", name)
        base = raw_resources.get(name)
        if base is None:
            known = sorted(raw_resources)
            hint = schema.suggest(name, known) or (f"; this service owns: {', '.join(known)}" if known else "")
            problems.append(doc.problem(path, f"not a datastore of this service{hint}", key=True))
            bad = True
            continue
        if "type" in override:
            problems.append(doc.problem((*path, "type"), "the type of a datastore cannot be overridden", key=True))
            bad = True
            continue
        kind = base["type"]
        sub = schema.schema("environment")["$defs"][kind_of(kind).schema_def]
        found = schema.check(doc, "environment", path, sub)
        if found:
            problems.extend(found)
            bad = True
            continue
        merged = {**base, **override}
        resolved.append((name, Datastore(name=name, type=kind, options=options(kind, merged))))
    seen_addresses: dict[str, int] = {}
    for i, entry in enumerate((data.get("acknowledge") or {}).get("replace") or []):
        address = entry["address"]
        if address in seen_addresses:
            first = doc.position(("acknowledge", "replace", seen_addresses[address], "address"))[0]
            message = f"{address} is already acknowledged at line {first}; list each address once"
            problems.append(doc.problem(("acknowledge", "replace", i, "address"), message))
            bad = True
        seen_addresses.setdefault(address, i)
        if str(entry["reason"]).lstrip().startswith(ACKNOWLEDGEMENT_PLACEHOLDER):
            message = (
                f"still plan-check's placeholder: write why losing {address} is safe (data moved, backup "
                "taken, ...); an acknowledgement without a reason excuses nothing"
            )
            problems.append(doc.problem(("acknowledge", "replace", i, "reason"), message))
            bad = True
    if bad:
        return None
    resources = overrides.get("resources") or {}
    return EnvironmentFile(
        env=_stem(doc.file),
        file=doc.file,
        variables=_pairs(data.get("variables")),
        secrets=tuple(sorted((k, _secret(v)) for k, v in (data.get("secrets") or {}).items())),
        desired_count=overrides.get("desiredCount"),
        cpu=resources.get("cpu"),
        memory=resources.get("memory"),
        autoscaling=_autoscaling(overrides.get("autoscaling")),
        autoscaling_set="autoscaling" in overrides,
        datastore_overrides=tuple(resolved),
        not_secrets=_pairs(data.get("notSecrets")),
        domain=(overrides.get("ingress") or {}).get("domain"),
        target_health=_target_health(overrides.get("healthCheck")),
        alarm_overrides=tuple(
            AlarmOverride(
                target=target,
                key=key,
                threshold=o.get("threshold"),
                silenced=o.get("silenced", False),
                reason=o["reason"],
            )
            for target, alarms in sorted((overrides.get("alarms") or {}).items())
            for key, o in sorted(alarms.items())
        ),
        acknowledged=tuple(
            Acknowledgement(
                address=a["address"], reason=a["reason"], line=doc.position(("acknowledge", "replace", i))[0]
            )
            for i, a in enumerate((data.get("acknowledge") or {}).get("replace") or [])
        ),
    )
