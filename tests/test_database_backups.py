"""Database backup retention, backup window and maintenance window (issue 20).

- Each option is one added or changed line of the root that declares the database, set in
  service.yaml or in an environment file's overrides.
- Unset, today's retention is rendered (14 days in production, 7 elsewhere) and the windows are
  left to AWS: the generated roots do not change.
- The CreateDBInstance rules the schema cannot state (30 minutes, no overlap of the daily backup
  window with the weekly maintenance window) hold in Python as in modules/aws/rds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_inputs, snapshot
from spec_files import edit, gen, line_diff

from generator.datastores import REGISTRY
from generator.datastores.database import (
    backup_retention_default,
    backup_window_minutes,
    maintenance_window_minutes,
    windows_overlap,
)
from generator.spec.load import load_repo
from generator.spec.models import Datastore

PRODUCTION = "production/services/klausapproves/main.tf"
STAGING = "staging/services/klausapproves/main.tf"
SPEC = "services/klausapproves/service.yaml"
PRODUCTION_ENV = "services/klausapproves/environments/production.yaml"


@pytest.fixture
def org(tmp_path: Path) -> Path:
    root = copy_inputs(tmp_path / "repo", outputs=True)
    gen(root)
    return root


def test_each_option_is_one_line_of_the_root(org: Path) -> None:
    before = snapshot(org / "accounts")
    edit(
        org,
        SPEC,
        "  klausapproves-rds:\n    type: postgres\n",
        "  klausapproves-rds:\n    type: postgres\n    backupWindow: 02:00-02:30\n",
    )
    edit(
        org,
        PRODUCTION_ENV,
        "      storageGb: 100\n",
        "      storageGb: 100\n      backupRetentionDays: 30\n      maintenanceWindow: sun:03:00-sun:04:00\n",
    )
    gen(org)
    after = snapshot(org / "accounts")
    changed = {p for p in before.keys() | after.keys() if before.get(p, (b"",))[0] != after.get(p, (b"",))[0]}
    assert changed == {PRODUCTION, STAGING}
    assert line_diff(before[PRODUCTION][0], after[PRODUCTION][0]) == (
        ["  backup_retention_days = 14"],
        [
            "  backup_retention_days = 30",
            '  backup_window         = "02:00-02:30"',
            '  maintenance_window    = "sun:03:00-sun:04:00"',
        ],
    )
    assert line_diff(before[STAGING][0], after[STAGING][0]) == ([], ['  backup_window         = "02:00-02:30"'])


def test_unset_options_render_todays_retention_and_no_windows(example: Path) -> None:
    kind = REGISTRY.get("postgres")
    repo = load_repo(example)
    for account in repo.accounts:
        datastore = Datastore("core-db", "postgres", kind.read("postgres", {"type": "postgres"}))
        args = dict(kind.module_args(datastore, account, []))
        assert args["backup_retention_days"] == (14 if account.production else 7)
        assert args["backup_retention_days"] == backup_retention_default(account.production)
        assert not {"backup_window", "maintenance_window"} & set(args)


@pytest.mark.parametrize(
    ("window", "expected"),
    [("03:00-03:30", (180, 30)), ("23:45-00:15", (1425, 30)), ("00:00-00:00", (0, 0))],
)
def test_backup_window_minutes(window: str, expected: tuple[int, int]) -> None:
    assert backup_window_minutes(window) == expected


@pytest.mark.parametrize(
    ("window", "expected"),
    [("mon:00:00-mon:00:30", (0, 30)), ("sun:23:30-mon:00:30", (10050, 60)), ("tue:04:00-tue:05:00", (1680, 60))],
)
def test_maintenance_window_minutes(window: str, expected: tuple[int, int]) -> None:
    assert maintenance_window_minutes(window) == expected


@pytest.mark.parametrize(
    ("backup", "maintenance", "overlap"),
    [
        ("03:00-04:00", "wed:03:30-wed:05:00", True),  # maintenance starts inside backup
        ("03:00-04:00", "wed:02:00-wed:03:01", True),  # backup starts inside maintenance
        ("03:00-03:30", "sun:03:30-sun:04:00", False),  # adjacent: end is exclusive
        ("02:00-02:30", "sun:03:00-sun:04:00", False),
        ("00:00-00:30", "sun:23:00-mon:00:10", True),  # across the end of the week
        ("23:45-00:15", "mon:00:00-mon:01:00", True),  # backup across midnight
        ("12:00-13:00", "mon:00:00-sun:23:00", True),  # a maintenance window of almost a week
    ],
)
def test_windows_overlap(backup: str, maintenance: str, overlap: bool) -> None:
    assert windows_overlap(backup, maintenance) is overlap
