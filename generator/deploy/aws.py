"""The boto3 seam: one session per command, region from the account file, credentials from the
standard chain (``AWS_ENDPOINT_URL`` points every client at an emulator), AWS failures turned into
one-line :class:`DeployError` messages."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import InfragenError
from generator.spec.models import Account, Repo, Service


class DeployError(InfragenError):
    """A deploy-side command cannot go on: wrong account, missing image, AWS refused or unreachable."""


@dataclass(frozen=True)
class Target:
    """A service in an environment, resolved against the validated repository."""

    root: Path
    repo: Repo
    service: Service
    account: Account

    @property
    def cluster(self) -> str:
        return self.account.cluster_arn

    @property
    def name(self) -> str:
        return self.service.name


def resolve(root: Path, service: str, env: str) -> Target:
    from generator.api import validate

    repo = validate(root)
    names = [s.name for s in repo.services]
    if service not in names:
        from generator.spec.schema import known

        raise DeployError(f"unknown service {service!r}{known(service, names, 'services')}")
    found = repo.service(service)
    envs = [a.env for a in repo.accounts]
    if env not in envs:
        from generator.spec.schema import suggest

        raise DeployError(f"unknown environment {env!r}{suggest(env, envs) or '; accounts are: ' + ', '.join(envs)}")
    if env not in found.environments:
        raise DeployError(
            f"service {service!r} does not run in {env!r} (its environments: {', '.join(found.environments)})"
        )
    return Target(root, repo, found, repo.account(env))


@contextlib.contextmanager
def translated(action: str) -> Iterator[None]:
    """Turn botocore's exceptions into a one-line DeployError naming ``action``."""
    from botocore import exceptions as bx

    try:
        yield
    except (bx.NoCredentialsError, bx.PartialCredentialsError, bx.NoAuthTokenError):
        raise DeployError(
            f"{action}: no AWS credentials found (environment, ~/.aws profile, SSO or instance role); "
            "log in or export AWS_PROFILE"
        ) from None
    except (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ReadTimeoutError) as exc:
        raise DeployError(f"{action}: cannot reach the AWS endpoint: {exc}") from None
    except bx.ClientError as exc:
        error = exc.response.get("Error", {})
        message = _one_line(str(error.get("Message", exc)))
        raise DeployError(f"{action}: {error.get('Code', 'error')}: {message}") from None
    except bx.BotoCoreError as exc:
        raise DeployError(f"{action}: {exc}") from None


_TITLE = re.compile(r"<title>\s*(.*?)\s*</title>", re.IGNORECASE | re.DOTALL)


def _one_line(message: str, limit: int = 300) -> str:
    """An error message as one line: an HTML error page (a proxy's or an emulator's 500, which botocore
    hands over as the message) by its title; any other text with its whitespace folded, cut at ``limit``."""
    if re.match(r"\s*<(!doctype html|html)", message, re.IGNORECASE):
        title = _TITLE.search(message)
        return f"{' '.join(title.group(1).split()) if title else 'an error page'} (the endpoint answered with an HTML page)"
    folded = " ".join(message.split())
    return folded if len(folded) <= limit else folded[: limit - 3] + "..."


def error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


@dataclass
class Aws:
    """Clients for one region. Tests pass a ``session`` (or stub the clients it returns)."""

    region: str
    session: Any = None
    _clients: dict[str, Any] = field(default_factory=dict)

    def client(self, name: str) -> Any:
        if name not in self._clients:
            import boto3
            from botocore.config import Config

            session = self.session or boto3.session.Session()
            config = Config(
                region_name=self.region,
                retries={"mode": "standard", "max_attempts": 5},
                connect_timeout=5,
                read_timeout=30,
            )
            with translated(f"create {name} client"):
                self._clients[name] = session.client(name, region_name=self.region, config=config)
        return self._clients[name]

    def caller(self) -> dict[str, str]:
        with translated("sts:GetCallerIdentity"):
            identity: dict[str, str] = self.client("sts").get_caller_identity()
        return identity

    def check_account(self, account: Account) -> str:
        """The caller's ARN; refuse when the credentials belong to another account."""
        identity = self.caller()
        if identity.get("Account") != account.account_id:
            raise DeployError(
                f"wrong AWS account: the credentials are for {identity.get('Account')} ({identity.get('Arn')}), "
                f"but accounts/{account.env}/account.yaml says {account.account_id}"
            )
        return identity.get("Arn", "unknown")
