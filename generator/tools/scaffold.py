"""`infragen new service`: write a new service's spec files with the conventions' defaults.

The new files are validated together with the whole repository (in a temporary copy of its
inputs) before anything is written; on any problem nothing is written.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.datastores import REGISTRY, kind_of
from generator.errors import NewFilesError, Problem, ScaffoldError, SpecError, UsageError
from generator.render.jinja import render
from generator.spec import schema
from generator.spec.load import load_repo
from generator.spec.models import WORKER_HEALTH_CHECK
from generator.spec.root import TEAMS_FILE


def datastore_aliases() -> dict[str, str]:
    """What people type for a datastore type -> the type infragen calls it (the kinds' aliases)."""
    return {alias: type_name for kind in REGISTRY.kinds for alias, type_name in kind.aliases.items()}


_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/@-]*$")


@dataclass(frozen=True)
class NewDatastore:
    type: str
    name: str  # the full resource name, <service>-...
    extra: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewService:
    """What `infragen new service` was asked for. Empty ``environments`` means every account."""

    name: str
    owner: str
    cpu: int = 256
    memory: int = 512
    desired_count: int = 1
    environments: tuple[str, ...] = ()
    external_domain: str | None = None
    datastores: tuple[str, ...] = ()  # TYPE:NAME as given on the command line
    description: str = ""
    kind: str = "service"  # "service" (HTTP) or "worker" (no HTTP, a container health check)


@dataclass(frozen=True)
class Scaffold:
    service: str
    files: tuple[str, ...]  # written paths, relative to the repository root
    environments: tuple[str, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())  # what the scaffold decided for the user (printed)


def parse_datastore(service: str, text: str) -> NewDatastore:
    """``TYPE:NAME``; NAME is prefixed with ``<service>-`` unless it already starts with it."""
    kind, sep, name = text.partition(":")
    if not sep or not name:
        raise UsageError(f"--datastore {text!r}: write TYPE:NAME, for example postgres:db")
    types = REGISTRY.types()
    if kind not in types:
        alias = datastore_aliases().get(kind.lower())
        hint = f"; did you mean {alias!r} ({alias}:{name})?" if alias else schema.suggest(kind, types)
        raise UsageError(f"--datastore {text!r}: unknown type {kind!r}{hint}; types are {', '.join(types)}")
    full = name if name.startswith(service + "-") else f"{service}-{name}"
    return NewDatastore(type=kind, name=full, extra=kind_of(kind).scaffold)


def _scalar(text: str) -> str:
    """A YAML scalar that reads back as exactly ``text``."""
    if _PLAIN.fullmatch(text) and text.strip() == text and text.lower() not in {"yes", "no", "true", "false", "null"}:
        return text
    return json.dumps(text)  # a JSON string is a valid YAML double-quoted scalar


@dataclass(frozen=True)
class _AccountFacts:
    production: bool
    region: str
    account_id: str
    public_zone: str | None = None


def _accounts(root: Path) -> dict[str, _AccountFacts]:
    """Every account folder with an account.yaml, read leniently: validation reports bad files."""
    found: dict[str, _AccountFacts] = {}
    accounts = root / "accounts"
    for env_dir in sorted(accounts.iterdir()) if accounts.is_dir() else []:
        path = env_dir / "account.yaml"
        if not env_dir.is_dir() or env_dir.name.startswith(".") or not path.is_file():
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            data = None
        data = data if isinstance(data, dict) else {}
        found[env_dir.name] = _AccountFacts(
            production=data.get("production") is True,
            region=str(data.get("region", "<region>")),
            account_id=str(data.get("accountId", "<account-id>")),
            public_zone=_public_zone(data),
        )
    return found


def _public_zone(data: dict[str, object]) -> str | None:
    dns = data.get("dns")
    zone = dns.get("publicZone") if isinstance(dns, dict) else None
    return zone if isinstance(zone, str) else None


def _domain_in(domain: str | None, zone: str | None) -> str | None:
    """The same host label under ``zone`` when ``domain`` lies outside it (an environment override)."""
    if domain is None or zone is None or domain == zone or domain.endswith("." + zone):
        return None
    return f"{domain.split('.', 1)[0]}.{zone}"


def render_files(root: Path, spec: NewService) -> dict[str, str]:
    """The new files (path relative to root -> content). Raises ScaffoldError on bad arguments."""
    pattern = schema.schema("service")["properties"]["name"]["pattern"]
    if not re.fullmatch(pattern.rstrip("$").lstrip("^"), spec.name):
        least, most = schema.length_bounds(pattern) or (3, 32)
        length = f" (it is {len(spec.name)} characters long)" if not least <= len(spec.name) <= most else ""
        raise UsageError(
            f"service name {spec.name!r} must be DNS-safe: lower-case letters, digits and '-', "
            f"{least} to {most} characters, starting with a letter{length}"
        )
    accounts = _accounts(root)
    envs = spec.environments or tuple(sorted(accounts))
    if not envs:
        raise ScaffoldError("the repository has no accounts (accounts/<env>/account.yaml); pass --env")
    for env in envs:
        if "/" in env or env.startswith("."):
            raise UsageError(f"--env {env!r} is not an account name")
    datastores = sorted((parse_datastore(spec.name, d) for d in spec.datastores), key=lambda d: d.name)
    worker = spec.kind == "worker"
    job = spec.kind == "job"
    if spec.kind not in ("service", "worker", "job"):
        raise UsageError(f"--kind {spec.kind!r}: write service, worker or job")
    if (worker or job) and spec.external_domain:
        raise UsageError(
            f"--external-domain: a {spec.kind} serves no HTTP, so it has no ingress; drop --kind {spec.kind} or it"
        )
    queue = next((d.name for d in datastores if d.type == "queue"), None)
    service_file = f"services/{spec.name}/service.yaml"
    files = {
        service_file: render(
            "new-service.yaml.j2",
            name=spec.name,
            owner=_scalar(spec.owner),
            description=_scalar(spec.description or f"{spec.name} (describe what it does)."),
            environments=", ".join(_scalar(e) for e in envs),
            cpu=spec.cpu,
            memory=spec.memory,
            desired_count=spec.desired_count,
            external_domain=_scalar(spec.external_domain) if spec.external_domain else None,
            datastores=datastores,
            datastore_names=", ".join(d.name for d in datastores),
            schema_defs=", ".join(k.schema_def for k in REGISTRY.kinds),
            worker=worker,
            job=job,
            health_command=_scalar(WORKER_HEALTH_CHECK[1]),
            queue=queue,
        )
    }
    for env in envs:
        facts = accounts.get(env, _AccountFacts(False, "<region>", "<account-id>"))
        files[f"services/{spec.name}/environments/{env}.yaml"] = render(
            "new-environment.yaml.j2",
            name=spec.name,
            env=env,
            production=facts.production,
            log_level="info" if facts.production else "debug",
            region=facts.region,
            account_id=facts.account_id,
            domain=_domain_in(spec.external_domain, facts.public_zone),
            zone=facts.public_zone,
        )
    return files


def _copy_inputs(root: Path, dest: Path) -> None:
    if (root / TEAMS_FILE).is_file():
        shutil.copy2(root / TEAMS_FILE, dest / TEAMS_FILE)
    if (root / "services").is_dir():
        shutil.copytree(root / "services", dest / "services", ignore=shutil.ignore_patterns(".*"))
    accounts = root / "accounts"
    for env_dir in sorted(accounts.iterdir()) if accounts.is_dir() else []:
        if (env_dir / "account.yaml").is_file():
            (dest / "accounts" / env_dir.name).mkdir(parents=True)
            shutil.copy2(env_dir / "account.yaml", dest / "accounts" / env_dir.name / "account.yaml")


def check(root: Path, files: dict[str, str]) -> None:
    """Validate the whole repository as it would be with ``files`` added. Raises SpecError."""
    with tempfile.TemporaryDirectory(prefix="infragen-new-") as tmp:
        copy = Path(tmp)
        _copy_inputs(root, copy)
        for rel, text in files.items():
            target = copy / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        load_repo(copy)


def new_service(root: Path, spec: NewService) -> Scaffold:
    """Create ``services/<name>/`` with its spec files. Writes nothing unless the result validates."""
    folder = root / "services" / spec.name
    files = render_files(root, spec)
    if folder.exists():
        raise ScaffoldError(f"services/{spec.name} already exists; refusing to overwrite it")
    try:
        check(root, files)
    except SpecError as exc:
        if any(p.file in files for p in exc.problems):
            raise NewFilesError(exc.problems, files) from None
        # The repository was already broken: say so, rather than blame the new files.
        raise SpecError(
            [*exc.problems, Problem(next(iter(files)), 1, 1, "", "not written: fix the problems above first")]
        ) from None
    written = []
    try:
        for rel, text in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("x", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            written.append(rel)
    except BaseException:
        for rel in written:
            (root / rel).unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    envs = tuple(Path(rel).stem for rel in files if "/environments/" in rel)
    return Scaffold(service=spec.name, files=tuple(files), environments=envs, notes=tuple(domain_notes(root, spec)))


def domain_notes(root: Path, spec: NewService) -> list[str]:
    """Where ``--external-domain`` lies outside an account's public zone, the environment file gets
    the same host label in that zone (a host name must be in the zone its records go to); say so."""
    notes = []
    accounts = _accounts(root)
    for env in spec.environments or tuple(sorted(accounts)):
        facts = accounts.get(env)
        derived = _domain_in(spec.external_domain, facts.public_zone if facts else None)
        if derived is not None and facts is not None:
            notes.append(
                f"{env}: external domain {derived} ({spec.external_domain} is outside {env}'s public zone "
                f"{facts.public_zone}); change it in services/{spec.name}/environments/{env}.yaml"
            )
    return notes
