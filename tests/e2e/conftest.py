"""A failed e2e test shows the end of its emulators' request log (harness.emulator_log): whether
an error answer came from a request sent once or twice is there, not in Terraform's output.

`make e2e E2E_WORKERS=2` runs the files on two xdist workers (``--dist loadfile``: a file's tests
stay on one worker). Every test starts its own emulator on its own port in its own temporary
folders, so two run side by side; most of an apply is the AWS provider's fixed waits (RDS above
all), which the other worker fills. xdist hands files out in collection order (ORDER below): the
day-2 transitions, about 17 of the 40 minutes one worker takes, start at once on one worker while
the other works through the rest. CI runs two workers; `make e2e` alone runs one file at a time
(the Makefile and docs/testing.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from . import harness

# The files in the order xdist hands them out. It gives each worker one file, then one more
# while a worker has at most 2 tests pending, then one more as each test ends. So the longest
# goes first and is followed by a short one (the second file its worker holds waits for it), and
# the other worker works through the rest. Measured on 2 cores with `make e2e` (stop 44), seconds:
ORDER = (
    "test_transitions.py",  # 1,008: the other files run beside it
    "test_apply.py",  # 467
    "test_topic_module.py",  # 41: queued behind the transitions
    "test_drift.py",  # 68
    "test_sandbox.py",  # 220
    "test_deploy.py",  # 211
    "test_fanout.py",  # 144
    "test_adopt.py",  # 121
    "test_moved.py",  # 90
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    if not hasattr(config, "workerinput") or not all(item.path.is_relative_to(here) for item in items):
        return  # one file at a time, or more than tests/e2e (`make test` skips these): order kept

    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return ORDER.index(name) if name in ORDER else len(ORDER)

    items.sort(key=rank)  # stable: a file's own order is kept


@pytest.fixture(autouse=True)
def _emulators_of_this_test() -> None:
    harness.STARTED.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call" and report.failed and harness.STARTED:
        report.sections.append(("emulator log (moto_serial)", harness.emulator_log()))
