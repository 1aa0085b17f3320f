"""Issue 19, part 3: ``kind: job``. A job runs one task per schedule (EventBridge Scheduler to ECS
RunTask): no ECS service, port, ingress, health check, task count or autoscaling; its schedule is
checked before Terraform sees it; it cannot be called; its alarms are its runs'.

The base repository is tests/golden/job/input: ``reconcile`` (a nightly job reading the table
``api-orders``) and ``api`` (the service owning the table)."""

from __future__ import annotations

import shutil
from pathlib import Path

import hcl2
import pytest
from spec_files import edit, line_of, problems

from generator import generate
from generator.errors import Problem, SpecError
from generator.plan import taskdef
from generator.spec.load import load_repo
from generator.tools.explain import explain
from generator.tools.scaffold import NewService, new_service

BASE = Path(__file__).parent / "golden" / "job" / "input"
JOB = "services/reconcile/service.yaml"
API = "services/api/service.yaml"


@pytest.fixture
def repo_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(BASE, tmp_path / "repo"))


def _problems(root: Path) -> dict[str, Problem]:
    return {p.field: p for p in problems(root)}


def test_a_job_is_read_with_its_schedule(repo_dir: Path) -> None:
    job = load_repo(repo_dir).service("reconcile")
    assert (job.kind, job.is_job, job.serves_http) == ("job", True, False)
    assert job.schedule is not None
    assert (job.schedule.expression, job.schedule.timezone, job.schedule.retries, job.schedule.timeout) == (
        "cron(0 3 * * ? *)",
        "Europe/Berlin",
        1,
        3600,
    )
    assert [m["name"] for m in taskdef.port_mappings(job)] == ["metrics"]
    assert job.container_health_check() is None


def test_schedule_defaults(repo_dir: Path) -> None:
    edit(repo_dir, JOB, "    timezone: Europe/Berlin\n    retries: 1\n    timeout: 3600\n", "")
    schedule = load_repo(repo_dir).service("reconcile").schedule
    assert schedule is not None and (schedule.timezone, schedule.retries, schedule.timeout) == ("UTC", 2, None)


def test_a_job_needs_a_schedule_and_a_service_needs_a_task_count(repo_dir: Path) -> None:
    block = "  schedule:\n    expression: cron(0 3 * * ? *)\n    timezone: Europe/Berlin\n    retries: 1\n    timeout: 3600\n"
    edit(repo_dir, JOB, block, "")
    edit(repo_dir, API, "  desiredCount: 1\n", "")
    with pytest.raises(SpecError) as caught:
        load_repo(repo_dir)
    found = {(p.file, p.message) for p in caught.value.problems}
    assert (JOB, "missing required field 'schedule'") in found
    assert (API, "missing required field 'desiredCount'") in found


@pytest.mark.parametrize(
    ("field", "line", "says"),
    [
        ("port", "  port: 9000\n", "it serves no HTTP"),
        ("ingress", "  ingress: {external: true, domain: r.example.com}\n", "it serves no HTTP"),
        ("healthCheck", "  healthCheck: /health\n", "exit code"),
        ("desiredCount", "  desiredCount: 2\n", "one task per run"),
        ("autoscaling", "  autoscaling: {resource: cpu, target: 50, min: 1, max: 2}\n", "one task per run"),
    ],
)
def test_a_job_refuses_what_it_cannot_use(repo_dir: Path, field: str, line: str, says: str) -> None:
    edit(repo_dir, JOB, "  resources: {cpu: 512, memory: 1024}\n", f"  resources: {{cpu: 512, memory: 1024}}\n{line}")
    problem = _problems(repo_dir)[f"spec.{field}"]
    assert (problem.file, problem.line) == (JOB, line_of(repo_dir, JOB, line.strip().split(":")[0] + ":"))
    assert says in problem.message and f"kind: job at line {line_of(repo_dir, JOB, 'kind: job')}" in problem.message


def test_a_service_refuses_a_schedule(repo_dir: Path) -> None:
    edit(repo_dir, API, "  desiredCount: 1\n", "  desiredCount: 1\n  schedule: {expression: rate(1 hour)}\n")
    problem = _problems(repo_dir)["spec.schedule"]
    assert problem.file == API and "schedule is for kind: job" in problem.message


@pytest.mark.parametrize(
    ("expression", "says"),
    [
        ("cron(0 3 * * *)", "has 6 fields (minutes hours day-of-month month day-of-week year), this one has 5"),
        ("cron(0 3 * * * *)", "one of day-of-month (*) and day-of-week (*) must be ?"),
        ("cron(0 3 ? * ? *)", "one of day-of-month (?) and day-of-week (?) must be ?"),
        ("rate(1 hours)", "write rate(1 hour)"),
        ("rate(5 minute)", "write rate(5 minutes)"),
    ],
)
def test_schedule_expressions_aws_refuses_are_errors_at_their_line(repo_dir: Path, expression: str, says: str) -> None:
    edit(repo_dir, JOB, "cron(0 3 * * ? *)", expression)
    problem = _problems(repo_dir)["spec.schedule.expression"]
    assert (problem.file, problem.line) == (JOB, line_of(repo_dir, JOB, "expression:"))
    assert says in problem.message


@pytest.mark.parametrize(
    "expression", ["cron(0 3 ? * MON-FRI *)", "cron(*/15 * * * ? *)", "rate(1 day)", "rate(15 minutes)"]
)
def test_valid_schedule_expressions(repo_dir: Path, expression: str) -> None:
    edit(repo_dir, JOB, "cron(0 3 * * ? *)", expression)
    schedule = load_repo(repo_dir).service("reconcile").schedule
    assert schedule is not None and schedule.expression == expression


def test_an_unknown_time_zone_is_an_error(repo_dir: Path) -> None:
    edit(repo_dir, JOB, "Europe/Berlin", "Europe/Atlantis")
    problem = _problems(repo_dir)["spec.schedule.timezone"]
    assert "unknown time zone 'Europe/Atlantis'" in problem.message and problem.line == line_of(
        repo_dir, JOB, "timezone:"
    )


def test_a_timeout_needs_container_insights(repo_dir: Path) -> None:
    edit(repo_dir, "accounts/dev/account.yaml", "containerInsights: true", "containerInsights: false")
    problem = _problems(repo_dir)["spec.schedule.timeout"]
    assert "Container Insights" in problem.message and "'dev'" in problem.message


def test_no_service_may_call_a_job(repo_dir: Path) -> None:
    edit(repo_dir, API, "  desiredCount: 1\n", "  desiredCount: 1\n  dependencies:\n    services: [reconcile]\n")
    problem = _problems(repo_dir)["spec.dependencies.services[0]"]
    assert problem.file == API
    assert f"'reconcile' is a job (kind: job, {JOB}:{line_of(repo_dir, JOB, 'kind: job')})" in problem.message


def test_a_job_calls_no_service(repo_dir: Path) -> None:
    """A scheduled run is a standalone task: Service Connect aliases do not resolve in it (AWS:
    "Service Connect only interconnects Amazon ECS services"), so the dependency is refused at its
    line instead of becoming an API_URL that fails every night on a real account."""
    edit(repo_dir, JOB, "    datastores: [api-orders]\n", "    datastores: [api-orders]\n    services: [api]\n")
    with pytest.raises(SpecError) as raised:
        generate(repo_dir)
    (problem,) = [p for p in raised.value.problems if p.field == "spec.dependencies.services[0]"]
    assert (problem.file, problem.line) == (JOB, line_of(repo_dir, JOB, "services: [api]"))
    assert "a job (kind: job at line" in problem.message and "cannot call service 'api'" in problem.message
    assert "standalone task" in problem.message and "service-connect.html" in problem.message
    assert not (repo_dir / "accounts" / "dev" / "services").exists(), "an invalid spec wrote roots"


def test_an_environment_file_cannot_give_a_job_tasks(repo_dir: Path) -> None:
    env_file = repo_dir / "services" / "reconcile" / "environments" / "dev.yaml"
    env_file.parent.mkdir(parents=True)
    env_file.write_text("overrides:\n  desiredCount: 3\n", encoding="utf-8")
    problem = _problems(repo_dir)["overrides.desiredCount"]
    assert problem.file == "services/reconcile/environments/dev.yaml" and problem.line == 2
    assert "a job" in problem.message


def _service_call(root: Path) -> dict[str, object]:
    with (root / "accounts/dev/services/reconcile/main.tf").open(encoding="utf-8") as handle:
        parsed = hcl2.load(handle)
    return dict(next(m['"service"'] for m in parsed["module"] if '"service"' in m))


def test_the_root_passes_the_schedule_and_no_service_inputs(repo_dir: Path) -> None:
    shutil.copytree(Path(__file__).parent.parent / "modules", repo_dir / "modules")
    generate(repo_dir)
    call = _service_call(repo_dir)
    assert call["kind"] == '"job"'
    schedule = call["schedule"]
    assert isinstance(schedule, dict) and schedule["timeout_seconds"] == 3600 and schedule["retries"] == 1
    for absent in ("desired_count", "autoscaling", "port", "health_check_path", "internal_hostname"):
        assert absent not in call, absent


def test_changing_the_schedule_changes_one_line(repo_dir: Path) -> None:
    shutil.copytree(Path(__file__).parent.parent / "modules", repo_dir / "modules")
    generate(repo_dir)
    main_tf = repo_dir / "accounts/dev/services/reconcile/main.tf"
    before = main_tf.read_text(encoding="utf-8").splitlines()
    edit(repo_dir, JOB, "cron(0 3 * * ? *)", "cron(30 2 * * ? *)")
    generate(repo_dir)
    after = main_tf.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert [b.strip() for _, b in changed if "sha256" not in b] == ['expression      = "cron(30 2 * * ? *)"']


def test_explain_shows_the_schedule_and_only_the_run_alarms(repo_dir: Path) -> None:
    shutil.copytree(Path(__file__).parent.parent / "modules", repo_dir / "modules")
    text = explain(repo_dir, "reconcile")
    assert "| schedule | `cron(0 3 * * ? *)` (Europe/Berlin), 1 retry of a failed RunTask; pages after 3600 s |" in text
    for key in ("failed_invocations", "never_started", "failed_runs", "overrun"):
        assert f"`reconcile` {key}" in text
    for key in ("cpu", "memory", "http_5xx_rate", "missing_tasks"):
        assert f"`reconcile` {key} " not in text


def test_new_service_kind_job_writes_a_valid_job(repo_dir: Path) -> None:
    new_service(repo_dir, NewService(name="nightly", owner="platform", kind="job"))
    job = load_repo(repo_dir).service("nightly")
    assert job.is_job and job.schedule is not None and job.schedule.expression == "cron(0 3 * * ? *)"
    text = (repo_dir / "services/nightly/service.yaml").read_text(encoding="utf-8")
    assert "desiredCount" not in text
    # the scaffold suggests nothing a job may not have: no services to call (test_a_job_calls_no_service)
    assert "services: [" not in text and "#   datastores: [other-service-db]" in text
