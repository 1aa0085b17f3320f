"""The registry of datastore kinds (generator/datastores): a kind defined only here flows through
every stage, and the built-in kinds keep exactly their former IAM statements."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import ORG, REPO

from generator import SpecError, generate, validate
from generator.datastores import REGISTRY, Access, Grant, Kind, Option, registered
from generator.datastores.base import arn, options_of
from generator.hcl import Value
from generator.plan.roots import dependency_grants
from generator.spec import schema
from generator.spec.load import load_repo
from generator.spec.models import Account, Datastore, Options
from generator.tools.explain import explain
from generator.tools.scaffold import NewService, new_service

GOLDEN = Path(__file__).parent / "golden"


@dataclass(frozen=True)
class Stream(Options):
    fifo: bool
    retention_days: int


class StreamKind(Kind):
    """A Kinesis stream: a kind defined only in this test."""

    types = ("stream",)
    schema_def = "stream"
    module = "platform/stream"
    options_class = Stream
    options = (
        Option("fifo", "fifo", {"type": "boolean"}, "FIFO stream", False),
        Option("retentionDays", "retention_days", {"type": "integer", "minimum": 1, "maximum": 365}, "Archive days", 7),
    )
    outputs = ("arn",)
    has_alarms = False
    convention = (("STREAM_ARN", "arn"),)
    aliases: ClassVar[Mapping[str, str]] = {"kinesis": "stream"}

    def module_args(self, datastore: Datastore, account: Account, users: list[str]) -> list[tuple[str, Value]]:
        opts = options_of(datastore, Stream)
        return [("fifo", opts.fifo), ("retention_days", opts.retention_days)]

    def conventional(self, attr: str, datastore: Datastore, account: Account) -> str | None:
        return arn("kinesis", account, "stream/" + datastore.name) if attr == "arn" else None

    def grants(self, access: Access) -> list[Grant]:
        return [Grant("Streams", ("kinesis:PutRecord",), (access.output("arn"),), "put records on Kinesis streams")]


STREAM_MODULE = {
    "main.tf": 'resource "aws_kinesis_stream" "this" {\n  name        = var.name\n'
    "  shard_count = 1\n  tags        = var.tags\n}\n",
    "variables.tf": "".join(
        f'variable "{name}" {{\n  description = "{name}"\n  type        = {kind}\n{default}}}\n\n'
        for name, kind, default in [
            ("name", "string", ""),
            ("service", "string", ""),
            ("owner", "string", ""),
            ("environment", "string", ""),
            ("production", "bool", ""),
            ("vpc_id", "string", ""),
            ("subnet_ids", "list(string)", ""),
            ("fifo", "bool", ""),
            ("retention_days", "number", ""),
            ("tags", "map(string)", "  default     = {}\n"),
        ]
    ),
    "outputs.tf": 'output "arn" {\n  description = "ARN"\n  value       = aws_kinesis_stream.this.arn\n}\n\n'
    'output "client_security_group_id" {\n  description = "none"\n  value       = null\n}\n',
    "versions.tf": 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = ">= 5.0" }\n  }\n}\n',
}


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(GOLDEN / "minimal" / "input", root)
    # the repository's modules (gen refuses a call of a module folder that is missing) and the kind's own
    shutil.copytree(REPO / "modules", root / "modules", ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    for name, text in STREAM_MODULE.items():
        path = root / "modules" / "platform" / "stream" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _text(root: Path, rel: str) -> str:
    return (root / rel).read_text(encoding="utf-8")


def test_a_kind_defined_only_in_the_test_flows_through_every_stage(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    with registered(StreamKind()):
        # the schema (and so the editor's file, `infragen schema service`) knows the kind
        assert "stream" in schema.schema("service")["$defs"]["resource"]["properties"]["type"]["enum"]
        assert schema.schema("environment")["$defs"]["stream"]["properties"]["retentionDays"]["description"] == (
            "Archive days (default 7)."
        )
        # new service --datastore, with the kind's alias suggested for what people type
        new_service(root, NewService(name="notify", owner="platform", datastores=("stream:events",)))
        spec = _text(root, "services/notify/service.yaml")
        assert "notify-events:\n    type: stream" in spec
        # load: typed options with the kind's defaults; an environment override is checked by its fragment
        (root / "services/notify/environments/dev.yaml").write_text(
            "overrides:\n  datastores:\n    notify-events: {retentionDays: 30}\n", encoding="utf-8"
        )
        repo = load_repo(root)
        (datastore,) = repo.service("notify").datastores
        assert datastore.options == Stream(fifo=False, retention_days=7)
        # plain Terraform
        generate(root)
        main = _text(root, "accounts/dev/services/notify/main.tf")
        assert 'module "notify_events" {\n  source         = "../../../../modules/platform/stream"' in main
        assert "retention_days = 30" in main
        assert 'sid       = "Streams"' in main and "resources = [module.notify_events.arn]" in main
        assert "notify_events_arn" in _text(root, "accounts/dev/services/notify/outputs.tf")
        assert 'name = "NOTIFY_EVENTS_STREAM_ARN"' in main  # in the task definition document
        assert "modules/platform/stream/*.tf" in _text(root, "atlantis.yaml")
        # explain: the datastore's arguments and the grant, no reprs
        text = explain(root, "notify")
        assert "`notify-events` (stream)" in text and "retention days 30" in text
        assert "| task role: put records on Kinesis streams |" in text
        assert "ObjectList(" not in text and "Raw(" not in text
        # a bad option is a schema error at its line
        (root / "services/notify/environments/dev.yaml").write_text(
            "overrides:\n  datastores:\n    notify-events: {retentionDays: 0}\n", encoding="utf-8"
        )
        with pytest.raises(SpecError, match="retentionDays"):
            validate(root)
        (root / "services/notify/environments/dev.yaml").unlink()
        # Terragrunt: one unit per call; the service unit mocks the stream's ARN by convention
        (root / "infragen.yaml").write_text("flavor: terragrunt\n", encoding="utf-8")
        generate(root)
        unit = _text(root, "accounts/dev/services/notify/notify-events/terragrunt.hcl")
        assert "modules//platform/stream" in unit and "retention_days = 7" in unit
        service_unit = _text(root, "accounts/dev/services/notify/terragrunt.hcl")
        assert "dependency.notify_events.outputs.arn" in service_unit
        assert 'arn = "arn:aws:kinesis:us-east-1:333333333333:stream/notify-events"' in service_unit
    # unregistered again: the schema is back to the committed file
    assert "stream" not in schema.schema("service")["$defs"]


def test_unknown_kinds_are_schema_errors_not_a_fallback(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    spec = root / "services" / "hello" / "service.yaml"
    spec.write_text(spec.read_text() + "resources:\n  hello-events: {type: stream}\n", encoding="utf-8")
    with pytest.raises(SpecError, match="stream"):
        validate(root)


def test_the_committed_schemas_are_generated_from_the_kinds() -> None:
    """`make schemas` (infragen schema --write) refreshes them after a kind changes."""
    for name in ("service", "environment"):
        assert schema.committed_text(name) == schema.schema_text(name), f"run make schemas ({name})"
    assert schema.refresh(write=False) == []


def test_every_default_is_stated_once_in_the_schema_descriptions() -> None:
    for kind in REGISTRY.kinds:
        fragment = schema.schema("service")["$defs"][kind.schema_def]
        for option in kind.options:
            assert fragment["properties"][option.key]["description"] == option.description()
            assert option.required == (option.key in fragment["required"])


# The task-role statements the aws/ecs-service module built from queue_arns, table_arns,
# bucket_arns, database_resource_ids and cache_connect_arns before the kinds owned their grants.
FORMER = {
    # plus, since read replicas (issue 20), the one replica of a production database
    "DatabaseIamAuth": (
        ["rds-db:connect"],
        [
            "arn:aws:rds-db:eu-central-1:444444444444:dbuser:{orders_db_replica_1}/billing",
            "arn:aws:rds-db:eu-central-1:444444444444:dbuser:{orders_db}/billing",
        ],
    ),
    "CacheIamAuth": (
        ["elasticache:Connect"],
        [
            "arn:aws:elasticache:eu-central-1:444444444444:replicationgroup:billing-cache",
            "arn:aws:elasticache:eu-central-1:444444444444:user:billing-cache-billing",
        ],
    ),
    "Queues": (
        [
            "sqs:ChangeMessageVisibility",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
            "sqs:ReceiveMessage",
            "sqs:SendMessage",
        ],
        ["arn:aws:sqs:eu-central-1:444444444444:orders-events.fifo"],
    ),
    "Tables": (
        [
            "dynamodb:BatchGetItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:DeleteItem",
            "dynamodb:DescribeTable",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:UpdateItem",
        ],
        [
            "arn:aws:dynamodb:eu-central-1:444444444444:table/orders-idempotency",
            "arn:aws:dynamodb:eu-central-1:444444444444:table/orders-idempotency/index/*",
        ],
    ),
    "BucketList": (["s3:ListBucket"], ["arn:aws:s3:::orders-archive-444444444444"]),
    "BucketObjects": (
        ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
        ["arn:aws:s3:::orders-archive-444444444444/*"],
    ),
}


def _resolved(value: Value) -> str:
    """A resource as Terraform evaluates it, the database's resource id as a placeholder."""
    text = json.loads(value.expr) if hasattr(value, "expr") else value  # type: ignore[union-attr]
    assert isinstance(text, str)
    for label in ("orders_db", "orders_db_replica_1"):
        text = text.replace(f"${{data.aws_db_instance.{label}.resource_id}}", f"{{{label}}}")
    return text


def test_built_in_grants_are_exactly_the_former_least_privilege_policy() -> None:
    repo = load_repo(GOLDEN / "datastores-consul" / "input")
    account = repo.account("qa")
    grants = dependency_grants(repo, repo.service("billing"), account)
    got = {g.sid: (list(g.actions), sorted(_resolved(r) for r in g.resources)) for g in grants}
    assert got == {sid: (actions, sorted(resources)) for sid, (actions, resources) in FORMER.items()}


def test_the_example_repository_still_validates() -> None:
    validate(ORG)


def test_mypy_flags_a_missing_branch_where_dispatch_remains(tmp_path: Path) -> None:
    """The database kind matches its engines with assert_never: drop a case and mypy --strict fails."""
    import subprocess
    import sys

    source = (REPO / "generator" / "datastores" / "database.py").read_text(encoding="utf-8")
    broken = source.replace('        case "mysql":\n            return "8.0"\n', "", 1)
    assert broken != source
    (tmp_path / "database_broken.py").write_text(broken, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "database_broken.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1 and "assert_never" in run.stdout, run.stdout


def test_performance_insights_classes_match_the_rds_module() -> None:
    """Issue 18 finding 4: the spec rule and modules/aws/rds name the same classes (AWS's
    USER_DatabaseInsights.Engines page), so neither accepts what the other refuses."""
    import hcl2

    from generator.datastores.database import PERFORMANCE_INSIGHTS_UNSUPPORTED

    with (REPO / "modules/aws/rds/main.tf").open(encoding="utf-8") as handle:
        parsed = hcl2.load(handle)
    table = next(
        b["performance_insights_unsupported"] for b in parsed["locals"] if "performance_insights_unsupported" in b
    )
    module = {engine: tuple(c.strip('"') for c in classes) for engine, classes in table.items()}
    assert module == {engine: tuple(classes) for engine, classes in PERFORMANCE_INSIGHTS_UNSUPPORTED.items()}


def test_database_module_args_leave_unset_options_to_the_module(example: Path) -> None:
    """Unset maxStorageGb/performanceInsights/applyImmediately are not passed (the module's
    defaults apply); set ones are."""
    kind = REGISTRY.get("mysql")
    account = load_repo(example).accounts[0]
    plain = Datastore("core-db", "mysql", kind.read("mysql", {"type": "mysql"}))
    args = dict(kind.module_args(plain, account, []))
    assert not {"max_storage_gb", "performance_insights", "apply_immediately"} & set(args)
    data = {"type": "mysql", "maxStorageGb": 0, "performanceInsights": False, "applyImmediately": True}
    set_ = dict(kind.module_args(Datastore("core-db", "mysql", kind.read("mysql", data)), account, []))
    assert (set_["max_storage_gb"], set_["performance_insights"], set_["apply_immediately"]) == (0, False, True)
