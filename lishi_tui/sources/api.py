"""What a source-type plugin provides (SourceType, Option) and receives (FetchContext).

This module imports neither Textual nor httpx, so plugins can be written and tested
without either.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol, TypedDict, Unpack

from lishi_tui.domain.model import Reading


class OptionKind(StrEnum):
    """The TOML type an option takes."""

    STR = "str"
    INT = "int"
    FLOAT = "float"  # ints are accepted too
    BOOL = "bool"
    LIST = "list"
    TABLE = "table"
    DURATION = "duration"  # "30s", "5m", "1h", "1d"
    PATH = "path"  # relative to the config file's folder; "builtin:" = bundled plugins folder
    URL = "url"  # http:// or https://
    STR_OR_INT = "str_or_int"  # a column name or a 0-based index


@dataclass(frozen=True)
class Option:
    """One option of a source type, as its table in the config takes it."""

    kind: OptionKind
    required: bool = False
    default: Any = None
    help: str = ""
    choices: tuple[Any, ...] = ()
    secret: bool = False  # never shown in logs, errors or `show`
    minimum: float | None = None  # for int, float: the smallest value allowed
    maximum: float | None = None  # for int, float: the largest value allowed


class FetchError(Exception):
    """A fetch failed in a way worth telling the operator about.

    ``retryable`` marks transient failures (timeouts, 5xx, 429) that the collector
    retries with backoff; ``retry_after`` honours a server's ``Retry-After``.
    ``where`` locates the fault: a URL, a file and line, or a JSON path.
    """

    def __init__(
        self,
        message: str,
        *,
        where: str = "",
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.retryable = retryable
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass(frozen=True)
class HttpResult:
    """A response body that has passed the size cap and redirect rules."""

    url: str  # final URL after redirects
    status: int
    content: bytes
    headers: Mapping[str, str]
    not_modified: bool = False  # a conditional request answered 304

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


class GetOptions(TypedDict, total=False):
    """What ``FetchContext.get`` passes on to ``HttpGetter.get`` besides the URL and headers."""

    params: Mapping[str, str] | None  # query parameters, merged with the URL's own
    conditional: bool  # send If-None-Match / If-Modified-Since (default True)


class HttpGetter(Protocol):
    """The shared HTTP client as a fetcher sees it (see ``lishi_tui.sources.http``)."""

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        conditional: bool = True,
    ) -> HttpResult: ...


@dataclass
class FetchContext:
    """Everything one run of one source gets."""

    source_id: str
    options: Mapping[str, Any]  # validated against the source type's schema, ${ENV} expanded
    indicators: tuple[str, ...]  # the indicator ids this source feeds
    http: HttpGetter
    now: datetime
    base_dir: Path  # the config file's folder
    builtin_dir: Path  # the bundled plugins folder
    state: dict[str, Any] = field(default_factory=dict)  # kept between runs of this source

    def resolve_path(self, value: str) -> Path:
        """A ``path`` option as a file: ``builtin:`` for bundled plugin data, else config-relative."""
        if value.startswith("builtin:"):
            return self.builtin_dir / value.removeprefix("builtin:")
        p = Path(value).expanduser()
        return p if p.is_absolute() else self.base_dir / p

    async def read_path_or_url(self, type_name: str) -> tuple[bytes, str]:
        """The bytes of the ``path`` or ``url`` option (exactly one) and where they came from.

        On a 304 the shared client hands back the body it remembered, so the caller always
        has something to parse.
        """
        path, url = self.options.get("path"), self.options.get("url")
        if bool(path) == bool(url):
            raise FetchError(
                f"a {type_name} source needs exactly one of `path` and `url`", where=self.source_id
            )
        if path:
            file = self.resolve_path(str(path))
            try:
                return file.read_bytes(), str(file)
            except FileNotFoundError:
                raise FetchError("file not found", where=str(file)) from None
            except OSError as exc:
                raise FetchError(f"cannot read the file: {exc.strerror}", where=str(file)) from None
        result = await self.get(str(url))
        return result.content, result.url

    async def get(
        self, url: str, *, headers: Mapping[str, str] | None = None, **request: Unpack[GetOptions]
    ) -> HttpResult:
        """GET ``url`` through the shared client with the source's configured ``headers``.

        ``headers`` given here are the source type's own (an ``Accept``, say); the
        configured ``headers`` option (declared by ``HTTP_OPTIONS``) is sent over them, so
        an operator can override any; ``params`` and ``conditional`` are passed on. The
        shared client adds the rest: the size and decompression caps, redirects
        (configured headers never cross to another origin), secret redaction in errors,
        and conditional requests: the ETag / Last-Modified of the last reply are kept in
        the store and on a 304 the remembered body comes back, so the caller always has
        something to parse.
        """
        sent = {str(k): str(v) for k, v in dict(headers or {}).items()}
        sent |= {str(k): str(v) for k, v in dict(self.options.get("headers") or {}).items()}
        return await self.http.get(url, headers=sent or None, **request)

    @property
    def indicator(self) -> str:
        """The single indicator a one-indicator source feeds."""
        if len(self.indicators) != 1:
            raise FetchError(
                f"source feeds {len(self.indicators)} indicators; this source type needs exactly one"
            )
        return self.indicators[0]


FetchFn = Callable[[FetchContext], Awaitable[Sequence[Reading]] | Sequence[Reading]]


@dataclass(frozen=True)
class SourceType:
    """A named way of fetching readings, with the options its config table takes.

    ``fetch`` may be ``async def`` (preferred for I/O) or a plain function, which the
    collector runs in a worker thread. Either way it is time-boxed by the source's
    ``timeout``. ``stages`` is set by ``http_source_type`` (leave it out): the collector
    then runs the same fetch as ``fetch`` does, in two parts (see ``FetchStages``).
    """

    name: str
    fetch: FetchFn
    options: Mapping[str, Option] = field(default_factory=dict)
    description: str = ""
    stages: FetchStages | None = None

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.fetch)


HTTP_OPTIONS: MappingProxyType[str, Option] = MappingProxyType(
    {"headers": Option(OptionKind.TABLE, default={}, secret=True, help="HTTP headers")}
)
"""The options every HTTP source type takes: ``OPTIONS = {...} | HTTP_OPTIONS``.

``headers`` is secret (a token in it is never shown) and sent by ``FetchContext.get``.
"""


class ParseFn(Protocol):
    """A parse function: readings for ``indicator`` from a body that came from ``origin``.

    It is a function of its arguments. A source whose body comes back unchanged (a 304,
    or the same bytes) with the same options and origin gets the readings the last parse
    gave, without another call; a parse that also reads the clock or another file says
    ``reparse=True`` to its ``http_source_type`` or ``file_source_type``.
    """

    def __call__(
        self, content: bytes, options: Mapping[str, Any], *, indicator: str, origin: str
    ) -> Sequence[Reading]: ...


# FetchContext.state: the last parse's inputs (body digest, options, indicator, origin)
# and the readings it gave.
LAST_PARSE_KEY = "lishi.last_parse"


def parsed(
    ctx: FetchContext, parse: ParseFn, content: bytes, origin: str, *, reparse: bool = False
) -> Sequence[Reading]:
    """``parse``'s readings of ``content``; those of this source's last parse when the body
    (by SHA-256), options, indicator and origin are all the same as then (unless
    ``reparse``). A parse that raised is not kept: the next run parses again."""
    indicator = ctx.indicator
    if reparse:
        return parse(content, ctx.options, indicator=indicator, origin=origin)
    digest = hashlib.sha256(content).digest()
    last = ctx.state.get(LAST_PARSE_KEY)
    if (
        isinstance(last, tuple)
        and last[0] == digest
        and last[2] == indicator
        and last[3] == origin
        and last[1] == ctx.options
    ):
        kept: tuple[Reading, ...] = last[4]
        return kept
    result = parse(content, ctx.options, indicator=indicator, origin=origin)
    if not isinstance(result, list | tuple):  # the collector names what it is instead
        return result
    readings = tuple(result)
    ctx.state[LAST_PARSE_KEY] = (digest, dict(ctx.options), indicator, origin, readings)
    return readings


@dataclass(frozen=True)
class FetchStages:
    """An ``http_source_type`` fetch in its parts, which the collector runs apart.

    The request (``download``) is the shared client's own code, so it runs on the
    collector's event loop, beside every other source's; the type's code (``headers``, then
    ``parse`` through ``readings``) runs in a worker thread, isolated as a plain fetch is, so a
    parse that blocks or never returns still freezes only itself. Calling the type's
    ``fetch`` does the same in one call (the plugin test harness does).
    """

    parse: ParseFn
    headers: Callable[[Mapping[str, Any]], Mapping[str, str]] | None = None
    reparse: bool = False

    async def download(
        self, ctx: FetchContext, own_headers: Mapping[str, str] | None
    ) -> HttpResult:
        """GET the ``url`` option with the ``params`` table as query parameters."""
        params = {str(k): str(v) for k, v in dict(ctx.options.get("params") or {}).items()}
        return await ctx.get(str(ctx.options["url"]), params=params, headers=own_headers)

    def readings(self, ctx: FetchContext, result: HttpResult) -> Sequence[Reading]:
        """What ``parse`` makes of the body (kept from the last parse if it is unchanged)."""
        return parsed(ctx, self.parse, result.content, result.url, reparse=self.reparse)


def http_source_type(
    name: str,
    parse: ParseFn,
    options: Mapping[str, Option],
    *,
    description: str = "",
    headers: Callable[[Mapping[str, Any]], Mapping[str, str]] | None = None,
    reparse: bool = False,
) -> SourceType:
    """A source type that GETs its ``url`` option once and hands the body to ``parse``.

    Declare ``url`` (and ``HTTP_OPTIONS``) in ``options``; a declared ``params`` table is
    sent as query parameters. ``headers`` gives the type's own request headers from the
    options (configured ``headers`` override them). Everything else (size caps,
    redirects, secrets, conditional requests and the 304 replay) is the shared client's.
    An unchanged body is not parsed again unless ``reparse`` (see ``ParseFn``).

    ``headers`` is a function of the options alone: the collector calls it once per set of
    options and keeps what it gave. The collector makes the request on its own event loop
    and calls ``headers`` and ``parse`` in a worker thread (``FetchStages``).
    """

    stages = FetchStages(parse, headers, reparse)

    async def fetch(ctx: FetchContext) -> Sequence[Reading]:
        own = headers(ctx.options) if headers is not None else None
        return stages.readings(ctx, await stages.download(ctx, own))

    return SourceType(name, fetch, options, description, stages)


def file_source_type(
    name: str,
    parse: ParseFn,
    options: Mapping[str, Option],
    *,
    description: str = "",
    check: Callable[[], object] | None = None,
    reparse: bool = False,
) -> SourceType:
    """A source type reading its ``path`` or ``url`` option (exactly one) and parsing it.

    ``check`` runs first (say which optional dependency is missing before a download).
    An unchanged file or body is not parsed again unless ``reparse`` (see ``ParseFn``).
    """

    async def fetch(ctx: FetchContext) -> Sequence[Reading]:
        if check is not None:
            check()
        content, origin = await ctx.read_path_or_url(name)
        return parsed(ctx, parse, content, origin, reparse=reparse)

    return SourceType(name, fetch, options, description)
