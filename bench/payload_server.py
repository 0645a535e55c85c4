"""A local HTTP server in its own process serving N monthly JSON series, so its CPU is not ours.

Run as ``python bench/payload_server.py N``: prints the port, serves ``/series/<i>.json``
until its standard input closes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from socketserver import StreamRequestHandler

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.httpserver import LocalHTTPServer
from tests.support.json_series import serve_series

MONTHS = 24


def main() -> None:
    count = int(sys.argv[1])
    server = LocalHTTPServer()
    # The handler writes headers and body separately; with Nagle's algorithm on, each
    # response then waits out the client's delayed ACK (~40 ms), which would time the
    # server instead of the client.
    handler = server._server.RequestHandlerClass
    assert isinstance(handler, type) and issubclass(handler, StreamRequestHandler)
    handler.disable_nagle_algorithm = True
    serve_series(server, count, MONTHS)
    with server:
        print(server.port, flush=True)
        sys.stdin.read()  # the parent closes our stdin to stop us


if __name__ == "__main__":
    main()
