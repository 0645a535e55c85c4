"""The shared HTTP client: one set of rules and lanes of httpx clients, and a per-source view.

Every source type fetches through :class:`SourceHttp`, which enforces the size cap, the
redirect policy, conditional requests, Retry-After and secret redaction, and turns every
transport failure into a readable :class:`~lishi_tui.sources.api.FetchError`.
"""

from __future__ import annotations

import asyncio
import email.utils
import errno
import ssl
import threading
import zlib
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from lishi_tui.config.schema import CollectorSettings, SourceConfig
from lishi_tui.sources.api import FetchError, HttpResult
from lishi_tui.sources.decoding import ACCEPTED, BodyTooLarge, CappedDecoder, UnsupportedEncoding
from lishi_tui.sources.loop_slots import LoopSlots
from lishi_tui.text import excerpt, redact

MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CACHE_KEY = "lishi.http_cache"  # the key under FetchContext.state where conditional data lives


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _seconds(value: float) -> str:
    return f"{value:g}"


class TrustOnFirstHandshake(ssl.SSLContext):
    """httpx's verifying TLS context (certifi's CA bundle, hostname checked) whose CA
    bundle is read just before the first TLS connection instead of when it is made.

    Reading the bundle costs about 28 ms of CPU per collector, a tenth of a millisecond per
    fetch on a first run of 200 sources, which a collector of ``http://`` URLs and files
    never needs. Every TLS connection starts with ``wrap_bio`` or ``wrap_socket``: both
    load the bundle first, so no handshake ever runs without it.
    """

    trust_loaded = False
    _loading: threading.Lock

    def __new__(cls) -> TrustOnFirstHandshake:
        ctx = super().__new__(cls, ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, check_hostname
        ctx._loading = threading.Lock()
        return ctx

    def load_trust(self) -> None:
        """Read certifi's CA bundle, as ``httpx.create_ssl_context(verify=True)`` does."""
        with self._loading:
            if not self.trust_loaded:
                import certifi  # httpx's own dependency

                self.load_verify_locations(cafile=certifi.where())
                self.trust_loaded = True

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        self.load_trust()
        return super().wrap_bio(*args, **kwargs)

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        self.load_trust()
        return super().wrap_socket(*args, **kwargs)


class HttpClient:
    """One set of HTTP rules and one cap on requests in flight for the whole process.

    Requests may be made from more than one event loop: the collector's own (every
    ``http_source_type`` source's request, ``lishi_tui.collector.staged``) and a fetch
    worker's (``lishi_tui.collector.isolation``), so that a plugin's own request is not
    handed to another thread and back.

    Each request borrows an ``httpx.AsyncClient`` of its loop's (an httpx pool belongs to
    the loop it runs on) that no other request is using, and gives it back when its body
    is read: a *lane*, made on first need with these settings and one shared TLS context,
    and kept for that loop's next requests with its keep-alive connections. A loop has at
    most as many lanes as requests it ever ran at once, and ``max_concurrency`` slots,
    shared by every loop, cap those. One pool of many connections shared by every request
    costs far more: httpcore walks every connection of a pool, polling each idle one's
    socket, whenever a request is assigned or ends (measured: about 1.4 ms of CPU a fetch
    against 0.55 ms with a lane each, BENCHMARKS.md, session 30). A fetch worker's loop
    closes its lanes when the worker ends (``loop_closers``).
    """

    def __init__(self, settings: CollectorSettings) -> None:
        self.settings = settings
        self._lanes: dict[asyncio.AbstractEventLoop, list[httpx.AsyncClient]] = {}
        self._tls: ssl.SSLContext | None = None
        self._made = threading.Lock()
        self._closed = False
        self._slots = LoopSlots(settings.max_concurrency)
        self.lanes_made = 0  # how many clients were ever made (tests read it)

    def _borrow(self) -> tuple[asyncio.AbstractEventLoop, httpx.AsyncClient]:
        """An idle lane of the running loop, made if it has none free."""
        loop = asyncio.get_running_loop()
        with self._made:
            idle = self._lanes.get(loop)
            if idle:
                return loop, idle.pop()
            if self._closed:
                raise RuntimeError("Cannot send a request, as the client has been closed.")
            first = idle is None
            self._lanes.setdefault(loop, [])
            client = self._make()
        if first:
            closers = loop_closers(loop)
            if closers is not None:
                closers.append(lambda: self._close_on(loop))
        return loop, client

    async def _give_back(self, loop: asyncio.AbstractEventLoop, client: httpx.AsyncClient) -> None:
        with self._made:
            idle = self._lanes.get(loop)
            if idle is not None:
                idle.append(client)
                return
        await client.aclose()  # its loop's lanes were closed while it was out

    def _make(self) -> httpx.AsyncClient:
        # Under self._made.
        if self._tls is None:
            self._tls = TrustOnFirstHandshake()
        size = max(1, self.settings.max_concurrency)
        self.lanes_made += 1
        return httpx.AsyncClient(
            limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
            timeout=httpx.Timeout(self.settings.timeout.total_seconds()),
            verify=self._tls,
            follow_redirects=False,  # redirects are followed by hand, under the host rule
            # Only what CappedDecoder undoes, so that no body is inflated unbounded.
            headers={"User-Agent": self.settings.user_agent, "Accept-Encoding": ACCEPTED},
            trust_env=False,  # proxies from the environment would bypass the host rule
        )

    async def _close_on(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._made:
            lanes = self._lanes.pop(loop, [])
        for client in lanes:
            await client.aclose()

    @property
    def max_concurrency(self) -> int:
        return max(1, self.settings.max_concurrency)

    def for_source(self, source: SourceConfig, state: dict[str, Any]) -> SourceHttp:
        """A view for one run of ``source``; ``state`` keeps conditional-request data."""
        seconds = (source.timeout or self.settings.timeout).total_seconds()
        return SourceHttp(self, source, state, timeout=seconds)

    async def aclose(self) -> None:
        """Close this loop's lanes (one still out is closed as it comes back); a fetch
        worker's are closed by its worker as it ends (another loop's client cannot be
        closed from here), and no loop makes a new one."""
        self._closed = True
        await self._close_on(asyncio.get_running_loop())
        with self._made:
            # Loops that ended without closing theirs (not fetch workers): nothing to await.
            for loop in [lp for lp in self._lanes if lp.is_closed()]:
                del self._lanes[loop]

    @property
    def closed(self) -> bool:
        return self._closed


def loop_closers(loop: asyncio.AbstractEventLoop) -> list[Callable[[], Awaitable[None]]] | None:
    """What ``loop``'s owner runs on it before closing it (a fetch worker's loop), or None
    for a loop that has no such list."""
    closers = getattr(loop, "lishi_closers", None)
    return closers if isinstance(closers, list) else None


class SourceHttp:
    """The shared client as one source sees it (implements ``HttpGetter``)."""

    # Requests may be made from any thread's running loop (each loop has its own pool): a
    # fetch worker calls this directly instead of handing each request to the collector's
    # loop and back (lishi_tui.collector.isolation).
    runs_on_any_loop: ClassVar[bool] = True

    def __init__(
        self, client: HttpClient, source: SourceConfig, state: dict[str, Any], *, timeout: float
    ) -> None:
        self._client = client
        self.source = source
        self._cache: dict[str, dict[str, Any]] = state.setdefault(CACHE_KEY, {})
        self.timeout = timeout
        self.bytes_received = 0
        self.requests = 0
        self.last_url = ""

    def redact(self, text: str) -> str:
        return redact(text, self.source.secrets)

    def _error(
        self,
        message: str,
        url: str | httpx.URL,
        *,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> FetchError:
        return FetchError(
            self.redact(message),
            where=self.redact(str(url)),
            retryable=retryable,
            retry_after=retry_after,
        )

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        conditional: bool = True,
    ) -> HttpResult:
        """GET ``url`` under the source's rules; raises FetchError on any failure."""
        try:
            start = httpx.URL(url)
            if params:
                # Merge, not replace: a configured URL may carry its own query string.
                start = start.copy_merge_params(dict(params))
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise self._error(f"invalid URL: {exc}", url) from None
        if start.scheme not in ("http", "https"):
            raise self._error("only http:// and https:// URLs can be fetched", url)
        key = str(start)
        cached = self._cache.get(key) if conditional else None
        self.last_url = str(start)
        async with self._client._slots:
            try:
                async with asyncio.timeout(self.timeout):
                    return await self._follow(start, dict(headers or {}), cached, key, conditional)
            except TimeoutError:
                raise self._error(
                    f"timed out after {_seconds(self.timeout)} s", self.last_url, retryable=True
                ) from None

    async def _follow(
        self,
        start: httpx.URL,
        headers: dict[str, str],
        cached: dict[str, Any] | None,
        key: str,
        conditional: bool,
    ) -> HttpResult:
        url = start
        visited = [str(url)]
        extra = dict(headers)
        if cached:
            if cached.get("etag"):
                extra["If-None-Match"] = cached["etag"]
            if cached.get("last_modified"):
                extra["If-Modified-Since"] = cached["last_modified"]
        while True:
            status, resp_headers, content = await self._send(url, extra)
            if status in REDIRECT_STATUSES and "location" in resp_headers:
                target = url.join(resp_headers["location"])
                self._check_redirect(start, url, target, visited)
                if _origin(target) != _origin(url):
                    # Tokens in headers belong to the origin they were written for: another
                    # scheme, host or port gets none of the configured headers.
                    extra = {}
                url = target
                visited.append(str(url))
                self.last_url = str(url)
                continue
            break
        if status == 304:
            if not cached:
                raise self._error("304 Not Modified, but no earlier copy is kept", url)
            return HttpResult(
                url=cached["url"],
                status=304,
                content=cached["content"],
                headers=resp_headers,
                not_modified=True,
            )
        if not 200 <= status < 300:
            raise self._status_error(status, resp_headers, content, url)
        result = HttpResult(url=str(url), status=status, content=content, headers=resp_headers)
        etag = resp_headers.get("etag")
        last_modified = resp_headers.get("last-modified")
        if conditional and (etag or last_modified):
            self._cache[key] = {
                "etag": etag,
                "last_modified": last_modified,
                "content": content,
                "url": str(url),
            }
        elif key in self._cache:
            del self._cache[key]
        return result

    def _check_redirect(
        self, start: httpx.URL, current: httpx.URL, target: httpx.URL, visited: list[str]
    ) -> None:
        if str(target) in visited:
            chain = " -> ".join([*visited, str(target)])
            raise self._error(f"redirect loop: {chain}", start)
        if len(visited) > MAX_REDIRECTS:
            chain = " -> ".join([*visited, str(target)])
            raise self._error(f"more than {MAX_REDIRECTS} redirects: {chain}", start)
        if target.scheme not in ("http", "https"):
            raise self._error(f"redirect to a non-HTTP URL refused: {target}", current)
        if current.scheme == "https" and target.scheme == "http":
            raise self._error(f"redirect from https to plain http refused: {target}", current)
        allowed = {h.lower().split(":")[0] for h in self.source.allow_redirects_to}
        if target.host != start.host and target.host not in allowed:
            raise self._error(
                f"redirect to another host refused: {target} "
                f"(add {target.host!r} to allow_redirects_to to follow it)",
                current,
            )

    async def post(
        self, url: str, *, content: bytes, headers: Mapping[str, str] | None = None
    ) -> HttpResult:
        """POST ``content`` to ``url`` (notifications); raises FetchError on any failure.

        Redirects are not followed: a webhook that moved is reported, not re-posted to a
        place nobody configured. Time-limited, size-capped and redacted like ``get``.
        """
        try:
            target = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise self._error(f"invalid URL: {exc}", url) from None
        if target.scheme not in ("http", "https"):
            raise self._error("only http:// and https:// URLs can be posted to", url)
        self.last_url = str(target)
        async with self._client._slots:
            try:
                async with asyncio.timeout(self.timeout):
                    status, resp_headers, body = await self._send(
                        target, dict(headers or {}), method="POST", content=content
                    )
            except TimeoutError:
                raise self._error(
                    f"timed out after {_seconds(self.timeout)} s", self.last_url, retryable=True
                ) from None
        if status in REDIRECT_STATUSES:
            moved = self.redact(resp_headers.get("location", ""))
            raise self._error(f"HTTP {status}: redirected to {moved or '?'}; not followed", target)
        if not 200 <= status < 300:
            raise self._status_error(status, resp_headers, body, target)
        return HttpResult(url=str(target), status=status, content=body, headers=resp_headers)

    async def _send(
        self,
        url: httpx.URL,
        headers: dict[str, str],
        *,
        method: str = "GET",
        content: bytes | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        loop, client = self._client._borrow()
        try:
            return await self._exchange(client, url, headers, method=method, content=content)
        finally:
            await self._client._give_back(loop, client)

    async def _exchange(
        self,
        client: httpx.AsyncClient,
        url: httpx.URL,
        headers: dict[str, str],
        *,
        method: str,
        content: bytes | None,
    ) -> tuple[int, dict[str, str], bytes]:
        cap = self._client.settings.max_bytes
        self.requests += 1
        try:
            request = client.build_request(method, url, headers=headers, content=content)
            response = await client.send(request, stream=True)
        except httpx.TimeoutException:
            raise self._error(
                f"timed out after {_seconds(self.timeout)} s", url, retryable=True
            ) from None
        except httpx.ConnectError as exc:
            raise self._error(_connect_message(exc), url, retryable=True) from None
        except httpx.LocalProtocolError:
            # The request itself is malformed, typically a header value with a line break
            # (a token read with its trailing newline). The value is never repeated.
            raise self._error(
                "the request could not be sent: a header value holds a line break or "
                "control character (check the source's token or headers)",
                url,
            ) from None
        except httpx.TransportError as exc:
            raise self._error(
                f"connection failed: {exc or type(exc).__name__}", url, retryable=True
            ) from None
        try:
            resp_headers = {k.lower(): v for k, v in response.headers.items()}
            declared = resp_headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise self._error(f"response larger than {cap} bytes", url)
            if response.status_code in REDIRECT_STATUSES or response.status_code == 304:
                return response.status_code, resp_headers, b""
            decoder = CappedDecoder(resp_headers.get("content-encoding", ""), cap)
            chunks: list[bytes] = []
            received = 0
            async for raw in response.aiter_raw():
                received += len(raw)
                if received > cap:
                    raise self._error(f"response larger than {cap} bytes", url)
                chunks.append(decoder.feed(raw))
            chunks.append(decoder.flush())
            return response.status_code, resp_headers, b"".join(chunks)
        except BodyTooLarge:
            raise self._error(f"response larger than {cap} bytes once decompressed", url) from None
        except (UnsupportedEncoding, zlib.error) as exc:
            raise self._error(f"could not decode the response body: {exc}", url) from None
        except httpx.TimeoutException:
            raise self._error(
                f"timed out after {_seconds(self.timeout)} s", url, retryable=True
            ) from None
        except httpx.DecodingError as exc:
            raise self._error(f"could not decode the response body: {exc}", url) from None
        except httpx.TransportError as exc:
            raise self._error(
                f"connection broken while reading the body: {exc or type(exc).__name__}",
                url,
                retryable=True,
            ) from None
        finally:
            self.bytes_received += response.num_bytes_downloaded
            await response.aclose()

    def _status_error(
        self, status: int, headers: Mapping[str, str], content: bytes, url: httpx.URL
    ) -> FetchError:
        reason = httpx.codes.get_reason_phrase(status)
        message = f"HTTP {status} {reason}".rstrip()
        body = excerpt(content)
        if body:
            message += f": {body}"
        if status in (429, 503):
            return self._error(
                message,
                url,
                retryable=True,
                retry_after=parse_retry_after(headers.get("retry-after")),
            )
        return self._error(message, url, retryable=status >= 500)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host.lower(), url.port or default


def _connect_message(exc: httpx.ConnectError) -> str:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError) or (
            isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED
        ):
            return "connection refused"
        cause = cause.__cause__ or cause.__context__
    text = str(exc)
    if "refused" in text.lower():
        return "connection refused"
    return f"could not connect: {text or type(exc).__name__}"
