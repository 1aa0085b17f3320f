"""A failed e2e test shows the end of its emulators' request log (harness.emulator_log): whether
an error answer came from a request sent once or twice is there, not in Terraform's output."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from . import harness


@pytest.fixture(autouse=True)
def _emulators_of_this_test() -> None:
    harness.STARTED.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call" and report.failed and harness.STARTED:
        report.sections.append(("emulator log (moto_serial)", harness.emulator_log()))
