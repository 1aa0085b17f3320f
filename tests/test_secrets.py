"""Credentials under `variables:` and secret references of another account or region are refused."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from conftest import copy_inputs, run_cli, snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.cli.report import format_error
from generator.errors import SpecError
from generator.spec.load import load_repo
from generator.spec.secrets import secret_owner, value_kinds

ENV_FILE = "services/klausapproves/environments/staging.yaml"
STAGING_ARN = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:klausapproves/x-AbCdEf"

# name, value, what the message must say; values are assembled so this file holds no literal secret
CASES = {
    "aws access key id": ("AWS_KEY_ID", "AKIA" + "IOSFODNN7EXAMPL1", "looks like an AWS access key"),
    "aws secret key": ("AWS_SECRET", "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYzEXAMPLEKEY", "the value looks like"),
    "private key": ("SIGNING", "-----BEGIN RSA " + "PRIVATE KEY-----", "looks like a private key"),
    "stripe": ("STRIPE", "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "looks like a Stripe key"),
    "github": ("GH", "ghp_" + "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx", "looks like a GitHub token"),
    "slack": ("SLACK", "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "looks like a Slack token"),
    "high entropy": ("SESSION_SEED", "Zx9q3LmT7vBn2Kp8" + "Rw4Yh6Jd1Fs5Gc0A", "looks like a high-entropy string"),
    "password name": ("DB_PASSWORD", "hunter2", "the name contains PASSWORD"),
    "token name": ("UPSTREAM_TOKEN", "abc", "the name contains TOKEN"),
    "api key name": ("PARTNER_API_KEY", "abc", "the name contains API_KEY"),
}


def _write_env(root: Path, body: str) -> None:
    path = root / ENV_FILE
    path.write_text(path.read_text() + body)


def _variable(name: str, value: str) -> str:
    return f"variables:\n  LOG_LEVEL: debug\n  {name}: {value!r}\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = copy_inputs(tmp_path / "repo")
    (root / ENV_FILE).write_text("# staging\n")  # without its ingress.domain override, so:
    account = root / "accounts/staging/account.yaml"
    account.write_text(account.read_text().replace("publicZone: staging.lemon.com", "publicZone: lemon.com"))
    return root


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_credential_under_variables_is_refused(repo: Path, case: str) -> None:
    name, value, says = CASES[case]
    _write_env(repo, _variable(name, value))
    before = snapshot(repo)
    result = run_cli("gen", "--root", str(repo))
    assert result.code == 1
    assert f"{ENV_FILE}:4:3: variables.{name}: " in result.stderr
    assert says in result.stderr
    assert "reference it under `secrets:`" in result.stderr
    assert value not in result.stderr + result.stdout
    assert snapshot(repo) == before  # nothing written


# "abc" (the name-only cases) occurs in other cached documents by chance: only values that can be found
DISTINCT = [case for case, (_, value, _) in CASES.items() if len(value) >= 6]


@pytest.mark.parametrize("case", DISTINCT, ids=DISTINCT)
def test_the_verdict_cache_never_holds_the_value(repo: Path, tmp_path: Path, case: str) -> None:
    """Secret verdicts are kept by digest (spec/secrets.py): a second run, judged from the cache,
    refuses the same way, and no file of the cache folder holds the value (nor does the input
    cache: a file with a problem of any rule is not kept, spec/load.py)."""
    name, value, says = CASES[case]
    _write_env(repo, _variable(name, value))
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "INFRAGEN_NO_STAMP": "", "INFRAGEN_NO_CACHE": ""}
    first = run_cli("gen", "--root", str(repo), env=env)
    again = run_cli("gen", "--root", str(repo), env=env)
    assert first.code == again.code == 1
    assert says in again.stderr and first.stderr == again.stderr
    kept = list((tmp_path / "cache").rglob("*"))
    assert any(p.parent.name == "secret-verdicts" for p in kept)  # the verdicts were kept
    for path in kept:
        if path.is_file():
            assert value.encode() not in path.read_bytes(), path


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_the_source_excerpt_never_shows_the_value(repo: Path, case: str) -> None:
    name, value, _ = CASES[case]
    _write_env(repo, _variable(name, value))
    with pytest.raises(SpecError) as raised:
        load_repo(repo)
    text = format_error(raised.value, repo, show_source=True)  # what a terminal shows
    assert f"{name}: <redacted>" in text
    assert value not in text


@pytest.mark.parametrize(
    ("arn", "says"),
    [
        ("arn:aws:secretsmanager:eu-west-1:222222222222:secret:prod-only-AbCdEf", "account 222222222222"),
        ("arn:aws:secretsmanager:us-east-1:111111111111:secret:elsewhere-AbCdEf", "region us-east-1"),
    ],
    ids=["cross-account", "cross-region"],
)
def test_a_secret_of_another_account_or_region_is_refused(repo: Path, arn: str, says: str) -> None:
    _write_env(repo, f"secrets:\n  DB_URL:\n    secretsManager: {arn}\n")
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 1
    assert f"{ENV_FILE}:4:21: secrets.DB_URL.secretsManager: the secret is in {says}" in result.stderr
    assert "under `secrets:`" in result.stderr


def test_a_secret_of_the_own_account_and_region_is_accepted(repo: Path) -> None:
    _write_env(repo, f"secrets:\n  DB_URL:\n    secretsManager: {STAGING_ARN}\n")
    assert run_cli("validate", "--root", str(repo)).code == 0


def test_not_secrets_opts_a_variable_out_with_a_reason(repo: Path) -> None:
    body = "variables:\n  GIT_SHA: a94a8fe5ccb19ba61c4c0873d391e987982fbbd3\n  TOKEN_TTL: '300'\n"
    _write_env(repo, body)
    refused = run_cli("validate", "--root", str(repo))
    assert refused.code == 1
    assert "variables.GIT_SHA" in refused.stderr and "variables.TOKEN_TTL" in refused.stderr
    _write_env(repo, "notSecrets:\n  GIT_SHA: the commit the image was built from\n  TOKEN_TTL: seconds, not a token\n")
    assert run_cli("validate", "--root", str(repo)).code == 0


def test_not_secrets_needs_a_reason_and_a_variable(repo: Path) -> None:
    _write_env(repo, "variables:\n  LOG_LEVEL: debug\nnotSecrets:\n  LOG_LEVEL: ok\n")
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 1
    assert "notSecrets.LOG_LEVEL: " in result.stderr
    (repo / ENV_FILE).write_text("variables:\n  LOG_LEVEL: debug\nnotSecrets:\n  NOPE: this variable does not exist\n")
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 1
    assert "notSecrets.NOPE: 'NOPE' is not a variable of this file" in result.stderr


def test_ordinary_variables_pass(repo: Path) -> None:
    _write_env(
        repo,
        "variables:\n  LOG_LEVEL: debug\n  UPSTREAM_URL: https://api.example.com/v1\n"
        "  REGION: eu-west-1\n  REQUEST_ID_HEADER: X-Request-Id\n  FEATURE_FLAGS: a,b,c\n",
    )
    assert run_cli("validate", "--root", str(repo)).code == 0


def test_a_credential_in_a_patterned_field_is_not_echoed(repo: Path) -> None:
    value = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
    _write_env(repo, f"secrets:\n  STRIPE:\n    ssmParameter: {value}\n")
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 1
    assert "secrets.STRIPE.ssmParameter: " in result.stderr
    assert "the value (not shown: it looks like a credential) is not valid here" in result.stderr
    assert value not in result.stderr and value.lower().replace("_", "-") not in result.stderr


# Issue 22: detect-secrets' URL detector skips a password holding any RFC 3986 sub-delimiter, so
# `postgres://admin:S3cr3tPassw0rd!@host/db` passed and was written into main.tf twice.
SUB_DELIMITERS = "!$&'()*+,;="


def _refused_by_gen(repo: Path, name: str, value: str) -> str:
    """gen refuses ``name: value`` at file:line:col: field, says to use `secrets:`, writes nothing."""
    _write_env(repo, _variable(name, value))
    before = snapshot(repo)
    result = run_cli("gen", "--root", str(repo))
    assert result.code == 1, result.stdout + result.stderr
    assert f"{ENV_FILE}:4:3: variables.{name}: the value looks like " in result.stderr
    assert "reference it under `secrets:`" in result.stderr
    assert value not in result.stderr + result.stdout
    assert snapshot(repo) == before
    assert not (repo / "accounts/staging/services").exists()
    return result.stderr


@pytest.mark.parametrize("char", list(SUB_DELIMITERS), ids=[f"U+{ord(c):04X}" for c in SUB_DELIMITERS])
def test_a_url_password_with_each_sub_delimiter_is_refused(repo: Path, char: str) -> None:
    value = "postgres://admin:" + "S3cr3tPassw0rd" + char + "@host/db"
    assert "a URL with a password" in _refused_by_gen(repo, "LEGACY_DB_URL", value)


@pytest.mark.parametrize("char", list(SUB_DELIMITERS), ids=[f"U+{ord(c):04X}" for c in SUB_DELIMITERS])
def test_a_url_password_is_refused_wherever_the_character_stands(char: str) -> None:
    for password in (char + "pw", "p" + char + "w", "pw" + char, char * 3):
        for url in (
            f"postgres://admin:{password}@host/db",
            f"redis://:{password}@cache:6379",
            f"amqp://u:{password}@mq",
        ):
            assert "a URL with a password" in value_kinds(url), url


# further credential shapes (assembled so this file holds no literal secret)
def _jwt() -> str:
    def part(data: dict[str, str]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return (
        part({"alg": "HS256", "typ": "JWT"})
        + "."
        + part({"sub": "1234567890"})
        + "."
        + "SflKxwRJSMeKKF2QT4fw"
        + "pMeJf36POk6yJV_adQssw5c"
    )


SHAPES = {
    "aws access key id": ("UPSTREAM_KEY_ID", "AKIA" + "IOSFODNN7EXAMPL1", "an AWS access key"),
    "rsa private key header": ("SIGNING_PEM", "-----BEGIN RSA " + "PRIVATE KEY-----", "a private key"),
    "openssh private key header": ("DEPLOY_PEM", "-----BEGIN OPENSSH " + "PRIVATE KEY-----", "a private key"),
    "github token": ("GH", "ghp_" + "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx", "a GitHub token"),
    "slack bot token": ("SLACK", "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "a Slack token"),
    "slack user token": (
        "SLACK_USER",
        "xoxp-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "a Slack token",
    ),
    "jwt": ("SESSION", _jwt(), "a JSON web token"),
    "libpq password=": ("PG_DSN", "host=db user=app " + "password=hunter2", "a connection string with a password"),
    "odbc Password=": (
        "MSSQL",
        "Server=db;Database=x;User Id=a;" + "Password=p4ss;",
        "a connection string with a password",
    ),
    "url password": ("LEGACY_DB_URL", "postgres://admin:" + "S3cr3tPassw0rd!@host/db", "a URL with a password"),
    "url empty user": ("CACHE_URL", "redis://:" + "hunter2@cache:6379/0", "a URL with a password"),
}


@pytest.mark.parametrize("case", SHAPES, ids=list(SHAPES))
def test_further_credential_shapes_are_refused(repo: Path, case: str) -> None:
    name, value, says = SHAPES[case]
    assert says in _refused_by_gen(repo, name, value)


BENIGN = [
    "https://api.example.com/v1",
    "https://host/path?x=1",
    "https://user@host/path",
    "user@host",
    "ops@example.com",
    "postgres://app@db.internal:5432/orders",
    "https://host:8443/path?next=a@b",
    "https://host/p?user=a:b@c",
    "http://127.0.0.1:8080/health",
    "PASSWORD_MIN_LENGTH=12",
    "a,b,c",
]


@pytest.mark.parametrize("value", BENIGN)
def test_benign_values_pass(repo: Path, value: str) -> None:
    assert value_kinds(value) == []
    _write_env(repo, _variable("UPSTREAM", value))
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 0, result.stderr


# A secret reference is an IAM grant of the execution role: a name under another service's prefix
# (its secrets by the naming convention) or under the platform's /infragen/ connection parameters
# would give a service access no dependency declares.
@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("ssmParameter", "/bpg/bank-api-token", "under service bpg's name"),
        ("ssmParameter", "/bpg-ledger/key", "under service bpg's name"),
        ("ssmParameter", "/infragen/staging/core-db/host", "/infragen/ holds the platform's connection"),
        ("secretsManager", "arn:aws:secretsmanager:eu-west-1:111111111111:secret:bpg/stripe-AbCdEf", "bpg"),
        ("secretsManager", "arn:aws:secretsmanager:eu-west-1:111111111111:secret:core-signing-AbCdEf", "core"),
    ],
    ids=["ssm-other-service", "ssm-other-prefix", "ssm-connection-parameter", "sm-other-service", "sm-hyphen"],
)
def test_a_secret_of_another_service_is_refused(repo: Path, field: str, value: str, says: str) -> None:
    _write_env(repo, f"secrets:\n  UPSTREAM:\n    {field}: {value}\n")
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 1
    column = 5 + len(field) + 2
    assert f"{ENV_FILE}:4:{column}: secrets.UPSTREAM.{field}: " in result.stderr
    assert says in result.stderr


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ssmParameter", "/klausapproves/bank-api-token"),
        ("ssmParameter", "/shared/datadog-api-key"),
        ("secretsManager", "arn:aws:secretsmanager:eu-west-1:111111111111:secret:klausapproves-signing-AbCdEf"),
        ("secretsManager", "arn:aws:secretsmanager:eu-west-1:111111111111:secret:corebanking/x-AbCdEf"),
    ],
    ids=["ssm-own", "ssm-shared", "sm-own-hyphen", "sm-name-that-only-starts-like-a-service"],
)
def test_a_secret_of_the_own_service_or_shared_is_accepted(repo: Path, field: str, value: str) -> None:
    _write_env(repo, f"secrets:\n  UPSTREAM:\n    {field}: {value}\n")
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 0, result.stderr


# Free text that is written into the generated roots (and so into the state): the description (an
# output), a worker's health check command (the task definition), an alarm override's reason.
FREE_TEXT_KEY = "AKIA" + "IOSFODNN7EXAMPL1"


def test_a_credential_in_the_description_is_refused(repo: Path) -> None:
    spec = repo / "services/klausapproves/service.yaml"
    spec.write_text(spec.read_text().replace("Approves loan applications.", f"Approves loans {FREE_TEXT_KEY}"))
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 1
    assert "services/klausapproves/service.yaml:5:14: description: the text looks like an AWS access key" in (
        result.stderr
    )
    assert FREE_TEXT_KEY not in result.stderr


def test_a_credential_in_an_alarm_override_reason_is_refused(repo: Path) -> None:
    _write_env(
        repo,
        "overrides:\n  alarms:\n    service:\n      p99_latency:\n        threshold: 2\n"
        f"        reason: 'slow in staging, ask with key {FREE_TEXT_KEY}'\n",
    )
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 1
    assert f"{ENV_FILE}:7:17: overrides.alarms.service.p99_latency.reason: the text looks like an AWS access key" in (
        result.stderr
    )
    assert FREE_TEXT_KEY not in result.stderr


def test_ordinary_free_text_passes(repo: Path) -> None:
    _write_env(
        repo,
        "overrides:\n  alarms:\n    service:\n      p99_latency:\n        threshold: 2\n"
        "        reason: staging runs one small task; a p99 up to 2 s is expected there\n",
    )
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 0, result.stderr


def test_a_credential_as_a_listener_header_value_is_refused(repo: Path) -> None:
    spec = repo / "services/klausapproves/service.yaml"
    token = "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
    spec.write_text(
        spec.read_text().replace(
            "    domain: klausapproves.lemon.com\n",
            f"    domain: klausapproves.lemon.com\n    headers:\n      X-Partner: [partner-a, '{token}']\n",
        )
    )
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 1
    assert "spec.ingress.headers.X-Partner[1]: the text looks like a Slack token" in result.stderr
    assert token not in result.stderr


_SEGMENT = st.text(alphabet="ab-", min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    name=st.builds(lambda a, b: f"{a}/{b}", _SEGMENT, _SEGMENT) | _SEGMENT,
    services=st.frozensets(_SEGMENT, max_size=6),
    also=st.none() | _SEGMENT,
)
def test_a_secrets_owner_is_the_longest_service_name_it_is_under(
    name: str, services: frozenset[str], also: str | None
) -> None:
    """secret_owner looks names up prefix by prefix; the rule it implements, service by service:
    the longest service name that is the first path segment, or its prefix before a '-'."""
    first = name.split("/", 1)[0]
    candidates = services | ({also} if also else set())
    expected = max((s for s in candidates if first == s or first.startswith(f"{s}-")), key=len, default=None)
    assert secret_owner(name, services, also=also) == expected


@pytest.mark.parametrize("caches", ["on", "off"])
def test_a_variable_repeated_across_environments_is_judged_once_per_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caches: str
) -> None:
    """The same name and value in several environment files (LOG_LEVEL: info, say) is one verdict
    (cachedir.ByKey answers a key asked again from the run's entries), with caches on or off."""
    from generator.spec import secrets

    root = copy_inputs(tmp_path / "repo")
    for env_file in ("services/klausapproves/environments/staging.yaml", "services/bpg/environments/production.yaml"):
        path = root / env_file
        path.write_text(path.read_text().replace("variables:\n", "variables:\n  SHARED_REGION: eu-west-1\n", 1))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("INFRAGEN_NO_STAMP", "")
    monkeypatch.setenv("INFRAGEN_NO_CACHE", "" if caches == "on" else "1")
    judged: list[str] = []
    real = secrets.value_kinds
    monkeypatch.setattr(secrets, "value_kinds", lambda value: judged.append(value) or real(value))
    load_repo(root)
    assert judged.count("eu-west-1") == 1
    assert judged  # the other variables and texts were judged too
