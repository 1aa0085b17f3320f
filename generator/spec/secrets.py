"""Credentials do not belong under `variables:`: they end up in committed HCL and in the state.

Values are checked with Yelp's detect-secrets plugins, in process (no files, no network, no
verification): AWS keys, private keys, Stripe, GitHub, GitLab, Slack, JWT, basic-auth URLs and the
other token formats it knows, plus high-entropy base64/hex strings. Two shapes it misses are checked
here: a URL with a password in its userinfo whatever the password's characters (its basic-auth
detector skips passwords with any of ``!$&'()*+,;=``), and ``password=...`` pairs in connection
strings. Names are checked with :data:`SECRET_NAME`. A variable that only looks like a secret is listed under `notSecrets:` in the
same environment file with a reason, which a reviewer sees in the diff.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
import re
import sys
import types
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

from generator import cachedir, fingerprint

SECRET_NAME = re.compile(
    r"(?:^|_)(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?|SIGNING_?KEY)(?:_|$)",
    re.IGNORECASE,
)
POINTER = (
    "store it in Secrets Manager or SSM Parameter Store and reference it under `secrets:` "
    "(if it is not a secret, list it under `notSecrets:` with the reason)"
)
SECRETS_MANAGER_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):secretsmanager:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
)

# scheme://user:password@host: the password runs to the last '@' before the host; RFC 3986 lets
# it hold any sub-delimiter (!$&'()*+,;=) and ':', never '/', '?' or '#' (those end the authority).
# The user may be empty (redis://:password@host). `user@host` without a password is no credential.
URL_PASSWORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#@]*:(?P<password>[^\s/?#]+)@[^\s/?#@]+", re.ASCII)
# password=..., pwd: ... in a DSN or connection string (libpq, JDBC, ODBC, Redis, AMQP options)
KEY_VALUE_PASSWORD = re.compile(
    r"(?:^|[\s;&?,])(?:password|passwd|pwd|secret|client_secret)\s*[=:]\s*[^\s;&,]+", re.IGNORECASE
)


@dataclass(frozen=True)
class _Detector:
    label: str
    plugin: Any


class _Deferred(types.ModuleType):
    """Stands in for a module until one of its attributes is read, then imports the real one."""

    def __getattr__(self, name: str) -> Any:
        return getattr(importlib.import_module(self.__name__), name)


@contextlib.contextmanager
def _requests_deferred() -> Iterator[None]:
    """detect-secrets imports `requests` (with urllib3 and http.client: about 80 ms, most of the
    cost of importing its plugins) for the plugins' ``verify()``, which infragen never calls (no
    network): while its modules import, ``import requests`` gets a stand-in that imports the real
    one the first time an attribute is read. The stand-in leaves sys.modules afterwards, so any
    later ``import requests`` is the real thing."""
    if "requests" in sys.modules:
        yield
        return
    stand_in = _Deferred("requests")
    sys.modules["requests"] = stand_in
    try:
        yield
    finally:
        if sys.modules.get("requests") is stand_in:
            del sys.modules["requests"]


@cache
def _detectors() -> tuple[_Detector, ...]:
    with _requests_deferred():
        return _plugins()


def _plugins() -> tuple[_Detector, ...]:
    from detect_secrets.plugins import (
        artifactory,
        aws,
        azure_storage_key,
        basic_auth,
        discord,
        github_token,
        gitlab_token,
        jwt,
        mailchimp,
        npm,
        openai,
        private_key,
        pypi_token,
        sendgrid,
        slack,
        square_oauth,
        stripe,
        telegram_token,
        twilio,
    )

    return (
        _Detector("an AWS access key", aws.AWSKeyDetector()),
        _Detector("a private key", private_key.PrivateKeyDetector()),
        _Detector("a Stripe key", stripe.StripeDetector()),
        _Detector("a GitHub token", github_token.GitHubTokenDetector()),
        _Detector("a GitLab token", gitlab_token.GitLabTokenDetector()),
        _Detector("a Slack token or webhook", slack.SlackDetector()),
        _Detector("a JSON web token", jwt.JwtTokenDetector()),
        _Detector("a URL with a password", basic_auth.BasicAuthDetector()),
        _Detector("an Artifactory token", artifactory.ArtifactoryDetector()),
        _Detector("an Azure storage key", azure_storage_key.AzureStorageKeyDetector()),
        _Detector("a Discord token", discord.DiscordBotTokenDetector()),
        _Detector("a Mailchimp key", mailchimp.MailchimpDetector()),
        _Detector("an npm token", npm.NpmDetector()),
        _Detector("an OpenAI key", openai.OpenAIDetector()),
        _Detector("a PyPI token", pypi_token.PypiTokenDetector()),
        _Detector("a SendGrid key", sendgrid.SendGridDetector()),
        _Detector("a Square OAuth secret", square_oauth.SquareOAuthDetector()),
        _Detector("a Telegram token", telegram_token.TelegramBotTokenDetector()),
        _Detector("a Twilio key", twilio.TwilioKeyDetector()),
    )


@cache
def _entropy() -> tuple[Any, ...]:
    with _requests_deferred():
        from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString, HexHighEntropyString

    return (Base64HighEntropyString(), HexHighEntropyString())


def value_kinds(value: str) -> list[str]:
    """What ``value`` looks like ("an AWS access key", ...), empty when it looks like no credential."""
    found = [d.label for d in _detectors() if any(True for _ in d.plugin.analyze_string(value))]
    if URL_PASSWORD.search(value):
        found.append("a URL with a password")
    if KEY_VALUE_PASSWORD.search(value):
        found.append("a connection string with a password")
    for plugin in () if found else _entropy():
        # the plugins look for quoted strings made only of their charset; the whole value counts
        for match in plugin.analyze_string(f'"{value}"'):
            if plugin.calculate_shannon_entropy(match) > plugin.entropy_limit:
                found.append("a high-entropy string (a generated key or password)")
                break
    return list(dict.fromkeys(found))


def name_rule(name: str) -> str | None:
    """The credential word in a variable name (PASSWORD, TOKEN, ...), or None."""
    match = SECRET_NAME.search(name)
    return match.group(1).upper() if match else None


def variable_problem(name: str, value: str) -> str | None:
    """Why ``name: value`` under `variables:` looks like a credential; never quotes the value."""
    kinds = value_kinds(value)
    if kinds:
        return f"the value looks like {' and '.join(kinds)}: {POINTER}"
    word = name_rule(name)
    if word:
        return f"the name contains {word}, so the value is treated as a credential: {POINTER}"
    return None


KMS_KEY_ARN = re.compile(r"^arn:(?P<partition>aws[a-z-]*):kms:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):key/")


def kms_key_problem(arn: str, account_id: str, region: str, env: str) -> str | None:
    """A secret's KMS key must be in the environment's own account and region, like the secret."""
    match = KMS_KEY_ARN.match(arn)
    if not match or (match["account"], match["region"]) == (account_id, region):
        return None
    return (
        f"the KMS key is in account {match['account']}, region {match['region']}: the {env} account is "
        f"{account_id} in {region}; a secret of this account is encrypted with a key of this account and region"
    )


def arn_problem(arn: str, account_id: str, region: str, env: str) -> str | None:
    """A Secrets Manager ARN must be in the environment's own account and region."""
    match = SECRETS_MANAGER_ARN.match(arn)
    if not match:
        return None
    wrong = []
    if match["account"] != account_id:
        wrong.append(f"account {match['account']} (the {env} account is {account_id})")
    if match["region"] != region:
        wrong.append(f"region {match['region']} (the {env} account is in {region})")
    if not wrong:
        return None
    return (
        f"the secret is in {' and '.join(wrong)}: reference a secret of the {env} account and region "
        "under `secrets:` (tasks read secrets with the account's own execution role)"
    )


# The platform modules publish each datastore's connection values under /infragen/<env>/<datastore>/
# (generator/spec/convention.py PARAMETER_PREFIX): a declared dependency injects them.
CONNECTION_PREFIX = "infragen"


def secret_name(reference: str) -> str:
    """The name a secret reference grants: an SSM parameter's name without its leading slash, or a
    Secrets Manager ARN's secret name (with AWS's random suffix)."""
    _, found, name = reference.partition(":secret:")
    return name if found else reference.lstrip("/")


def secret_owner(name: str, services: Collection[str], also: str | None = None) -> str | None:
    """The service a secret's name (:func:`secret_name`) is under: the longest service name (of
    ``services``, or ``also``) that is its first path segment or that segment's prefix before a '-';
    None for a shared name. Looked up prefix by prefix, not service by service: every secret
    reference of a repository is judged, 2,000 of them against 1,000 services at 1,000 x 3."""
    first = name.split("/", 1)[0]
    cut = len(first)
    while cut > 0:
        candidate = first[:cut]
        if candidate in services or candidate == also:
            return candidate
        cut = first.rfind("-", 0, cut)
    return None


def owner_problem(reference: str, service: str, services: frozenset[str]) -> str | None:
    """Why ``service`` may not reference this secret: its name is under another service's prefix
    (``<other>/...`` or ``<other>-...``, the convention that names every resource of a service
    after it; the longest service name that fits owns it) or is a platform connection parameter.
    The execution role is granted exactly what the environment file names, so such a reference
    reads what no declared dependency gives."""
    name = secret_name(reference)
    first = name.split("/", 1)[0]
    if reference.startswith("/") and first == CONNECTION_PREFIX:
        return (
            f"/{CONNECTION_PREFIX}/ holds the platform's connection values of datastores: declare the datastore "
            "under spec.dependencies.datastores and its values are injected (docs/design.md, connection by convention)"
        )
    owner = secret_owner(name, services, also=service)
    if owner is None or owner == service:
        return None
    return (
        f"the secret is named under service {owner}'s name ({owner}/... or {owner}-...): a service references "
        f"only its own secrets (named {service}/... or {service}-...) or shared ones; to use one of {owner}'s, "
        f"ask its owner team to share it under a name outside {owner}'s"
    )


_LINE = re.compile(r"^(?P<lead>\s*(?:-\s+)?)(?P<key>[^:#]+?)(?P<sep>\s*:\s*)(?P<value>.*)$")


def redact_line(text: str) -> str:
    """``text`` with its value replaced when the key or value looks like a credential (for excerpts)."""
    match = _LINE.match(text)
    if match is None:
        return "<line hidden: it may hold a secret>" if text.strip() and value_kinds(text.strip()) else text
    key = match["key"].strip().strip("'\"")
    value = match["value"].split(" #", 1)[0].strip().strip("'\"")
    if value and (name_rule(key) or value_kinds(value)):
        return f"{match['lead']}{match['key']}{match['sep']}<redacted>"
    return text


def scan(
    pairs: tuple[tuple[str, str], ...], not_secrets: frozenset[str], verdicts: cachedir.ByKey | None = None
) -> Iterator[tuple[str, str]]:
    """``(name, problem)`` for each variable that looks like a credential and is not opted out.
    ``verdicts``: each variable's verdict kept by a digest of its name, its value and the detectors
    (the generator and detect-secrets' version), so an unchanged variable is not scanned again and
    a run whose variables were all judged before never imports detect-secrets. The cache holds the
    digest and the problem text, which never quotes the value."""
    for name, value in pairs:
        if name in not_secrets:
            continue
        if verdicts is None:
            problem = variable_problem(name, value)
        else:
            text = f"{_detectors_version()}\0{name}\0{value}"  # a lone surrogate: validation reports it
            key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
            problem = verdicts.get(key, partial(_problem_text, name, value)) or None
        if problem:
            yield name, problem


def text_problem(value: str, verdicts: cachedir.ByKey | None = None) -> str | None:
    """Why free text that the generated roots carry (a description, a health check command, an
    alarm override's reason) looks like a credential, or None; never quotes it. Kept like a
    variable's verdict (:func:`scan`)."""
    if verdicts is None:
        return _free_text_problem(value) or None
    text = f"{_detectors_version()}\0free text\0{value}"
    key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return verdicts.get(key, partial(_free_text_problem, value)) or None


def _free_text_problem(value: str) -> str:
    kinds = value_kinds(value)
    if not kinds:
        return ""
    return (
        f"the text looks like {' and '.join(kinds)}: it would be written into the generated Terraform and its "
        "state; remove the credential (a service reads credentials from `secrets:` references)"
    )


def _problem_text(name: str, value: str) -> str:
    return variable_problem(name, value) or ""


def warm() -> None:
    """Import and build the detectors and read their version now: a cold run judges every variable
    (nothing cached), and does this while forked children read the input files (spec.load)."""
    _detectors()
    _entropy()
    _detectors_version()


@cache
def _detectors_version() -> str:
    """What a verdict depends on besides the variable: this generator and the detect-secrets release."""
    return f"{fingerprint.package_digest()} detect-secrets {_detect_secrets_release()}"


_RELEASE = re.compile(r"""^VERSION = ['"]([^'"\n]+)['"]$""", re.MULTILINE)


def _detect_secrets_release() -> str:
    """The release of the detect-secrets this process imports, read from its ``__version__.py`` as
    text: importing that module imports the package (its scanner and more), and
    ``importlib.metadata`` costs 30 ms of imports (email's parser among them), which a cold run
    spent while the children that read the input files waited for a core."""
    import importlib.util

    spec = importlib.util.find_spec("detect_secrets")
    if spec is not None and spec.origin is not None:
        with contextlib.suppress(OSError):
            with open(os.path.join(os.path.dirname(spec.origin), "__version__.py"), encoding="utf-8") as handle:
                found = _RELEASE.search(handle.read())
            if found:
                return found.group(1)
    from importlib.metadata import version  # a layout this reader does not know

    return version("detect-secrets")
