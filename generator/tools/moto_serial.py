"""moto's server answering one request at a time: what ``infragen sandbox up`` and the e2e tests run.

moto keeps its state in plain Python objects, and its threaded server (``python -m moto.server``)
changes them from several threads at once. Terraform applies up to ten resources at a time, and on
moto 5.2.5 a ``DescribeSecurityGroupRules`` that ran while another request added a rule failed
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

import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


SLOW = 1.0  # seconds under the lock after which a request is named in the server's log


def serial(app: WsgiApp) -> Callable[[dict[str, Any], Callable[..., Any]], list[bytes]]:
    """``app`` with one request handled at a time: the whole body is produced under the lock. A
    request that holds the lock for over ``SLOW`` seconds is named on stderr (the sandbox's
    moto.log): every other request waited for it."""
    lock = threading.Lock()

    def one_at_a_time(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with lock:
            start = time.monotonic()
            body = list(app(environ, start_response))
            held = time.monotonic() - start
        if held > SLOW:
            print(f"moto_serial: {held:.1f} s under the lock: {_request(environ)}", file=sys.stderr, flush=True)
        return body

    return one_at_a_time


def _request(environ: dict[str, Any]) -> str:
    """What a request was, for the log: method, host, and its API action (query string or X-Amz-Target)."""
    action = environ.get("HTTP_X_AMZ_TARGET") or environ.get("QUERY_STRING", "")[:80]
    return f"{environ.get('REQUEST_METHOD', '?')} {environ.get('HTTP_HOST', '?')}{environ.get('PATH_INFO', '')} {action}".strip()


def main(argv: list[str]) -> None:
    # moto is the sandbox extra's, not a runtime dependency: imported only where the server runs
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import run_simple

    host, port = argv[0], int(argv[1])
    run_simple(
        host,
        port,
        serial(DomainDispatcherApplication(create_backend_app)),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
