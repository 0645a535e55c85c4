"""Running an ``http_source_type`` fetch in its parts (``FetchStages``).

The request is the shared client's own code: it runs here, on the collector's event loop,
each request on an HTTP lane of its own (``lishi_tui.sources.http``), time-boxed by the
source's timeout as any request is. The type's code, its ``headers`` function (once per set
of options) and its ``parse``, runs on a fetch worker as a plain fetch does, with the
watchdog and the rule against starting a source whose last fetch is stuck. That is the same
isolation as running the whole fetch on a worker, without a worker loop's turns and two
thread hand-offs per request: measured, the fetch workers' CPU fell from about 1.5 to under
0.5 ms a fetch (BENCHMARKS.md, session 30).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from lishi_tui.collector.isolation import FetchRunner
from lishi_tui.sources.api import FetchContext, FetchStages

HEADERS_KEY = "lishi.type_headers"  # under FetchContext.state: (options, headers) last made
# A parse gets what is left of the source's timeout after its request, but at least this
# much (or the whole timeout, if that is shorter): a request that took nearly all of it
# should not make an ordinary parse look stuck.
PARSE_FLOOR_S = 1.0


async def run_staged(
    runner: FetchRunner, stages: FetchStages, ctx: FetchContext, *, seconds: float
) -> object:
    """What ``stages`` give for ``ctx``'s source: the readings, or the error raised."""
    runner.refuse_if_stuck(ctx.source_id)
    t0 = time.monotonic()
    own = await _type_headers(runner, stages, ctx, seconds) if stages.headers else None
    result = await stages.download(ctx, own)
    left = max(seconds - (time.monotonic() - t0), min(seconds, PARSE_FLOOR_S))

    def parse(c: FetchContext) -> object:
        return stages.readings(c, result)

    return await runner.run(parse, ctx, seconds=left, is_async=False)


async def _type_headers(
    runner: FetchRunner, stages: FetchStages, ctx: FetchContext, seconds: float
) -> Mapping[str, str]:
    kept = ctx.state.get(HEADERS_KEY)
    if isinstance(kept, tuple) and kept[0] == ctx.options:
        made: Mapping[str, str] = kept[1]
        return made
    make = stages.headers
    assert make is not None

    def headers(c: FetchContext) -> dict[str, Any]:
        return dict(make(c.options))

    own = await runner.run(headers, ctx, seconds=seconds, is_async=False)
    assert isinstance(own, dict)
    ctx.state[HEADERS_KEY] = (dict(ctx.options), own)
    return own
