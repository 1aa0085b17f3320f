"""AWS's 5 security groups per network interface is a validation error at the spec's line (the
service's own group plus one -clients group per declared service and network datastore), not only
a precondition at apply (aws/ecs-service) and a plan-check rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import SpecError, validate
from generator.spec.rules import SG_PER_ENI

MINIMAL = Path(__file__).parent / "golden" / "minimal" / "input"


def _repo(tmp_path: Path, services: int, queues: int) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(MINIMAL, root)
    for i in range(services):
        spec = root / "services" / f"callee{i}" / "service.yaml"
        spec.parent.mkdir(parents=True)
        spec.write_text(
            f"name: callee{i}\nowner: platform\nenvironments: [dev]\n"
            "spec:\n  resources: {cpu: 256, memory: 512}\n  desiredCount: 0\n",
            encoding="utf-8",
        )
    callee_list = ", ".join(f"callee{i}" for i in range(services))
    queue_list = ", ".join(f"hello-q{i}" for i in range(queues))
    hello = root / "services" / "hello" / "service.yaml"
    text = hello.read_text(encoding="utf-8")
    text += f"  dependencies:\n    services: [{callee_list}]\n    datastores: [hello-db, {queue_list}]\n"
    text += "resources:\n  hello-db: {type: postgres}\n"
    text += "".join(f"  hello-q{i}: {{type: queue}}\n" for i in range(queues))
    hello.write_text(text, encoding="utf-8")
    return root


def test_four_network_dependencies_fit(tmp_path: Path) -> None:
    # own group + 3 services + the database = 5; queues join no group (IAM only)
    validate(_repo(tmp_path, services=SG_PER_ENI - 2, queues=3))


def test_a_fifth_network_dependency_is_an_error_at_the_dependencies_line(tmp_path: Path) -> None:
    root = _repo(tmp_path, services=SG_PER_ENI - 1, queues=1)
    with pytest.raises(SpecError) as caught:
        validate(root)
    message = str(caught.value)
    line = (root / "services/hello/service.yaml").read_text().splitlines().index("  dependencies:") + 1
    assert f"services/hello/service.yaml:{line}:" in message and "spec.dependencies" in message
    assert "the tasks would join 6 security groups" in message
    assert "hello-db-clients" in message and "callee3-clients" in message and "hello-q0" not in message
    assert "AWS allows 5 per network interface" in message and "amazon-vpc-limits" in message
