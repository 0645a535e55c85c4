"""Delivery through the shared HTTP client: the webhook body, retries, independence, health, secrets.

Every failure is a result, not an exception, so the alerts engine keeps the alert; one
slow channel does not hold another's delivery back.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
from pathlib import Path

import pytest

from lishi_tui.config.schema import CollectorSettings
from lishi_tui.notify import delivery
from lishi_tui.notify.api import (
    DeliveryError,
    NotifierConfig,
    NotifierType,
    SendContext,
    channel_health,
    deliver_all,
)
from lishi_tui.sources.api import Option, OptionKind
from lishi_tui.sources.http import HttpClient
from tests.support.httpserver import LocalHTTPServer, RecordedRequest, Route, closed_port
from tests.support.notify import event, notifier

TOKEN = "tok-9f8e7d6c5b4a"

CONTRACT = (
    "alert",
    "rule",
    "state",
    "severity",
    "indicator",
    "value",
    "unit",
    "period",
    "source",
    "demo",
    "since",
)


async def test_webhook_body_has_the_contract_keys(http_server: LocalHTTPServer) -> None:
    http_server.route("/hook", "ok")
    config = notifier("webhook", {"url": http_server.url("/hook")}, id="hook")
    batch = [event(state="resolved", alert_id="r"), event(severity="critical", alert_id="c")]
    result = (await deliver_all({"hook": config}, {"hook": batch}, lang="zh"))["hook"]
    assert result.ok and result.attempts == 1
    (request,) = http_server.requests
    assert request.method == "POST"
    body = request.json()
    assert set(CONTRACT) <= set(body)
    # The top level is the most severe firing event; every event is listed.
    assert (body["alert"], body["state"], body["severity"]) == ("c", "firing", "critical")
    assert body["indicator"] == "greening_area" and body["value"] == 1581.0
    assert (body["unit"], body["period"], body["source"]) == ("亩", "2026", "greening_report")
    assert body["since"] == "2026-12-01T23:10:00+00:00" and body["demo"] is False
    assert [e["alert"] for e in body["events"]] == ["c", "r"] and body["count"] == 2
    assert body["title"] == "lishi-tui 告警：1 条告警中，1 条已恢复"


async def test_webhook_headers_are_sent(http_server: LocalHTTPServer) -> None:
    http_server.route("/hook", "ok")
    options = {"url": http_server.url("/hook"), "headers": {"Authorization": f"Bearer {TOKEN}"}}
    config = notifier("webhook", options, id="h", secrets=(f"Bearer {TOKEN}",))
    assert (await deliver_all({"h": config}, {"h": [event()]}, lang="en"))["h"].ok
    assert http_server.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


async def test_retries_on_500_then_succeeds(http_server: LocalHTTPServer) -> None:
    http_server.sequence("/hook", [Route(500, b"busy"), Route(502, b""), Route(200, b"ok")])
    config = notifier("webhook", {"url": http_server.url("/hook")}, id="h", retries=3)
    result = (await deliver_all({"h": config}, {"h": [event()]}, lang="zh"))["h"]
    assert (result.ok, result.attempts) == (True, 3)
    assert http_server.count("/hook") == 3


async def test_429_waits_for_retry_after(http_server: LocalHTTPServer) -> None:
    http_server.sequence(
        "/hook", [Route(429, b"slow down", headers={"Retry-After": "7"}), Route(200, b"ok")]
    )
    config = notifier("webhook", {"url": http_server.url("/hook")}, id="h", retries=1)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    client = HttpClient(CollectorSettings())
    try:
        result = await delivery.deliver_one(
            NotifierConfig(**{**config.__dict__, "max_backoff": config.max_backoff * 1000}),
            [event()],
            lang="zh",
            http=client,
            now=lambda: event().since,
            sleep=sleep,
        )
    finally:
        await client.aclose()
    assert result.ok and result.attempts == 2
    assert waits == [7.0]


def test_backoff_doubles_and_is_capped() -> None:
    config = notifier("webhook", {"url": "http://127.0.0.1/"}, backoff=1.0)
    config = NotifierConfig(**{**config.__dict__, "max_backoff": config.backoff * 5})
    assert [delivery.backoff_delay(config, n, None) for n in (1, 2, 3, 4)] == [1, 2, 4, 5]
    assert delivery.backoff_delay(config, 1, 60.0) == 5  # Retry-After capped too


async def test_a_404_is_not_retried(http_server: LocalHTTPServer) -> None:
    http_server.route("/hook", "gone", status=404)
    config = notifier("webhook", {"url": http_server.url("/hook")}, id="h", retries=3)
    result = (await deliver_all({"h": config}, {"h": [event()]}, lang="zh"))["h"]
    assert not result.ok and result.attempts == 1
    assert "HTTP 404 Not Found: gone" in (result.error or "")


@pytest.mark.parametrize("fault", ["refused", "timeout", "500"])
async def test_each_fault_is_a_result_with_the_url_hidden(
    http_server: LocalHTTPServer, fault: str
) -> None:
    if fault == "refused":
        url = f"http://127.0.0.1:{closed_port()}/hook/{TOKEN}"
    else:
        http_server.route(
            f"/hook/{TOKEN}", "oops", status=500, delay=1.0 if fault == "timeout" else 0
        )
        url = http_server.url(f"/hook/{TOKEN}")
    config = notifier("webhook", {"url": url}, id="h", secrets=(url,), timeout=0.3, retries=1)
    result = (await deliver_all({"h": config}, {"h": [event()]}, lang="zh"))["h"]
    assert not result.ok and result.attempts == 2  # retryable: tried again once
    expected = {"refused": "connection refused", "timeout": "timed out", "500": "HTTP 500"}
    assert expected[fault] in (result.error or "")
    assert TOKEN not in (result.error or "")
    assert channel_health()["h"].ok is False and TOKEN not in str(channel_health()["h"])


async def test_a_slow_channel_does_not_delay_another(http_server: LocalHTTPServer) -> None:
    # Each robot answers only once the other has been asked: delivered one after the
    # other, the first would wait out its timeout and fail.
    arrived = {"/a": threading.Event(), "/b": threading.Event()}

    def robot(request: RecordedRequest) -> tuple[int, bytes]:
        arrived[request.path].set()
        other = "/b" if request.path == "/a" else "/a"
        return (200, b"{}") if arrived[other].wait(5) else (504, b"alone")

    http_server.route("/a", reply=robot)
    http_server.route("/b", reply=robot)
    configs = {
        n: notifier("webhook", {"url": http_server.url(f"/{n}")}, id=n, timeout=3) for n in "ab"
    }
    results = await deliver_all(configs, {"a": [event()], "b": [event()]}, lang="zh")
    assert results["a"].ok and results["b"].ok, results


async def test_unknown_disabled_and_empty_batches() -> None:
    off = NotifierConfig(id="off", type="webhook", enabled=False)
    results = await deliver_all(
        {"off": off}, {"off": [event()], "nobody": [event()], "x": []}, lang="zh"
    )
    assert results["off"] == results["off"].__class__(False, "notifier 'off' is disabled", 0)
    assert results["nobody"].error == "no notifier 'nobody' is configured"
    assert "x" not in results


async def test_a_raising_channel_plugin_is_contained() -> None:
    async def broken(ctx: SendContext) -> None:
        raise RuntimeError(f"bug with {ctx.options['key']}")

    def sync_refuses(ctx: SendContext) -> None:
        raise DeliveryError("refused", retryable=False)

    key = "k-secret-123456"
    kinds = {
        "broken": NotifierType("broken", broken, {"key": Option(OptionKind.STR, secret=True)}),
        "sync": NotifierType("sync", sync_refuses),
    }
    configs = {
        name: NotifierConfig(
            id=name, type=name, options={"key": key}, channel=kind, secrets=(key,), retries=0
        )
        for name, kind in kinds.items()
    }
    results = await deliver_all(configs, {n: [event()] for n in configs}, lang="zh")
    assert results["broken"].error == "RuntimeError: bug with ***"
    assert results["sync"].error == "refused"


def test_public_options_mask_secrets() -> None:
    url = f"https://robot.example/send?key={TOKEN}"
    config = notifier("dingtalk", {"url": url, "secret": "SECabc"}, secrets=(url, "SECabc"))
    shown = config.public_options()
    assert shown == {"url": "***", "secret": "***", "msgtype": "markdown"}
    assert TOKEN not in repr(config) and "SECabc" not in repr(config)


# -- command -----------------------------------------------------------------------------------


def _script(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "hook.py"
    path.write_text(body)
    return [sys.executable, str(path)]


async def test_command_gets_the_batch_on_stdin(tmp_path: Path) -> None:
    out = tmp_path / "got.json"
    argv = _script(
        tmp_path,
        "import sys, os, pathlib\n"
        f"pathlib.Path({str(out)!r}).write_text(os.environ['LISHI_TUI_NOTIFIER'] + '\\n' + sys.stdin.read())\n",
    )
    config = notifier("command", {"command": argv}, id="pager")
    result = await deliver_all(
        {"pager": config}, {"pager": [event(), event(alert_id="2")]}, lang="en"
    )
    assert result["pager"].ok, result
    name, payload = out.read_text().split("\n", 1)
    body = json.loads(payload)
    assert name == "pager" and body["count"] == 2 and set(CONTRACT) <= set(body)
    assert body["title"] == "lishi-tui alert: 2 firing"


async def test_command_failure_shows_stderr_without_secrets(tmp_path: Path) -> None:
    argv = _script(tmp_path, f"import sys\nsys.stderr.write('bad token {TOKEN}\\n')\nsys.exit(3)\n")
    config = notifier("command", {"command": argv}, id="c", secrets=(TOKEN,))
    result = (await deliver_all({"c": config}, {"c": [event()]}, lang="zh"))["c"]
    assert not result.ok and result.attempts == 1
    assert result.error is not None and result.error.endswith("exited with 3: bad token ***")


async def test_command_tempfail_is_retried_and_a_hang_is_killed(tmp_path: Path) -> None:
    flag = tmp_path / "ran-once"
    argv = _script(
        tmp_path,
        "import pathlib, sys\n"
        f"p = pathlib.Path({str(flag)!r})\n"
        "if not p.exists():\n    p.write_text('1'); sys.exit(75)\n",
    )
    config = notifier("command", {"command": argv}, id="c", retries=2)
    result = (await deliver_all({"c": config}, {"c": [event()]}, lang="zh"))["c"]
    assert (result.ok, result.attempts) == (True, 2)

    pid_file = tmp_path / "pid"
    hang = _script(
        tmp_path,
        f"import os, pathlib, time\npathlib.Path({str(pid_file)!r}).write_text(str(os.getpid()))\ntime.sleep(30)\n",
    )
    config = notifier("command", {"command": hang}, id="h", timeout=1.0)
    result = (await deliver_all({"h": config}, {"h": [event()]}, lang="zh"))["h"]
    assert not result.ok and result.error is not None
    assert "killed" in result.error or "timed out" in result.error
    with pytest.raises(ProcessLookupError):  # no child outlives its delivery
        os.kill(int(pid_file.read_text()), 0)


async def test_command_missing_program(tmp_path: Path) -> None:
    config = notifier("command", {"command": [str(tmp_path / "nope")]}, id="c")
    result = (await deliver_all({"c": config}, {"c": [event()]}, lang="zh"))["c"]
    assert result.error == f"{tmp_path / 'nope'}: no such program"


async def test_command_does_not_block_the_loop(tmp_path: Path) -> None:
    # The command waits for a file that only the event loop writes while it runs: a
    # delivery that blocked the loop would never see it and time out.
    flag = tmp_path / "loop-alive"
    argv = _script(
        tmp_path,
        f"import pathlib, sys, time\np = pathlib.Path({str(flag)!r})\n"
        "for _ in range(400):\n    if p.exists(): sys.exit(0)\n    time.sleep(0.01)\nsys.exit(9)\n",
    )
    config = notifier("command", {"command": argv}, id="c", timeout=10)

    async def touch_soon() -> None:
        await asyncio.sleep(0.1)
        flag.write_text("1")

    task = asyncio.create_task(touch_soon())
    result = (await deliver_all({"c": config}, {"c": [event()]}, lang="zh"))["c"]
    await task
    assert result.ok, result
