"""moto's server answering one request at a time: what ``infragen sandbox up`` and the e2e tests run.

moto keeps its state in plain Python objects, and its threaded server (``python -m moto.server``)
changes them from several threads at once. Terraform applies up to ten resources at a time, and on
moto 5.2.6 a ``DescribeSecurityGroupRules`` that ran while another request added a rule failed
with ``RuntimeError: dictionary changed size during iteration`` (moto/ec2/models/security_groups.py,
``describe_security_group_rules``), answered as an HTTP 500 page. The AWS provider retries a 500,
so a request whose first attempt had already changed the state came back as
``InvalidPermission.Duplicate``, or a revoke as ``InvalidPermission.NotFound``. Ten threads that
create, change and describe security groups on one server met two to twelve such 500s in 400 to
600 rounds; behind this lock, none in 600.

AWS applies each API request atomically. A lock around moto's WSGI application gives the emulator
that property too. Connections stay threaded (keep-alive, slow clients), and only the work on the
state runs one request at a time, each in milliseconds.

Usage: python -m generator.tools.moto_serial HOST PORT (loopback only: the sandbox passes 127.0.0.1).
"""

from __future__ import annotations

import io
import sys
import threading
import time
import urllib.parse
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


SLOW = 1.0  # seconds under the lock after which a request is named in the server's log
# Query-protocol actions (EC2's among them) logged with their parameters and answer, failed or
# not: the security-group changes that Terraform's parallel applies make, so a "duplicate" or "not
# found" answer can be told apart from a request sent twice (a client's retry)
LOGGED = frozenset(
    {
        "CreateSecurityGroup",
        "DeleteSecurityGroup",
        "AuthorizeSecurityGroupIngress",
        "AuthorizeSecurityGroupEgress",
        "RevokeSecurityGroupIngress",
        "RevokeSecurityGroupEgress",
    }
)
FORM_LIMIT = 64 * 1024  # form bodies up to this size are read ahead to name their action
REPLAYS = 4096  # successful answers kept for a resent call (serial's docstring)
REPLAY_BYTES = 1024 * 1024  # larger answers are not kept
REPLAY_TOTAL = 64 * 1024 * 1024  # the kept answers' bodies together: the oldest go first
ARRIVED = "moto_serial.arrived"  # the environ key of a request's arrival time (time.monotonic())
FORM = "moto_serial.form"  # the environ key of its form fields read ahead (_read_form)


def serial(app: WsgiApp) -> Callable[[dict[str, Any], Callable[..., Any]], list[bytes]]:
    """``app`` with one request handled at a time: the whole body is produced under the lock, and a
    resent call is answered with its first answer instead of being applied twice.

    An AWS SDK names each call in its ``amz-sdk-invocation-id`` header and sends the same name with
    every retry of it. A retry after a successful answer means the client did not get that answer
    (the connection failed after the request was applied), and applying it again turns a create
    into ``InvalidPermission.Duplicate`` or a delete into a 404: the AWS provider resent an
    ``AuthorizeSecurityGroupEgress`` and a ``DeleteDashboards`` this way in two e2e runs. So the
    last ``REPLAYS`` successful answers (``REPLAY_TOTAL`` bytes at most) are kept by call, and a request of a call already answered
    is answered again the same way. Failed answers are not kept: a retry after a 500 or a throttle
    is applied as AWS would.

    On stderr (the sandbox's moto.log): a request that held the lock over ``SLOW`` seconds (every
    other request waited for it), every failed answer (4xx, 5xx), every ``LOGGED`` action, every
    retry (with the time it waited for the lock) and every replayed answer, each with its action
    and, for a form-encoded request, its parameters."""
    lock = threading.Lock()
    answers: OrderedDict[str, tuple[str, list[tuple[str, str]], list[bytes]]] = OrderedDict()
    kept = 0  # bytes of the kept answers' bodies

    def one_at_a_time(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        nonlocal kept
        arrived = environ[ARRIVED] = time.monotonic()
        form = environ[FORM] = _read_form(environ)
        call, _ = _sdk_call(environ)
        given: list[tuple[str, list[tuple[str, str]]]] = []

        def recording(code: str, headers: Any, *rest: Any) -> Any:
            given.append((code, list(headers)))
            return start_response(code, headers, *rest)

        with lock:
            start = time.monotonic()
            first = answers.get(call) if call else None
            if first is None:
                body = list(app(environ, recording))
                size = sum(map(len, body))
                if call and given and given[-1][0].startswith("2") and size <= REPLAY_BYTES:
                    answers[call] = (*given[-1], body)
                    kept += size
                    while len(answers) > REPLAYS or kept > REPLAY_TOTAL:
                        kept -= sum(map(len, answers.popitem(last=False)[1][2]))
            held = time.monotonic() - start
        if first is not None:
            start_response(first[0], first[1])
            body = first[2]
        code = (first[0] if first else given[-1][0] if given else "?").split(" ", 1)[0]
        attempt = _attempt(environ)
        failed = not code.startswith(("1", "2", "3"))
        if first or attempt or held > SLOW or form.get("Action", "") in LOGGED or failed:
            # one write per line: print() writes the newline apart, and werkzeug's request log,
            # written from other threads, landed between the two
            how = f"{code} replayed" if first else f"{code} {held:.2f} s"
            waited = f" (waited {start - arrived:.2f} s{attempt})" if attempt or start - arrived > SLOW else ""
            sys.stderr.write(f"moto_serial: {how}{waited} {_request(environ, form)}\n")
            sys.stderr.flush()
        return body

    return one_at_a_time


def _sdk_call(environ: dict[str, Any]) -> tuple[str, int]:
    """The AWS SDK call a request belongs to (its amz-sdk-invocation-id header names the call) and
    which attempt of it the request is (amz-sdk-request counts them); ("", 0) where not sent."""
    attempt = environ.get("HTTP_AMZ_SDK_REQUEST", "").split(";", 1)[0].removeprefix("attempt=").strip()
    return environ.get("HTTP_AMZ_SDK_INVOCATION_ID", ""), int(attempt) if attempt.isdigit() else 0


def _attempt(environ: dict[str, Any]) -> str:
    """For an AWS SDK's retry, the text ", attempt N of CALL"; empty for a first attempt."""
    call, attempt = _sdk_call(environ)
    return f", attempt {attempt} of {call or '?'}" if attempt > 1 else ""


def _read_form(environ: dict[str, Any]) -> dict[str, str]:
    """A small form-encoded body's fields (the query protocol: Action=...), the body put back for
    the application to read; empty for anything else."""
    length = environ.get("CONTENT_LENGTH") or ""
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return {}
    if not length.isdigit() or int(length) > FORM_LIMIT:
        return {}
    data = environ["wsgi.input"].read(int(length))
    environ["wsgi.input"] = io.BytesIO(data)
    return {key: values[0] for key, values in urllib.parse.parse_qs(data.decode("utf-8", "replace")).items()}


def _request(environ: dict[str, Any], form: dict[str, str]) -> str:
    """What a request was, for the log: method, host and path, its action (the form's, X-Amz-Target
    or the query string) and the form's other fields."""
    action = form.get("Action") or environ.get("HTTP_X_AMZ_TARGET") or environ.get("QUERY_STRING", "")[:80]
    fields = " ".join(f"{k}={v}" for k, v in sorted(form.items()) if k not in ("Action", "Version"))[:400]
    where = f"{environ.get('REQUEST_METHOD', '?')} {environ.get('HTTP_HOST', '?')}{environ.get('PATH_INFO', '')}"
    return " ".join(part for part in (where, action, fields) if part)


def main(argv: list[str]) -> None:
    # moto is the sandbox extra's, not a runtime dependency: imported only where the server runs
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import run_simple

    class Handler(MotoRequestHandler):
        def connection_dropped(self, error: BaseException, environ: dict[str, Any] | None = None) -> None:
            """A client that left before its answer was written: named in the log (werkzeug drops
            it silently), since the client's SDK may send the same request again."""
            if not environ:
                what = "before its request was read"
            else:  # how long after its request arrived, the call it was and which attempt
                since = f"{time.monotonic() - environ[ARRIVED]:.2f} s after arriving" if ARRIVED in environ else ""
                call, attempt = _sdk_call(environ)
                sdk = f"attempt {attempt} of {call}" if call else ""
                what = " ".join(part for part in (since, sdk, _request(environ, environ.get(FORM, {}))) if part)
            sys.stderr.write(f"moto_serial: client gone ({error!r}) {what}\n")
            sys.stderr.flush()

    host, port = argv[0], int(argv[1])
    run_simple(
        host,
        port,
        serial(DomainDispatcherApplication(create_backend_app)),
        threaded=True,
        request_handler=Handler,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
