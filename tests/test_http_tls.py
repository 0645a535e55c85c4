"""The shared HTTP client's TLS context: certificates verified on every https:// request, and
the CA bundle read only once a TLS connection is made (a collector of http:// URLs never
reads it), against a real HTTPS server on 127.0.0.1 with a throwaway certificate."""

from __future__ import annotations

import ssl
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lishi_tui.config.schema import CollectorSettings, SourceConfig
from lishi_tui.sources.api import FetchError
from lishi_tui.sources.http import HttpClient, TrustOnFirstHandshake
from tests.support.httpserver import LocalHTTPServer, closed_port
from tests.support.tls import make_cert


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"hello")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_cert(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def https_url(cert: tuple[Path, Path]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*cert)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/hello"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
async def client() -> AsyncIterator[HttpClient]:
    c = HttpClient(CollectorSettings(timeout=timedelta(seconds=5)))
    yield c
    await c.aclose()


def source() -> SourceConfig:
    return SourceConfig(id="s", type="t", interval=timedelta(hours=1), indicators=(), options={})


def trust(client: HttpClient) -> TrustOnFirstHandshake:
    tls = client._tls
    assert isinstance(tls, TrustOnFirstHandshake)
    return tls


async def test_plain_http_never_reads_the_ca_bundle(
    http_server: LocalHTTPServer, client: HttpClient
) -> None:
    http_server.route("/a", b"hi")
    assert (await client.for_source(source(), {}).get(http_server.url("/a"))).content == b"hi"
    assert not trust(client).trust_loaded


async def test_an_unknown_certificate_is_refused(https_url: str, client: HttpClient) -> None:
    with pytest.raises(FetchError) as info:
        await client.for_source(source(), {}).get(https_url)
    assert "certificate" in info.value.message.lower()
    assert trust(client).trust_loaded  # read before the handshake that refused it


async def test_a_trusted_certificate_is_accepted_and_the_bundle_read_first(
    https_url: str, client: HttpClient, cert: tuple[Path, Path]
) -> None:
    http_view = client.for_source(source(), {})
    with pytest.raises(FetchError):  # makes the context (and this loop's client)
        await http_view.get(f"http://127.0.0.1:{closed_port()}/")
    tls = trust(client)
    assert not tls.trust_loaded
    tls.load_verify_locations(cafile=cert[0])  # as an operator's private CA would be
    result = await client.for_source(source(), {}).get(https_url)
    assert result.content == b"hello"
    assert tls.trust_loaded
    assert tls.verify_mode == ssl.CERT_REQUIRED and tls.check_hostname
