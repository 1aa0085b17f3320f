"""Nothing is imported that the command does not use: the heavy libraries load inside the functions
that need them, so a `gen --check` with nothing to do (the pre-commit hook, the Atlantis gate on an
unchanged tree) starts in the time of click and the stamp check."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, copy_inputs

from generator.spec import secrets
from generator.write import stamp

HEAVY = ("boto3", "botocore", "detect_secrets", "hcl2", "git", "jinja2")
# Runs the real entry point, then prints which of the watched modules it imported.
PROBE = """
import json, sys
from generator.cli import main
sys.argv = ["infragen", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    if exc.code:
        raise
watched = {watched}
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in watched or m in watched)))
"""


def _imported(
    repo: Path, cache: Path, *args: str, watched: tuple[str, ...], env: dict[str, str] | None = None
) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(watched=repr(set(watched))), *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(cache), "NO_COLOR": "1", **(env or {})},
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    imported: list[str] = json.loads(proc.stdout.strip().splitlines()[-1])
    return imported


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A generated copy of the fixture organization and a cache holding its no-op stamp."""
    base = tmp_path_factory.mktemp("lazy")
    repo, cache = copy_inputs(base / "repo", outputs=True), base / "cache"
    _imported(repo, cache, "gen", watched=())  # writes the tree
    # a stamp is recorded only once the files are older than a file-time tick (write/stamp.py); the
    # first run finished within it once generation got faster than SETTLE_NS
    time.sleep(stamp.SETTLE_NS / 1e9 + 0.1)
    _imported(repo, cache, "gen", watched=())  # a consistent, settled tree: records the stamp
    return repo, cache


def test_the_command_modules_import_no_heavy_library() -> None:
    """Every click command module imports its libraries inside the command body."""
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import json, sys, generator.cli; print(json.dumps(sorted(set({HEAVY!r}) & set(sys.modules))))",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_gen_check_with_nothing_to_do_imports_no_heavy_library_and_no_stage(generated: tuple[Path, Path]) -> None:
    repo, cache = generated
    stages = ("jsonschema", "yaml", "generator.spec.load", "generator.plan", "generator.render")
    assert _imported(repo, cache, "gen", "--check", watched=HEAVY + stages) == []
    assert _imported(repo, cache, "gen", watched=HEAVY + stages) == []


def test_a_full_gen_check_imports_no_aws_or_git_library(generated: tuple[Path, Path]) -> None:
    """Without the stamp every stage runs (jinja2 renders, detect_secrets scans, hcl2 reads the
    modules), but nothing of deploy (boto3) or of the git tools."""
    repo, cache = generated
    found = _imported(repo, cache, "gen", "--check", watched=HEAVY, env={"INFRAGEN_NO_STAMP": "1"})
    assert "jinja2" in found  # the full path did run
    assert [m for m in found if m.split(".")[0] in ("boto3", "botocore", "git")] == []
    assert [
        m
        for m in _imported(repo, cache, "validate", watched=HEAVY)
        if m.split(".")[0] in ("boto3", "botocore", "git", "jinja2")
    ] == []


@pytest.fixture(scope="module")
def cold_scan(generated: tuple[Path, Path]) -> list[str]:
    """What a full `gen --check` with a cold verdict cache imported of the secret scan's neighbours."""
    repo, cache = generated
    found = _imported(
        repo,
        cache / "cold",
        "gen",
        "--check",
        watched=("detect_secrets", "requests", "urllib3", "importlib.metadata", "email"),
        env={"INFRAGEN_NO_STAMP": "1"},
    )
    assert "detect_secrets.plugins.aws" in found  # the scan did run, with a cold verdict cache
    return found


def test_a_full_gen_check_scans_for_secrets_without_importing_requests(cold_scan: list[str]) -> None:
    """detect-secrets imports `requests` (and urllib3, http.client) for the plugins' verify(), which
    infragen never calls: a full run scans with its plugins and never loads the HTTP stack."""
    assert [m for m in cold_scan if m.split(".")[0] in ("requests", "urllib3")] == []


def test_a_full_gen_check_reads_the_detectors_release_without_importlib_metadata(cold_scan: list[str]) -> None:
    """Verdicts are keyed by the detect-secrets release; reading it through importlib.metadata cost a
    cold run 30 ms of imports (email's parser among them). Read from the package's own
    ``__version__.py`` instead, it is the release pip recorded."""
    assert [m for m in cold_scan if m == "importlib.metadata" or m.split(".")[0] == "email"] == []
    assert secrets._detect_secrets_release() == importlib.metadata.version("detect-secrets")


def test_a_full_gen_check_whose_variables_were_all_judged_before_never_imports_detect_secrets(tmp_path: Path) -> None:
    """The secret scan's verdicts are kept by digest (spec/secrets.scan): a full run with nothing new
    to judge does not import detect-secrets, not even for its version."""
    repo, cache = copy_inputs(tmp_path / "repo", outputs=True), tmp_path / "cache"
    watched = ("detect_secrets", "jinja2")
    assert "detect_secrets" in _imported(repo, cache, "gen", watched=watched)  # judged, verdicts kept
    service = next((repo / "services").glob("*/service.yaml"))
    os.utime(service, ns=(service.stat().st_mtime_ns + 10**9,) * 2)  # the stamp no longer holds
    found = _imported(repo, cache, "gen", "--check", watched=watched)
    assert "jinja2" in found and [m for m in found if m.startswith("detect_secrets")] == []


def test_the_stand_in_for_requests_imports_the_real_one_when_used() -> None:
    """After the detectors are built, `import requests` is the real module, and the plugins' own
    reference to it reaches the real one on first use."""
    probe = (
        "import sys; from generator.spec import secrets; secrets.warm(); "
        "assert 'requests' not in sys.modules; "
        "import detect_secrets.plugins.base as base; import requests; "
        "assert type(requests).__name__ == 'module' and hasattr(requests, 'Session'); "
        "assert base.requests.exceptions.RequestException is requests.exceptions.RequestException; "
        "assert secrets.value_kinds('AKIAIOSFODNN7EXAMPLE') == ['an AWS access key']; print('ok')"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stdout + proc.stderr


def test_the_console_script_answers_a_gen_with_nothing_to_do_before_click(generated: tuple[Path, Path]) -> None:
    """`infragen gen` (generator.entry:main, the console script) on an up-to-date tree prints gen's
    own output without importing click or any CLI module; any other command goes to the CLI."""
    repo, cache = generated
    probe = PROBE.replace("from generator.cli import main", "from generator.entry import main")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            probe.format(watched=repr({"click", "generator.cli", *HEAVY})),
            "gen",
            "--root",
            str(repo),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(cache)},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["0 file(s) changed", "[]"]
    checked = subprocess.run(
        [sys.executable, "-c", probe.format(watched=repr({"click"})), "gen", "--check"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(cache)},
        timeout=300,
    )
    lines = checked.stdout.splitlines()
    assert lines[0] == "generated files are up to date" and "click.core" in json.loads(lines[1]), checked.stderr


def test_a_gen_with_no_snapshot_to_start_from_reads_before_it_imports_the_delta_run(tmp_path: Path) -> None:
    """generator.delta (55 ms of imports: the plan and render stages) is imported only when the
    last consistent run left a snapshot: a first `gen` goes straight to reading its input files."""
    repo, cache = copy_inputs(tmp_path / "repo"), tmp_path / "cache"
    assert _imported(repo, cache, "gen", watched=("generator.delta",)) == []
    time.sleep(stamp.SETTLE_NS / 1e9 + 0.1)
    services = sorted(p for p in (repo / "services").iterdir() if (p / "service.yaml").is_file())
    spec = services[0] / "service.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # a change, but not of content
    assert _imported(repo, cache, "gen", watched=("generator.delta",)) == ["generator.delta"]


WALKS = """
import sys
from generator.spec import secrets
from generator.write import stamp
real, calls = stamp.walk, []
def counted(root):
    calls.append(root)
    return real(root)
stamp.walk = counted
from generator.entry import main
sys.argv = ["infragen", "gen"]
try:
    main()
except SystemExit as exc:
    if exc.code:
        raise
print(len(calls))
"""


def test_a_gen_with_work_to_do_walks_the_tree_once(tmp_path: Path) -> None:
    """The console script's no-op test is not paid twice: when the tree changed, the run the CLI
    starts takes the walk the entry point made."""
    repo = copy_inputs(tmp_path / "repo", outputs=True)  # consistent, but no stamp in this cache yet
    proc = subprocess.run(
        [sys.executable, "-c", WALKS],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(tmp_path / "cache")},
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["0 file(s) changed", "1"]


def _both_ways(repo: Path, cache: Path, *args: str) -> list[tuple[int, str, str]]:
    """``args`` run by the console script (generator.entry:console, which leaves a `gen` with
    os._exit) and by the CLI's own main, through pipes: (exit code, stdout, stderr) of each."""
    found = []
    for call in ("from generator.entry import console as run", "from generator.cli import main as run"):
        proc = subprocess.run(
            [sys.executable, "-c", f"import sys; {call}; sys.argv = ['infragen', *sys.argv[1:]]; run()", *args],
            cwd=repo,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(cache), "NO_COLOR": "1"},
            timeout=300,
        )
        found.append((proc.returncode, proc.stdout, proc.stderr))
    return found


def test_the_console_script_leaves_a_gen_with_the_clis_exit_code_and_all_its_output(tmp_path: Path) -> None:
    """The quick exit after `gen` loses nothing: a first gen (dozens of lines through a pipe), a
    stale check (exit 1, its message on stderr), a bad spec (the error report) and an unknown
    option print and exit exactly as the CLI does."""
    repo = copy_inputs(tmp_path / "repo")
    console, cli = _both_ways(repo, tmp_path / "cache-a", "gen", "--check")
    assert console == cli and console[0] == 1 and "stale" in console[2]
    console, _ = _both_ways(repo, tmp_path / "cache-b", "gen")
    assert console[0] == 0 and console[1].count("\n") > 50 and console[1].endswith(" file(s) changed\n")
    service = next((repo / "services").glob("*/service.yaml"))
    service.write_text(service.read_text(encoding="utf-8") + "unknownField: 1\n", encoding="utf-8")
    console, cli = _both_ways(repo, tmp_path / "cache-c", "gen")
    assert console == cli and console[0] == 1 and "unknownField" in console[2]
    console, cli = _both_ways(repo, tmp_path / "cache-d", "gen", "--no-such-option")
    assert console == cli and console[0] == 2


def test_the_console_script_runs_a_gen_with_work_to_do_without_click(tmp_path: Path) -> None:
    """`infragen gen` that has files to write (a first gen, then a spec edited) runs without the
    command-line library and prints and exits exactly as the CLI does: the same lines of two copies
    of the repository, the files then equal."""
    probe = PROBE.replace("from generator.cli import main", "from generator.entry import main")
    repos = [copy_inputs(tmp_path / name) for name in ("console", "cli")]

    def both(*args: str) -> tuple[int, str]:
        found = []
        for repo, code in zip(repos, (probe, PROBE), strict=True):
            proc = subprocess.run(
                [sys.executable, "-c", code.format(watched=repr({"click"})), *args, "--root", str(repo)],
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(repo.parent / f"cache-{repo.name}")},
                timeout=300,
            )
            lines = proc.stdout.splitlines()
            found.append((proc.returncode, "\n".join(lines[:-1]), proc.stderr, json.loads(lines[-1])))
        (code, out, err, loaded), (cli_code, cli_out, cli_err, cli_loaded) = found
        assert (code, out, err) == (cli_code, cli_out, cli_err)
        assert loaded == [] and "click" in cli_loaded
        return code, out

    code, out = both("gen")
    assert code == 0 and out.count("\n") > 50 and out.endswith(" file(s) changed")
    for repo in repos:
        spec = sorted((repo / "services").glob("*/service.yaml"))[0]
        spec.write_text(spec.read_text(encoding="utf-8").replace("description:", "description: Edited.", 1), "utf-8")
    code, out = both("gen")
    assert code == 0 and "(input changed: services/" in out and out.endswith(" file(s) changed")
    assert {p.relative_to(repos[0]).as_posix(): p.read_bytes() for p in repos[0].rglob("*.tf")} == {
        p.relative_to(repos[1]).as_posix(): p.read_bytes() for p in repos[1].rglob("*.tf")
    }


def test_the_console_script_reports_a_problem_of_a_gen_as_the_cli_does(tmp_path: Path) -> None:
    """A bad spec and a folder that is not a repository: the CLI's report and exit code, through
    the console script's path without click; a file given as the root goes to the CLI's own check."""
    repo = copy_inputs(tmp_path / "repo")
    service = next((repo / "services").glob("*/service.yaml"))
    service.write_text(service.read_text(encoding="utf-8") + "unknownField: 1\n", encoding="utf-8")
    console, cli = _both_ways(repo, tmp_path / "cache-a", "gen", "--root", str(repo))
    assert console == cli and console[0] == 1 and "unknownField" in console[2]
    console, cli = _both_ways(repo, tmp_path / "cache-b", "gen", "--root", str(tmp_path))
    assert console == cli and console[0] == 1 and "no teams.yaml there" in console[2]
    console, cli = _both_ways(repo, tmp_path / "cache-c", "gen", "--root", str(service))
    assert console == cli and console[0] == 2


def test_a_run_without_stamps_imports_no_snapshot_or_delta_run(tmp_path: Path) -> None:
    """INFRAGEN_NO_STAMP (CI's gate, the bench's cold rows): no walk, so no snapshot to start from;
    the modules that record and replay snapshots (15 and 55 ms of imports) are not loaded."""
    repo = copy_inputs(tmp_path / "repo")
    watched = ("generator.write.snapshot", "generator.delta", "jinja2")
    found = _imported(repo, tmp_path / "cache", "gen", watched=watched, env={"INFRAGEN_NO_STAMP": "1"})
    assert "jinja2" in found and [m for m in found if m.startswith("generator.")] == []  # it rendered
