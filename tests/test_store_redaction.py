"""The core migration that redacts credentials older versions stored raw in URLs, on every
backend: secrets go, figures and every other column stay."""

from __future__ import annotations

from datetime import UTC, datetime

from lishi_tui.domain.model import Observation, Reading, SourceRunOutcome
from lishi_tui.domain.periods import Period
from lishi_tui.store.core import CORE
from lishi_tui.store.redaction import redact_urls
from lishi_tui.store.schema import MIGRATIONS_TABLE
from tests.support.stores import OpenStore

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
STEP = next(
    n for n, step in enumerate(CORE.steps, 1) if step.name == "credentials in stored URLs redacted"
)
KEYED = "https://api.example.cn/v2/series?series=gdp&key=S3CRETKEY&lang=zh"
TOKENED = "https://ops.example.cn/q?query=up&access_token=T0KEN-abc"
WITH_PASSWORD = "https://lishi:hunter2@data.example.cn/export.csv"


def test_redact_urls_hides_credentials_and_nothing_else() -> None:
    assert redact_urls(KEYED) == "https://api.example.cn/v2/series?series=gdp&key=***&lang=zh"
    assert redact_urls(TOKENED) == "https://ops.example.cn/q?query=up&access_token=***"
    assert redact_urls(WITH_PASSWORD) == "https://lishi:***@data.example.cn/export.csv"
    assert (
        redact_urls("https://x.cn/a?AppKey=1&Signature=2&client_secret=3&pwd=4&n=5")
        == "https://x.cn/a?AppKey=***&Signature=***&client_secret=***&pwd=***&n=5"
    )
    error = f"HTTP 403 from {KEYED}: forbidden"
    assert redact_urls(error) == (
        "HTTP 403 from https://api.example.cn/v2/series?series=gdp&key=***&lang=zh: forbidden"
    )
    plain = "https://data.stats.gov.cn/easyquery.htm?m=QueryData&dbcode=hgyd"
    assert redact_urls(plain) == plain
    assert redact_urls("config/data.csv") == "config/data.csv"
    assert redact_urls(redact_urls(KEYED)) == redact_urls(KEYED)


def test_the_migration_redacts_rows_stored_before_redaction(open_store: OpenStore) -> None:
    old = open_store()
    old.write(
        [
            Observation(
                Reading("gdp", Period.quarter(2025, m), 5.0 + m / 10, origin=KEYED),
                "stats",
                T0,
                fetch_url=KEYED,
            )
            for m in (1, 2, 3)
        ]
        + [Observation(Reading("up", Period.month(2025, 9), 99.5, origin=TOKENED), "prom", T0)]
        + [Observation(Reading("cpi", Period.month(2025, 9), 0.3, origin="data.csv"), "csv", T0)]
    )
    old.log_fetch(
        SourceRunOutcome("stats", T0, 1.0, ok=False, error=f"HTTP 403 from {WITH_PASSWORD}")
    )
    # As a database from before the step: its record goes, so the next open runs it.
    with old.transaction("schema") as tx:
        tx.execute(f"DELETE FROM {MIGRATIONS_TABLE} WHERE module = ? AND step = ?", ("core", STEP))
    old.close()

    store = open_store()
    rows = store.query(
        "SELECT indicator, period_key, value, origin, fetch_url, revision FROM observations"
        " ORDER BY indicator, period_key"
    )
    assert [(r[0], r[1], r[2], r[5]) for r in rows] == [
        ("cpi", "2025-09", 0.3, 1),
        ("gdp", "2025-Q1", 5.1, 1),
        ("gdp", "2025-Q2", 5.2, 1),
        ("gdp", "2025-Q3", 5.3, 1),
        ("up", "2025-09", 99.5, 1),
    ]
    origins = {(r[0], r[1]): (r[3], r[4]) for r in rows}
    hidden = "https://api.example.cn/v2/series?series=gdp&key=***&lang=zh"
    assert origins["gdp", "2025-Q2"] == (hidden, hidden)
    assert origins["up", "2025-09"][0] == "https://ops.example.cn/q?query=up&access_token=***"
    assert origins["cpi", "2025-09"][0] == "data.csv"
    (run,) = store.fetch_log("stats")
    assert run.error == "HTTP 403 from https://lishi:***@data.example.cn/export.csv"
    everything = repr(store.query("SELECT * FROM observations"))
    everything += repr(store.query("SELECT * FROM fetch_log"))
    for secret in ("S3CRETKEY", "T0KEN-abc", "hunter2"):
        assert secret not in everything
    recorded = store.query(
        f"SELECT name FROM {MIGRATIONS_TABLE} WHERE module = ? AND step = ?", ("core", STEP)
    )
    assert recorded == [("credentials in stored URLs redacted",)]
