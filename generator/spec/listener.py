"""The conditions of a service's rule on the external listener: the host (spec.ingress.domain,
per environment) and optionally path patterns and HTTP headers (spec.ingress.paths, .headers).

The schema states the per-value rules; this module the per-rule ones it cannot
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html,
"Condition basics", and the "Condition values per rule" / "Condition wildcards per rule" quotas of
https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html):
at most 5 match evaluations per rule (the host is one), at most 5 wildcards per rule, no header
condition on Host (a host condition does that), and header names compare case-insensitively.
"""

from __future__ import annotations

from generator.errors import Problem
from generator.spec.document import Document
from generator.spec.models import Service

RULE_CONDITIONS = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html"
MAX_MATCH_EVALUATIONS = 5
MAX_WILDCARDS = 5


def _wildcards(text: str) -> int:
    return text.count("*") + text.count("?")


def listener_problems(doc: Document, service: Service) -> list[Problem]:
    ingress = service.ingress
    if ingress is None or not (ingress.paths or ingress.headers):
        return []
    if not ingress.external:
        key = "paths" if ingress.paths else "headers"
        return [
            doc.problem(
                ("spec", "ingress", key),
                "only used with ingress.external: true (conditions of the external listener rule)",
                key=True,
            )
        ]
    problems = []
    seen: dict[str, str] = {}
    for name, _ in ingress.headers:
        where = ("spec", "ingress", "headers", name)
        if name.lower() == "host":
            problems.append(
                doc.problem(
                    where, f"a rule cannot match Host as a header ({RULE_CONDITIONS}): set ingress.domain", key=True
                )
            )
        elif name.lower() in seen:
            problems.append(
                doc.problem(where, f"the same header as {seen[name.lower()]!r} (names are case-insensitive)", key=True)
            )
        seen.setdefault(name.lower(), name)
    values = [*ingress.paths, *(value for _, vs in ingress.headers for value in vs)]
    count = 1 + len(values)  # the host header is one
    if count > MAX_MATCH_EVALUATIONS:
        problems.append(
            doc.problem(
                ("spec", "ingress"),
                f"the listener rule would have {count} match evaluations (the host, {len(ingress.paths)} paths, "
                f"{count - 1 - len(ingress.paths)} header values); an ALB rule allows at most "
                f"{MAX_MATCH_EVALUATIONS} ({RULE_CONDITIONS})",
            )
        )
    wildcards = sum(_wildcards(value) for value in values)
    if wildcards > MAX_WILDCARDS:
        problems.append(
            doc.problem(
                ("spec", "ingress"),
                f"the listener rule would have {wildcards} wildcards (* and ?) in its paths and header values; an ALB "
                f"rule allows at most {MAX_WILDCARDS} ({RULE_CONDITIONS})",
            )
        )
    return problems
