"""A local HTTP server in its own process serving N monthly JSON series, so its CPU is not ours.

Run as ``python bench/payload_server.py N``: prints the port, serves ``/series/<i>.json``
until its standard input closes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from socketserver import StreamRequestHandler

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.httpserver import LocalHTTPServer

MONTHS = 24


def payload(i: int) -> bytes:
    """Two years of monthly figures, shaped like a statistics bureau's JSON API."""
    records = [
        {"period": f"{2022 + m // 12}-{m % 12 + 1:02d}", "value": f"{i + m / 10:.1f}"}
        for m in range(MONTHS)
    ]
    return json.dumps({"data": records}).encode()


def main() -> None:
    count = int(sys.argv[1])
    server = LocalHTTPServer()
    # The handler writes headers and body separately; with Nagle's algorithm on, each
    # response then waits out the client's delayed ACK (~40 ms), which would time the
    # server instead of the client.
    handler = server._server.RequestHandlerClass
    assert isinstance(handler, type) and issubclass(handler, StreamRequestHandler)
    handler.disable_nagle_algorithm = True
    for i in range(count):
        server.route(f"/series/{i}.json", payload(i), content_type="application/json")
    with server:
        print(server.port, flush=True)
        sys.stdin.read()  # the parent closes our stdin to stop us


if __name__ == "__main__":
    main()
