"""Diffs a reviewer can read (issue 22), on copies of the fixture organization.

- One changed variable of an environment file is one changed line of the root's main.tf (plus the
  checksum line every generated file ends with); one added variable is one added line.
- A new caller of bpg rewrites only the bpg files whose content changes (none in staging; in
  production, where Consul lists callers, main.tf's ``allowed_sources``): no file anywhere is
  rewritten for its header alone.
- ``gen`` names only the inputs that changed, whatever the file times say.
- ``hcl.document`` is what ``jsonencode`` turns back into the same JSON (Terraform is the oracle).
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import copy_inputs, run_cli, snapshot
from tfenv import run_terraform, terraform_binary

from generator import hcl
from generator.spec.naming import CHECKSUM_PREFIX, seal

STAGING = "accounts/staging/services/klausapproves/main.tf"
ENV_FILE = "services/klausapproves/environments/staging.yaml"
CHANGE = re.compile(r"^(update|create|delete)  (\S+)  \((.*)\)$", re.M)


def _env(root: Path) -> dict[str, str]:
    """A private cache folder (the record of inputs lives there), stamps and cache on."""
    return {"XDG_CACHE_HOME": str(root.parent / "cache"), "INFRAGEN_NO_STAMP": "0", "INFRAGEN_NO_CACHE": "0"}


def _gen(root: Path) -> dict[str, str]:
    """Run ``gen``; return path -> printed reason of every change."""
    result = run_cli("gen", "--root", str(root), env=_env(root))
    assert result.code == 0, result.stderr + result.stdout
    return {m[2]: m[3] for m in CHANGE.finditer(result.stdout)}


@pytest.fixture
def org(tmp_path: Path) -> Path:
    """A consistent copy of the fixture organization, generated once (the record of its inputs)."""
    root = copy_inputs(tmp_path / "repo", outputs=True)
    assert _gen(root) == {}
    return root


def _changed_files(before: dict[str, tuple[bytes, int]], after: dict[str, tuple[bytes, int]]) -> set[str]:
    return {p for p in before.keys() | after.keys() if (before.get(p) or (b"",))[0] != (after.get(p) or (b"",))[0]}


def _diff(before: bytes, after: bytes) -> tuple[list[str], list[str]]:
    """Removed and added lines, the checksum line left out."""
    removed, added = [], []
    lines = difflib.ndiff(before.decode().splitlines(), after.decode().splitlines())
    for line in lines:
        if line[2:].startswith(CHECKSUM_PREFIX):
            continue
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


def _body(text: bytes) -> list[str]:
    """A generated file without its header (first line) and checksum (last line)."""
    return text.decode().splitlines()[1:-1]


def test_one_changed_variable_is_one_changed_line_of_main_tf(org: Path) -> None:
    env_file = org / ENV_FILE
    assert "  LOG_LEVEL: debug\n" in env_file.read_text(encoding="utf-8")
    before = snapshot(org / "accounts")
    env_file.write_text(env_file.read_text(encoding="utf-8").replace("LOG_LEVEL: debug", "LOG_LEVEL: warn"))

    reasons = _gen(org)

    after = snapshot(org / "accounts")
    changed = _changed_files(before, after)
    assert changed == {STAGING.removeprefix("accounts/")}, changed
    removed, added = _diff(before[STAGING.removeprefix("accounts/")][0], after[STAGING.removeprefix("accounts/")][0])
    assert removed == ['        { name = "LOG_LEVEL", value = "debug" },']
    assert added == ['        { name = "LOG_LEVEL", value = "warn" },']
    assert reasons == {STAGING: f"input changed: {ENV_FILE}"}


def test_one_added_variable_is_one_added_line(org: Path) -> None:
    env_file = org / ENV_FILE
    before = snapshot(org / "accounts")
    env_file.write_text(
        env_file.read_text(encoding="utf-8").replace("  LOG_LEVEL: debug\n", "  LOG_LEVEL: debug\n  MAX_LOANS: '7'\n")
    )
    _gen(org)
    after = snapshot(org / "accounts")
    key = STAGING.removeprefix("accounts/")
    assert _changed_files(before, after) == {key}
    assert _diff(before[key][0], after[key][0]) == ([], ['        { name = "MAX_LOANS", value = "7" },'])


def test_a_new_caller_of_bpg_rewrites_only_files_whose_content_changes(org: Path) -> None:
    spec = org / "services/demo-service/service.yaml"
    before = snapshot(org)
    spec.write_text(spec.read_text(encoding="utf-8") + "  dependencies:\n    services: [bpg]\n", encoding="utf-8")

    reasons = _gen(org)

    after = snapshot(org)
    changed = _changed_files(before, after) - {"services/demo-service/service.yaml"}
    bpg = {p for p in changed if "/services/bpg/" in p}
    # staging lists no callers anywhere; production's Consul registration lists them (allowed_sources)
    assert bpg == {"accounts/production/services/bpg/main.tf"}, bpg
    main = "accounts/production/services/bpg/main.tf"
    removed, added = _diff(before[main][0], after[main][0])
    assert [line for line in removed if not line.startswith("#")] == ['  allowed_sources = ["klausapproves"]']
    assert [line for line in added if not line.startswith("#")] == [
        '  allowed_sources = ["demo-service", "klausapproves"]'
    ]
    for path in changed:  # no file anywhere is rewritten for its header alone
        if path.endswith(".tf"):
            assert _body(before[path][0]) != _body(after[path][0]), f"{path}: only its header changed"
    assert set(reasons) == changed
    assert set(reasons.values()) == {"input changed: services/demo-service/service.yaml"}, reasons


def test_headers_name_only_what_each_file_reads(org: Path) -> None:
    root = org / "accounts/production/services/bpg"
    headers = {p.name: p.read_text(encoding="utf-8").splitlines()[0] for p in sorted(root.glob("*.tf"))}
    assert headers["versions.tf"] == (
        "# Code generated by infragen from accounts/production/account.yaml; DO NOT EDIT."
    )
    assert "teams.yaml" not in headers["main.tf"] and "teams.yaml" in headers["providers.tf"]
    assert "services/klausapproves/service.yaml" in headers["main.tf"]  # its caller (allowed_sources)
    for name in ("versions.tf", "providers.tf", "backend.tf", "outputs.tf"):
        assert "klausapproves" not in headers[name], name


def test_reasons_ignore_file_times(org: Path) -> None:
    """A checkout writes files in any order: teams.yaml newer than CODEOWNERS says nothing."""
    shutil.copytree(org / "services/demo-service", org / "services/invoices")
    spec = org / "services/invoices/service.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("name: demo-service", "name: invoices"), encoding="utf-8")
    later = time.time() + 60
    os.utime(org / "teams.yaml", (later, later))  # touched, not changed

    reasons = _gen(org)

    assert reasons["CODEOWNERS"] == "input changed: services/invoices/service.yaml"
    updates = {p: r for p, r in reasons.items() if not p.startswith("accounts/production/services/invoices/")}
    updates = {p: r for p, r in updates.items() if not p.startswith("accounts/staging/services/invoices/")}
    assert updates and set(updates.values()) == {"input changed: services/invoices/service.yaml"}, updates
    assert all(r == "new" for p, r in reasons.items() if p not in updates)


def test_a_generator_change_is_not_blamed_on_an_input(org: Path) -> None:
    target = org / "accounts/staging/services/bpg/versions.tf"
    text = target.read_text(encoding="utf-8")
    body = text.rsplit(CHECKSUM_PREFIX, 1)[0].replace("1.11.4", "1.11.3")
    target.write_text(seal(body), encoding="utf-8")  # as an older generator would have written it
    (record,) = (org.parent / "cache/infragen/inputs").glob("*.json")  # ... and recorded
    data = json.loads(record.read_text(encoding="utf-8"))
    record.write_text(json.dumps({**data, "generator": "an older generator's digest"}), encoding="utf-8")
    later = time.time() + 60
    os.utime(org / "accounts/staging/account.yaml", (later, later))
    reasons = _gen(org)
    assert reasons == {
        "accounts/staging/services/bpg/versions.tf": (
            "generator changed: none of its inputs changed since it was last written"
        )
    }


QUEUE_MODULE = "modules/platform/queue/main.tf"
EXTRA_CALL = '\nmodule "extra" {\n  source = "../../aws/sns-topic"\n}\n'


def test_a_module_that_calls_another_module_is_the_reason_atlantis_yaml_changed(org: Path) -> None:
    """atlantis.yaml's triggers follow the modules' own sources: a module that starts calling another
    one adds that folder to the trigger of every project reaching it. Its file is named as the
    reason (it was: "stale: ... the file was replaced since (a checkout or a copy)")."""
    with (org / QUEUE_MODULE).open("a", encoding="utf-8") as handle:
        handle.write(EXTRA_CALL)
    assert _gen(org) == {"atlantis.yaml": f"input changed: {QUEUE_MODULE}"}
    assert "modules/*/*/*.tf" in (org / "atlantis.yaml").read_text(encoding="utf-8").splitlines()[0]


def test_without_a_record_git_tells_what_changed(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git not on PATH")
    root = copy_inputs(tmp_path / "repo", outputs=True)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run([*git, *args], cwd=root, check=True, capture_output=True)
    env_file = root / ENV_FILE
    env_file.write_text(env_file.read_text(encoding="utf-8").replace("LOG_LEVEL: debug", "LOG_LEVEL: warn"))
    later = time.time() + 60
    os.utime(root / "teams.yaml", (later, later))
    with (root / QUEUE_MODULE).open("a", encoding="utf-8") as handle:  # a module file is an input too
        handle.write(EXTRA_CALL)
    assert _gen(root) == {  # a fresh cache folder: no record
        STAGING: f"input changed: {ENV_FILE}",
        "atlantis.yaml": f"input changed: {QUEUE_MODULE}, {ENV_FILE}",  # git: every changed input it reads
    }


def test_without_a_record_or_git_no_input_is_blamed(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo", outputs=True)
    (root / ".git").write_text("not a repository\n", encoding="utf-8")  # git status fails here
    env_file = root / ENV_FILE
    env_file.write_text(env_file.read_text(encoding="utf-8").replace("LOG_LEVEL: debug", "LOG_LEVEL: warn"))
    reason = _gen(root)[STAGING]
    assert reason.startswith("stale: ") and reason.endswith("or the generator changed since it was written")


DOCUMENT: Any = {
    "for": [1, True, None, "x"],
    "a-b": {"in": "${not.a.template} %{if} $${already}"},
    "Statement": [{"Sid": "A", "Action": ["s3:GetObject"], "Condition": {"StringEquals": {"aws:x": "y"}}}],
    "list": [{"name": "K", "value": 'v\n"q"\\'}, {"nested": [[]], "e": {}}],
    "unicode": "caf\u00e9 \u2603 \u200b",
    "empty": [],
    "zero": 0,
}


def test_a_document_prints_fmt_clean_and_jsonencode_gives_back_the_json(tmp_path: Path) -> None:
    if terraform_binary() is None:
        pytest.skip("terraform CLI not on PATH: jsonencode needs Terraform")
    text = f'output "doc" {{\n{hcl.body([("value", hcl.JsonEncode(DOCUMENT))])}\n}}\n'
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    fmt = run_terraform(["fmt", "-check", "-diff", "main.tf"], tmp_path)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    for args in (["init", "-input=false", "-no-color"], ["apply", "-auto-approve", "-input=false", "-no-color"]):
        done = run_terraform(args, tmp_path)
        assert done.returncode == 0, done.stderr + done.stdout
    shown = run_terraform(["output", "-raw", "doc"], tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == DOCUMENT
    # keys in the order jsonencode emits them: one changed value is one changed line
    keys = [m[1] for m in re.finditer(r'^    "?([^" ]+)"? +=', text, re.M)]
    assert keys == sorted(keys)


def test_document_refuses_what_json_cannot_hold() -> None:
    with pytest.raises(hcl.EncodingBug):
        hcl.document({"x": 1.5})  # type: ignore[dict-item]


def test_the_record_of_inputs_is_what_the_loader_read(org: Path) -> None:
    """The run records the digests the spec loader computed while reading (no second read): the
    same files and digests as hashing every input pattern of the tree, channels file included."""
    from generator.spec.load import load_repo
    from generator.write import reasons

    (org / "modules" / "channels.yaml").write_text("environments:\n  staging: main\n", encoding="utf-8")
    read: dict[str, str] = {}
    load_repo(org, digests=read)
    assert "services/klausapproves/environments/staging.yaml" in read
    assert reasons.Digests(org, read).get() == reasons.digests(org)
