"""The load balancer health check of a service: its defaults and the target group rules the schema
cannot state (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html):
the timeout must be less than the interval, and matcher codes lie in 200-499 for HTTP. The schema
states the ranges (interval 5-300, timeout 2-120, thresholds 2-10) and the matcher's form.
"""

from __future__ import annotations

from generator.errors import Problem
from generator.spec.document import Document, FieldPath
from generator.spec.models import Service, TargetHealth

CREATE_TARGET_GROUP = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html"
# modules/aws/ecs-service's defaults (its variable "health_check"; tests/test_health_check.py
# compares them), needed here to judge a timeout or an interval set alone.
DEFAULTS = TargetHealth(
    interval_seconds=15, timeout_seconds=5, healthy_threshold=2, unhealthy_threshold=3, matcher="200-299"
)
MIN_CODE, MAX_CODE = 200, 499


def matcher_problem(matcher: str) -> str | None:
    """Why a schema-checked matcher ("200", "200,202", "200-299") is refused, or None."""
    codes = [int(code) for code in matcher.replace("-", ",").split(",")]
    outside = [code for code in codes if not MIN_CODE <= code <= MAX_CODE]
    if outside:
        return (
            f"{', '.join(map(str, outside))} outside {MIN_CODE}-{MAX_CODE}, the HTTP codes a target group accepts "
            f"({CREATE_TARGET_GROUP}, Matcher)"
        )
    if "-" in matcher and codes[0] >= codes[1]:
        return f"the range {matcher} must rise ({codes[0]} is not below {codes[1]})"
    return None


def health_problems(doc: Document, service: Service, env: str | None) -> list[Problem]:
    """The spec's settings (``env`` None) or an environment's, judged after merging; a problem is
    reported only in the file that sets one of the values it involves."""
    if env is None:
        mine, effective, where = service.target_health, service.target_health, ("spec", "healthCheck")
    else:
        env_file = service.env_file(env)
        assert env_file is not None
        mine, effective = env_file.target_health, service.effective_target_health(env)
        where = ("overrides", "healthCheck")
    if mine == TargetHealth():
        return []
    if not service.serves_http:  # in the spec, spec/workload.py refuses a worker's or job's settings
        if env is None:
            return []
        return [
            doc.problem(where, f"only kind: service has a load balancer health check, not {service.kind}", key=True)
        ]
    if not (service.ingress and service.ingress.external):
        return [
            doc.problem(
                where,
                "only used with spec.ingress.external: true (the health check of the external load balancer's "
                "target group; other services reach this one through Service Connect)",
                key=True,
            )
        ]
    problems = []
    if mine.matcher is not None:
        reason = matcher_problem(mine.matcher)
        if reason:
            problems.append(doc.problem((*where, "matcher"), reason))
    resolved = DEFAULTS.merged(effective)
    assert resolved.interval_seconds is not None and resolved.timeout_seconds is not None
    if (mine.interval_seconds is not None or mine.timeout_seconds is not None) and (
        resolved.timeout_seconds >= resolved.interval_seconds
    ):
        field: FieldPath = (*where, "timeoutSeconds" if mine.timeout_seconds is not None else "intervalSeconds")
        suffix = f" in {env}" if env is not None else ""
        problems.append(
            doc.problem(
                field,
                f"timeoutSeconds {resolved.timeout_seconds} must be less than intervalSeconds "
                f"{resolved.interval_seconds}{suffix} ({CREATE_TARGET_GROUP}, HealthCheckTimeoutSeconds)",
            )
        )
    return problems
