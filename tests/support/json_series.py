"""N monthly JSON series for the bundled ``http_json`` source type: the payloads, their
routes on a LocalHTTPServer, and the config of N sources that fetch them (the collector's
cost tests and its bench)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.httpserver import LocalHTTPServer


def series_path(i: int) -> str:
    """Where series ``i`` is served."""
    return f"/series/{i}.json"


def series_payload(i: int, months: int) -> bytes:
    """``months`` monthly figures from January 2024, shaped like a statistics bureau's
    JSON API: ``{"data": [{"period": "2024-01", "value": "<i>.0"}, ...]}``."""
    records = [
        {"period": f"{2024 + m // 12}-{m % 12 + 1:02d}", "value": f"{i + m / 10:.1f}"}
        for m in range(months)
    ]
    return json.dumps({"data": records}).encode()


def serve_series(server: LocalHTTPServer, count: int, months: int) -> None:
    """Route series 0 to ``count - 1`` on ``server``."""
    for i in range(count):
        server.route(series_path(i), series_payload(i, months), content_type="application/json")


def write_series_config(
    folder: Path,
    port: int,
    count: int,
    *,
    concurrency: int,
    timeout: str,
    interval: str = "1h",
) -> Path:
    """``folder/lishi.toml``: ``count`` http_json sources ``s<i>``, each fetching series
    ``i`` from 127.0.0.1:``port`` into indicator ``series<i>``, and nothing else (no demo)."""
    lines = [
        "[app]",
        "demo = false",
        "[plugins]",
        'allow = ["source_http_json"]',
        "[collector]",
        f"max_concurrency = {concurrency}",
        f'timeout = "{timeout}"',
    ]
    for i in range(count):
        lines += [
            f"[indicators.series{i}]",
            f'name_zh = "序列{i}"',
            'frequency = "monthly"',
            f"[sources.s{i}]",
            'type = "http_json"',
            f'interval = "{interval}"',
            f'indicator = "series{i}"',
            f'url = "http://127.0.0.1:{port}{series_path(i)}"',
            'records = "data"',
            'period = "period"',
            'value = "value"',
        ]
    path = folder / "lishi.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
