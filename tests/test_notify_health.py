"""Channel health in the store: what the delivering process records, every viewer reads (both backends)."""

from __future__ import annotations

from pathlib import Path

from lishi_tui.notify import delivery
from lishi_tui.notify.api import channel_health, deliver_all
from lishi_tui.notify.health import load_health, save_health
from tests.support.httpserver import LocalHTTPServer
from tests.support.notify import SINCE, event, notifier
from tests.support.stores import OpenStore

TOKEN = "hook-token-31337"


async def test_outcomes_saved_by_one_store_are_read_by_another(
    open_store: OpenStore, http_server: LocalHTTPServer, tmp_path: Path
) -> None:
    http_server.route(f"/ok/{TOKEN}", "ok")
    http_server.route(f"/bad/{TOKEN}", "nope", status=500)
    good_url, bad_url = http_server.url(f"/ok/{TOKEN}"), http_server.url(f"/bad/{TOKEN}")
    notifiers = {
        "good": notifier("webhook", {"url": good_url}, id="good", secrets=(good_url,)),
        "bad": notifier("webhook", {"url": bad_url}, id="bad", secrets=(bad_url,)),
    }
    for stale in ("good", "bad"):  # outcomes of this process's earlier tests
        delivery.HEALTH.pop(stale, None)
    clock = iter([SINCE.replace(minute=m) for m in range(20, 40)])
    batches = {"good": [event()], "bad": [event()]}
    await deliver_all(notifiers, batches, lang="zh", now=lambda: next(clock))
    writer, reader = open_store(), open_store()
    save_health(writer, channel_health().values())
    await deliver_all(notifiers, batches, lang="zh", now=lambda: next(clock))
    save_health(writer, channel_health().values())

    seen = load_health(reader)
    good, bad = seen["good"], seen["bad"]
    assert (good.ok, good.error, good.failures_in_row, good.type) == (True, None, 0, "webhook")
    assert good.last_ok_at == good.at
    assert (bad.ok, bad.attempts, bad.failures_in_row, bad.last_ok_at) == (False, 1, 2, None)
    assert bad.error is not None and "HTTP 500" in bad.error and TOKEN not in bad.error
    assert bad.at.tzinfo is not None and bad.at > SINCE


def test_nothing_saved_reads_empty(open_store: OpenStore) -> None:
    store = open_store()
    save_health(store, [])
    assert load_health(store) == {}


async def test_deliver_all_records_in_the_store_it_is_given(
    open_store: OpenStore, http_server: LocalHTTPServer
) -> None:
    http_server.route("/hook", "ok")
    store = open_store()
    config = notifier("webhook", {"url": http_server.url("/hook")}, id="stored")
    result = await deliver_all({"stored": config}, {"stored": [event()]}, lang="zh", store=store)
    assert result["stored"].ok
    assert load_health(open_store())["stored"].ok is True
