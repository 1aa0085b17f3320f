"""Issue 19, part 1: ``kind: worker``. A worker serves no HTTP: no port mapping named http, no target
group, no listener rule, no Service Connect alias; its health is a container health check command;
it may scale on the backlog per task of a queue it declares. Existing specs default to
``kind: service`` and generate byte-identical output (tests/test_golden.py's unchanged cases).

The base repository is tests/golden/worker/input: ``mailer`` (a worker owning and consuming the
queue ``mailer-jobs``, scaling on its backlog) and ``api`` (a service that queues work for it)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import hcl2
import pytest
from spec_files import edit, line_of
from spec_files import problems as load_problems

from generator import generate
from generator.plan import taskdef
from generator.spec.load import load_repo
from generator.spec.models import WORKER_HEALTH_CHECK

BASE = Path(__file__).parent / "golden" / "worker" / "input"
MAILER = "services/mailer/service.yaml"
API = "services/api/service.yaml"


@pytest.fixture
def repo_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(BASE, tmp_path / "repo"))


def _service_block(main_tf: Path) -> dict[str, object]:
    """The arguments of ``module "service"`` (python-hcl2 keeps the quotes of labels and strings)."""
    with main_tf.open(encoding="utf-8") as handle:
        parsed = hcl2.load(handle)
    block = next(m['"service"'] for m in parsed["module"] if '"service"' in m)

    def plain(value: object) -> object:
        if isinstance(value, str):
            return value.strip('"')
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return {k: plain(v) for k, v in block.items()}


def test_kind_defaults_to_service(repo_dir: Path) -> None:
    repo = load_repo(repo_dir)
    assert repo.service("api").kind == "service" and not repo.service("api").is_worker
    assert repo.service("mailer").kind == "worker"
    assert repo.service("api").container_health_check() is None


def test_worker_root_has_no_http_parts(repo_dir: Path) -> None:
    generate(repo_dir)
    root = repo_dir / "accounts" / "dev" / "services" / "mailer"
    main = (root / "main.tf").read_text(encoding="utf-8")
    service = _service_block(root / "main.tf")
    assert service["kind"] == "worker"
    for http_only in ("port", "health_check_path", "internal_hostname", "previous_port"):
        assert http_only not in service, http_only
    assert service["external"] is None
    # no target group, listener rule or Service Connect alias: nothing in the root asks for one
    for word in ("aws_lb_target_group", "aws_lb_listener_rule", "internal_hostname", "client_alias", '"http"'):
        assert word not in main, word
    assert "internal_hostname" not in (root / "outputs.tf").read_text(encoding="utf-8")
    # the HTTP service beside it keeps its alias
    api = (repo_dir / "accounts" / "dev" / "services" / "api" / "main.tf").read_text(encoding="utf-8")
    assert 'internal_hostname             = "api-internal.dev.acme.internal"' in api


def test_worker_autoscales_on_the_backlog_of_its_queue(repo_dir: Path) -> None:
    generate(repo_dir)
    service = _service_block(repo_dir / "accounts/dev/services/mailer/main.tf")
    assert service["autoscaling"] == {
        "resource": "queue",
        "target": 100,
        "min": 1,
        "max": 10,
        "queue_name": "mailer-jobs",
    }


def test_health_check_in_the_task_definition(repo_dir: Path) -> None:
    repo = load_repo(repo_dir)
    account = repo.account("dev")
    definition = taskdef.task_definition(repo, repo.service("mailer"), account, "v1")
    container = definition["containerDefinitions"][0]
    assert container["healthCheck"]["command"] == list(WORKER_HEALTH_CHECK)
    assert container["healthCheck"]["startPeriod"] == 60
    assert [p["name"] for p in container["portMappings"]] == ["metrics"]
    http = taskdef.task_definition(repo, repo.service("api"), account, "v1")["containerDefinitions"][0]
    assert "healthCheck" not in http
    assert [p["name"] for p in http["portMappings"]] == ["http", "metrics"]


def test_health_check_command_from_the_spec(repo_dir: Path) -> None:
    edit(
        repo_dir,
        MAILER,
        "  desiredCount: 1\n",
        "  desiredCount: 1\n  healthCheck: {command: [CMD, /bin/mailer, --check]}\n",
    )
    repo = load_repo(repo_dir)
    container = taskdef.container_definitions(repo, repo.service("mailer"), repo.account("dev"), "image")[0]
    assert container["healthCheck"]["command"] == ["CMD", "/bin/mailer", "--check"]
    generate(repo_dir)
    main = (repo_dir / "accounts/dev/services/mailer/main.tf").read_text(encoding="utf-8")
    assert 'health_check_command = ["CMD", "/bin/mailer", "--check"]' in main


def test_ingress_on_a_worker_is_refused(repo_dir: Path) -> None:
    edit(repo_dir, MAILER, "  desiredCount: 1\n", "  desiredCount: 1\n  ingress: {external: false}\n")
    problems = [p for p in load_problems(repo_dir) if p.field == "spec.ingress"]
    assert len(problems) == 1, problems
    problem = problems[0]
    assert problem.file == MAILER and problem.line == line_of(repo_dir, MAILER, "ingress:")
    assert "a worker serves no HTTP" in problem.message
    assert f"kind: worker at line {line_of(repo_dir, MAILER, 'kind: worker')}" in problem.message
    assert str(problem).startswith(f"{MAILER}:{problem.line}:")


def test_port_and_health_path_on_a_worker_are_refused(repo_dir: Path) -> None:
    edit(repo_dir, MAILER, "  desiredCount: 1\n", "  desiredCount: 1\n  port: 8081\n  healthCheck: /health\n")
    problems = {p.field: p for p in load_problems(repo_dir)}
    assert problems["spec.port"].line == line_of(repo_dir, MAILER, "port: 8081")
    assert "a worker serves no HTTP" in problems["spec.port"].message
    assert "healthCheck: {command:" in problems["spec.healthCheck"].message


def test_health_check_command_on_a_service_is_refused(repo_dir: Path) -> None:
    edit(repo_dir, API, "  desiredCount: 1\n", "  desiredCount: 1\n  healthCheck: {command: [CMD-SHELL, 'true']}\n")
    (problem,) = load_problems(repo_dir)
    assert (problem.file, problem.field) == (API, "spec.healthCheck")
    assert "for kind: worker" in problem.message


def test_worker_as_a_dependency_is_refused(repo_dir: Path) -> None:
    edit(repo_dir, API, "    datastores: [mailer-jobs]\n", "    datastores: [mailer-jobs]\n    services: [mailer]\n")
    (problem,) = load_problems(repo_dir)
    assert problem.file == API
    assert problem.field == "spec.dependencies.services[0]"
    assert problem.line == line_of(repo_dir, API, "services: [mailer]")
    kind_line = line_of(repo_dir, MAILER, "kind: worker")
    assert f"service 'mailer' is a worker (kind: worker, {MAILER}:{kind_line})" in problem.message
    assert "cannot be called" in problem.message


def test_autoscaling_queue_must_be_a_declared_queue(repo_dir: Path) -> None:
    edit(repo_dir, MAILER, "queue: mailer-jobs,", "queue: mailer-other,")
    (problem,) = load_problems(repo_dir)
    assert (problem.file, problem.field) == (MAILER, "spec.autoscaling.queue")
    assert problem.line == line_of(repo_dir, MAILER, "autoscaling:")
    assert "'mailer-other' is not a queue this worker declares" in problem.message
    assert "declared queues: mailer-jobs" in problem.message


def test_autoscaling_queue_owned_but_not_declared_is_refused(repo_dir: Path) -> None:
    edit(repo_dir, MAILER, "    datastores: [mailer-jobs]\n", "    datastores: []\n")
    messages = [str(p) for p in load_problems(repo_dir)]
    assert any("spec.autoscaling.queue: 'mailer-jobs' is not a queue this worker declares" in m for m in messages)


def test_queue_scaling_is_for_workers_only(repo_dir: Path) -> None:
    edit(
        repo_dir,
        API,
        "  desiredCount: 1\n",
        "  desiredCount: 1\n  autoscaling: {resource: queue, queue: mailer-jobs, target: 5, min: 1, max: 2}\n",
    )
    (problem,) = load_problems(repo_dir)
    assert (problem.file, problem.field) == (API, "spec.autoscaling.resource")
    assert "for kind: worker" in problem.message


def test_queue_scaling_needs_container_insights(repo_dir: Path) -> None:
    edit(repo_dir, "accounts/dev/account.yaml", "containerInsights: true, ", "")
    (problem,) = load_problems(repo_dir)
    assert (problem.file, problem.field) == (MAILER, "spec.autoscaling.resource")
    assert "Container Insights" in problem.message


def test_cpu_target_stays_a_percentage(repo_dir: Path) -> None:
    edit(repo_dir, MAILER, "{resource: queue, queue: mailer-jobs, target: 100,", "{resource: cpu, target: 150,")
    problems = {p.field: p for p in load_problems(repo_dir)}
    assert "must be at most 100" in problems["spec.autoscaling.target"].message


def test_unknown_kind_is_a_schema_error(repo_dir: Path) -> None:
    edit(repo_dir, MAILER, "kind: worker", "kind: cron")
    (problem,) = [p for p in load_problems(repo_dir) if p.field == "kind"]
    assert "'cron' is not one of service, worker, job" in problem.message


def test_committed_schema_names_the_kinds() -> None:
    schema = json.loads((Path(__file__).parent.parent / "schemas" / "service.schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["kind"]["enum"] == ["service", "worker", "job"]
    assert schema["properties"]["kind"]["default"] == "service"


def test_new_service_kind_worker_writes_a_valid_worker(tmp_path: Path) -> None:
    from generator.tools.scaffold import NewService, new_service

    root = Path(shutil.copytree(Path(__file__).parent / "golden" / "minimal" / "input", tmp_path / "repo"))
    done = new_service(root, NewService(name="mailer", owner="platform", kind="worker", datastores=("queue:jobs",)))
    assert "services/mailer/service.yaml" in done.files
    text = (root / "services/mailer/service.yaml").read_text(encoding="utf-8")
    assert "\nkind: worker\n" in text and "ingress" not in text.split("spec:", 1)[1].replace("no ingress", "")
    service = load_repo(root).service("mailer")
    assert service.is_worker and service.depends_on_datastores == ("mailer-jobs",)
    assert service.container_health_check() == WORKER_HEALTH_CHECK


def test_new_worker_with_external_domain_is_refused(tmp_path: Path) -> None:
    from generator.errors import UsageError
    from generator.tools.scaffold import NewService, new_service

    root = Path(shutil.copytree(Path(__file__).parent / "golden" / "minimal" / "input", tmp_path / "repo"))
    with pytest.raises(UsageError, match="a worker serves no HTTP"):
        new_service(root, NewService(name="mailer", owner="platform", kind="worker", external_domain="m.example.com"))
    assert not (root / "services" / "mailer").exists()


def test_explain_says_it_is_a_worker(repo_dir: Path) -> None:
    from generator.tools.explain import explain

    text = explain(repo_dir, "mailer")
    assert (
        "| kind | worker: serves no HTTP; health check `CMD-SHELL find /tmp/healthy -mmin -1 \\| grep -q .` |" in text
    )
    assert "| ingress | none: a worker serves no HTTP" in text
    assert "| autoscaling | backlog of `mailer-jobs` at 100 messages per task, 1 to 10 tasks |" in text
    assert "| kind |" not in explain(repo_dir, "api")


def test_status_names_a_changed_health_check(repo_dir: Path) -> None:
    from generator.deploy.inspect import spec_diff

    repo = load_repo(repo_dir)
    want = taskdef.task_definition(repo, repo.service("mailer"), repo.account("dev"), "v1")
    have = json.loads(json.dumps(want))
    assert spec_diff(want, have) == []
    have["containerDefinitions"][0]["healthCheck"]["command"] = ["CMD-SHELL", "true"]
    assert spec_diff(want, have) == ["health check command changed"]


def test_a_credential_in_the_health_check_command_is_refused(repo_dir: Path) -> None:
    token = "ghp_" + "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx"
    edit(
        repo_dir,
        MAILER,
        "  desiredCount: 1\n",
        f"  desiredCount: 1\n  healthCheck: {{command: [CMD, /bin/mailer, '--token={token}']}}\n",
    )
    found = {p.field: p for p in load_problems(repo_dir)}
    assert found["spec.healthCheck.command[2]"].message.startswith("the text looks like a GitHub token")
    assert all(token not in p.message for p in found.values())
