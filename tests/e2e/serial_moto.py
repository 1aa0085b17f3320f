"""moto's server (what ``python -m moto.server`` runs) answering one request at a time.

Terraform applies up to ten resources at once. moto keeps its state in plain Python objects that
its threaded server changes from several threads, and two e2e runs of this suite failed on that:
a security group whose default egress rule was gone when the provider revoked it right after the
create (``InvalidPermission.NotFound``), and an egress rule reported as a duplicate on its first
authorization (``InvalidPermission.Duplicate``). AWS handles each request atomically; a lock
around moto's application gives the emulator that property. Connections stay threaded (keep-alive),
only the work on the state is serial: each request takes milliseconds.

Usage: python serial_moto.py HOST PORT
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple


def serial(app: Callable[..., Iterable[bytes]]) -> Callable[..., list[bytes]]:
    lock = threading.Lock()

    def one_at_a_time(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with lock:
            return list(app(environ, start_response))  # the whole body made under the lock

    return one_at_a_time


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, serial(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
