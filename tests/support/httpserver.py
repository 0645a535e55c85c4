"""A real HTTP server on 127.0.0.1 for tests: routes per test, recorded requests, faults on demand.

Every source type's tests serve faithful payloads through this server instead of mocking
the transport. A route can answer slowly (``delay``), drip its body (``trickle``), redirect,
answer conditional requests with 304 (``etag`` / ``last_modified``), or lie about its length
(``content_length``) to produce a truncated body. ``closed_port()`` gives a port where
nothing listens, for connection-refused faults. POST bodies are recorded, and a route's
``reply`` can compute the answer from the request (a robot checking a signature).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Route:
    """One canned answer."""

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line is sent
    trickle: tuple[int, float] | None = None  # (chunk bytes, seconds between chunks)
    redirect: str | None = None  # Location header; status defaults to 302
    etag: str | None = None  # answer 304 when If-None-Match matches
    last_modified: str | None = None  # answer 304 when If-Modified-Since matches
    content_length: int | None = None  # declare a different length (a truncated body)
    # Computes (status, JSON-or-bytes body) from the request; overrides status and body.
    reply: Callable[[RecordedRequest], tuple[int, bytes]] | None = None


@dataclass(frozen=True)
class RecordedRequest:
    """A request the server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    received_at: float = 0.0  # the server's time.monotonic() when the request arrived
    body: bytes = b""  # what a POST sent
    target: str = ""  # the request target as sent, query string still encoded

    def json(self) -> Any:
        return json.loads(self.body)

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None


class LocalHTTPServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 with an ephemeral port."""

    def __init__(self) -> None:
        self._routes: dict[str, list[Route]] = {}
        self._lock = threading.Lock()
        self.requests: list[RecordedRequest] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        # Handler threads may be sleeping in a delay or trickle; never wait for them.
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> LocalHTTPServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LocalHTTPServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def url(self, path: str = "/", *, host: str = "127.0.0.1") -> str:
        """The address of ``path``; ``host="localhost"`` reaches the same server under
        another host name, for cross-host redirect tests."""
        if not path.startswith("/"):
            path = "/" + path
        return f"http://{host}:{self.port}{path}"

    def alt_url(self, path: str = "/") -> str:
        """``path`` on this server under the other host name (``localhost``)."""
        return self.url(path, host="localhost")

    def route(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        content_type: str | None = None,
        delay: float = 0.0,
        trickle: tuple[int, float] | None = None,
        redirect: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        content_length: int | None = None,
        reply: Callable[[RecordedRequest], tuple[int, bytes]] | None = None,
    ) -> Route:
        """Answer every request to ``path`` (query ignored) with this response."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        hdrs = dict(headers or {})
        if content_type:
            hdrs["Content-Type"] = content_type
        elif isinstance(body, str) and "Content-Type" not in hdrs:
            hdrs["Content-Type"] = "text/plain; charset=utf-8"
        r = Route(
            status=status if status is not None else (302 if redirect else 200),
            body=data,
            headers=hdrs,
            delay=delay,
            trickle=trickle,
            redirect=redirect,
            etag=etag,
            last_modified=last_modified,
            content_length=content_length,
            reply=reply,
        )
        self.sequence(path, [r])
        return r

    def sequence(self, path: str, routes: Sequence[Route]) -> None:
        """Answer successive requests to ``path`` with ``routes`` in turn; the last repeats."""
        if not routes:
            raise ValueError("a sequence needs at least one route")
        with self._lock:
            self._routes[_norm(path)] = list(routes)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == _norm(path)]

    def count(self, path: str) -> int:
        return len(self.requests_to(path))

    def _next(self, path: str) -> Route | None:
        with self._lock:
            routes = self._routes.get(path)
            if not routes:
                return None
            return routes.pop(0) if len(routes) > 1 else routes[0]

    def _record(self, req: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(req)


def _norm(path: str) -> str:
    return path if path.startswith("/") else "/" + path


def _make_handler(server: LocalHTTPServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean

        def do_GET(self) -> None:
            self._handle("GET", b"")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._handle("POST", self.rfile.read(length) if length else b"")

        def _handle(self, method: str, body: bytes) -> None:
            split = urlsplit(self.path)
            path = split.path or "/"
            request = RecordedRequest(
                method=method,
                path=path,
                query=parse_qs(split.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                received_at=time.monotonic(),
                body=body,
                target=self.path,
            )
            server._record(request)
            route = server._next(path)
            try:
                self._answer(route, request)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (a timeout test)

        def _answer(self, route: Route | None, request: RecordedRequest) -> None:
            if route is None:
                self._plain(404, b"no route for this path")
                return
            if route.delay:
                time.sleep(route.delay)
            if route.reply is not None:
                status, body = route.reply(request)
                route = Route(
                    status=status,
                    body=body,
                    headers={"Content-Type": "application/json", **route.headers},
                )
            if self._not_modified(route):
                self.send_response(304)
                if route.etag:
                    self.send_header("ETag", route.etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.redirect:
                self.send_header("Location", route.redirect)
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.last_modified:
                self.send_header("Last-Modified", route.last_modified)
            length = route.content_length if route.content_length is not None else len(route.body)
            self.send_header("Content-Length", str(length))
            if route.content_length is not None:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if route.trickle:
                size, pause = route.trickle
                for i in range(0, len(route.body), max(1, size)):
                    self.wfile.write(route.body[i : i + size])
                    self.wfile.flush()
                    time.sleep(pause)
            else:
                self.wfile.write(route.body)
            self.wfile.flush()

        def _not_modified(self, route: Route) -> bool:
            inm = self.headers.get("If-None-Match")
            if route.etag and inm and route.etag in [t.strip() for t in inm.split(",")]:
                return True
            ims = self.headers.get("If-Modified-Since")
            return bool(route.last_modified and ims and ims == route.last_modified)

        def _plain(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server() -> Iterator[LocalHTTPServer]:
    """A started server, stopped on exit."""
    with LocalHTTPServer() as server:
        yield server
