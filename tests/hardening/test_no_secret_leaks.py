"""No secret (bearer token, URL key, PostgreSQL password, robot webhook key, signing secret)
appears in stdout, stderr, --json output, the store or the screens, under the faults the other hardening tests provoke: a
server echoing the request back in an error, a redirect to another port, a timeout, a token
with a trailing newline, an unreachable PostgreSQL, a misspelt PostgreSQL URL."""

from __future__ import annotations

import asyncio
import io
import json
import sqlite3
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from lishi_tui.cli import main
from tests.support.httpserver import LocalHTTPServer, closed_port
from tests.support.waiting import until_shown

TOKEN = "tok-LEAK-5e1f"
API_KEY = "key-LEAK-a9c3"
PG_PASSWORD = "pg-LEAK-77d0"
SECRETS = (TOKEN, API_KEY, PG_PASSWORD)
ENV = {"TOKEN": TOKEN, "APIKEY": API_KEY, "PGPW": PG_PASSWORD, "LISHI_TUI_LANG": "en"}


def assert_clean(where: str, text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret} leaked in {where}:\n{text[-2000:]}"


def run(*argv: str, env: dict[str, str] | None = None) -> str:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        main(list(argv), env or ENV)
    return out.getvalue() + "\n" + err.getvalue()


def source(name: str, url: str, *, timeout: str = "3s") -> str:
    return (
        f'[sources.{name}]\ntype = "http_json"\ninterval = "1h"\n'
        f'indicators = ["gdp_growth"]\nurl = "{url}"\nperiod = "year"\nvalue = "v"\n'
        f'headers = {{ Authorization = "Bearer ${{TOKEN}}" }}\ntimeout = "{timeout}"\n'
    )


@pytest.fixture
def faulty(tmp_path: Path, http_server: LocalHTTPServer) -> Iterator[Path]:
    """A config whose sources meet every HTTP fault, each carrying the token and the key."""
    echo = f"request had Authorization: Bearer {TOKEN} and key={API_KEY}".encode()
    http_server.route("/echo500", echo, status=500)
    http_server.route("/echo400", echo, status=400)
    http_server.route("/slow", b"[]", delay=5)
    http_server.route("/bad", b"{not json " + echo)
    http_server.route("/ok", json.dumps([{"year": "2023", "v": 6.1}]).encode())
    other = LocalHTTPServer().start()  # another port: the token must not follow the redirect
    other.route("/landing", echo, status=500)
    http_server.route("/hop", redirect=f"{other.url('/landing')}?key={API_KEY}")
    q = "?key=${APIKEY}"
    text = '[app]\ndemo = false\ncollector = "off"\n[collector]\nretries = 0\n'
    text += '[pages.main]\ntitle_zh = "主页"\ntitle_en = "Main"\n'
    text += '[[pages.main.panels]]\nindicator = "gdp_growth"\n'
    text += f'[storage]\npath = "{tmp_path / "h.db"}"\n'
    for name, path in (
        ("e500", "/echo500"),
        ("e400", "/echo400"),
        ("bad", "/bad"),
        ("ok", "/ok"),
        ("hop", "/hop"),
    ):
        text += source(name, http_server.url(path) + q)
    text += source("slow", http_server.url("/slow") + q, timeout="1s")
    text += source("refused", f"http://127.0.0.1:{closed_port()}/x{q}")
    config = tmp_path / "c.toml"
    config.write_text(text)
    try:
        yield config
    finally:
        other.stop()
    assert all("authorization" not in r.headers for r in other.requests)


def store_text(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return "\n".join(
            str(cell) for n in names for row in con.execute(f'SELECT * FROM "{n}"') for cell in row
        )
    finally:
        con.close()


def test_no_secret_in_any_output_store_or_screen(faulty: Path, tmp_path: Path) -> None:
    fetched = run("--config", str(faulty), "fetch", "--once")
    assert "ERR e500" in fetched and "ok  ok" in fetched  # the faults really happened
    assert "***" in fetched
    assert_clean("fetch --once", fetched)
    for argv in (("show",), ("show", "--json"), ("plugins", "--json"), ("config", "check")):
        assert_clean(" ".join(argv), run("--config", str(faulty), *argv))
    assert_clean("the store", store_text(tmp_path / "h.db"))
    asyncio.run(_screens_are_clean(faulty))


async def _screens_are_clean(config: Path) -> None:
    from lishi_tui.app import make_app
    from lishi_tui.bootstrap import load_runtime

    runtime = load_runtime(config, ENV)
    store = runtime.open_store()
    try:
        app = make_app(runtime.config, runtime.registry, store)
        async with app.run_test(size=(160, 50)) as pilot:
            # Each screen is read once it shows what a leak would be part of: the figure
            # fetched with the key, its origin URL, every source's error.
            assert_clean("the dashboard", await until_shown(pilot, "6.1"))
            app.open_detail("gdp_growth")
            assert_clean("the detail screen", await until_shown(pilot, "/ok?key=***"))
            app.action_plugins()
            errors = await until_shown(pilot, "/echo500?key=***", "/x?key=***")
            assert_clean("the sources screen", errors)
    finally:
        store.close()


def test_a_token_with_a_newline_never_shows(faulty: Path) -> None:
    env = {**ENV, "TOKEN": TOKEN + "\n"}
    for argv in (("config", "check"), ("fetch", "--once"), ("show", "--json")):
        text = run("--config", str(faulty), *argv, env=env)
        assert "line break or control character (not shown)" in text
        assert_clean(" ".join(argv), text)


@pytest.mark.parametrize("scheme", ["postgresql", "postgresq"])
def test_the_postgres_password_never_shows(tmp_path: Path, scheme: str) -> None:
    url = f"{scheme}://lishi:${{PGPW}}@127.0.0.1:{closed_port()}/lishi"
    config = tmp_path / "c.toml"
    config.write_text(f'[app]\ndemo = false\n[storage]\nbackend = "postgresql"\nurl = "{url}"\n')
    for argv in (("show",), ("show", "--json"), ("fetch", "--once"), ("config", "check")):
        assert_clean(" ".join(argv), run("--config", str(config), *argv))


def test_config_secrets_finds_every_kind(faulty: Path) -> None:
    from lishi_tui.bootstrap import load_runtime
    from lishi_tui.config.secrets import config_secrets

    found = config_secrets(load_runtime(faulty, ENV).config)
    assert TOKEN in found and API_KEY in found


TELLS = """
from lishi_tui import hookimpl
from lishi_tui.sources.api import FetchError, Option, OptionKind, SourceType

async def raises(ctx):
    raise ValueError(f"refused with token {ctx.options['token']}")

async def interrupts(ctx):
    raise KeyboardInterrupt(ctx.options["token"])

def located(ctx):
    raise FetchError("bad reply", where=f"http://127.0.0.1:9/x?sig={ctx.options['token']}")

@hookimpl
def lishi_register_source_types(register):
    token = {"token": Option(OptionKind.STR, required=True, secret=True)}
    for name, fetch in (("raises", raises), ("interrupts", interrupts), ("located", located)):
        register(SourceType(name, fetch, token))
"""


def test_a_plugin_that_puts_its_secret_in_an_error_never_shows_it(tmp_path: Path) -> None:
    """A misbehaving plugin's own errors (an exception, KeyboardInterrupt, a located
    FetchError) carrying its secret option: redacted in fetch, show, the store."""
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "tells.py").write_text(TELLS, encoding="utf-8")
    text = '[app]\ndemo = false\ncollector = "off"\n[collector]\nretries = 0\n'
    text += f'[storage]\npath = "{tmp_path / "h.db"}"\n[plugins]\ndirs = ["p"]\n'
    for kind in ("raises", "interrupts", "located"):
        text += (
            f'[sources.{kind}]\ntype = "{kind}"\ninterval = "1h"\nindicator = "gdp_growth"\n'
            'token = "${TOKEN}"\n'
        )
    config = tmp_path / "c.toml"
    config.write_text(text, encoding="utf-8")
    fetched = run("--config", str(config), "fetch", "--once")
    for kind in ("raises", "interrupts", "located"):
        assert f"ERR {kind}" in fetched  # each failed, and said why
    assert "refused with token ***" in fetched
    assert_clean("fetch --once", fetched)
    for argv in (("show", "--json"), ("plugins", "--json"), ("config", "check")):
        assert_clean(" ".join(argv), run("--config", str(config), *argv))
    assert_clean("the store", store_text(tmp_path / "h.db"))


ROBOT_KEY = "robot-LEAK-3b7e"
SIGNING_SECRET = "SEC-LEAK-91ad"


def test_robot_keys_and_signing_secrets_never_show(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    """A WeCom key in the URL and a DingTalk signing secret: through config check, plugins,
    alerts --json, a failed delivery's error (the server echoes the request back), the
    channel health kept in the store, and the plugins screen."""
    from lishi_tui.bootstrap import load_runtime
    from lishi_tui.notify.api import deliver_all
    from lishi_tui.notify.config import configured_notifiers
    from lishi_tui.testing import PluginHarness

    secrets = (ROBOT_KEY, SIGNING_SECRET)
    env = {**ENV, "ROBOTKEY": ROBOT_KEY, "DINGSECRET": SIGNING_SECRET}
    # Each server echoes what its own request carried, as a careless one would.
    http_server.route("/cgi-bin/webhook/send", f"bad key={ROBOT_KEY}".encode(), status=500)
    ding_echo = f"bad access_token={ROBOT_KEY} secret={SIGNING_SECRET}".encode()
    http_server.route("/robot/send", ding_echo, status=400)
    config = tmp_path / "c.toml"
    config.write_text(
        '[app]\ndemo = false\ncollector = "off"\n'
        f'[storage]\npath = "{tmp_path / "h.db"}"\n'
        "[notifiers.wecom]\n"
        'type = "wecom"\nretries = 0\n'
        f'url = "{http_server.url("/cgi-bin/webhook/send")}?key=${{ROBOTKEY}}"\n'
        "[notifiers.ding]\n"
        'type = "dingtalk"\nretries = 0\nsecret = "${DINGSECRET}"\n'
        f'url = "{http_server.url("/robot/send")}?access_token=${{ROBOTKEY}}"\n'
        "[alerts.low]\n"
        'kind = "threshold"\nindicators = ["gdp_growth"]\nbelow = 5\n'
        'severity = "warning"\nnotify = ["wecom", "ding"]\n',
        encoding="utf-8",
    )

    def clean(where: str, text: str) -> None:
        for secret in secrets:
            assert secret not in text, f"{secret} leaked in {where}:\n{text[-2000:]}"

    for argv in (("config", "check"), ("plugins", "--json"), ("alerts", "--json"), ("show",)):
        clean(" ".join(argv), run("--config", str(config), *argv, env=env))
    runtime = load_runtime(config, env)
    store = runtime.open_store()
    try:
        notifiers = configured_notifiers(runtime.config)
        batch = (PluginHarness.sample_event(),)
        results = asyncio.run(
            deliver_all(notifiers, {n: batch for n in notifiers}, lang="en", store=store)
        )
        assert set(results) == {"wecom", "ding"} and not any(r.ok for r in results.values())
        assert len(http_server.requests_to("/cgi-bin/webhook/send")) == 1  # really sent
        for name, result in results.items():
            clean(f"the {name} delivery error", result.error or "")
    finally:
        store.close()
    clean("the store", store_text(tmp_path / "h.db"))
    asyncio.run(_plugins_screen_is_clean(config, env, clean))


async def _plugins_screen_is_clean(config: Path, env: dict[str, str], clean: object) -> None:
    from lishi_tui.app import make_app
    from lishi_tui.bootstrap import load_runtime

    check = clean
    assert callable(check)
    runtime = load_runtime(config, env)
    store = runtime.open_store()
    try:
        app = make_app(runtime.config, runtime.registry, store)
        async with app.run_test(size=(160, 50)) as pilot:
            app.action_plugins()
            # Once both channels show the failed delivery's error (redacted).
            shown = await until_shown(pilot, "wecom", "dingtalk", "key=***")
            check("the plugins screen", shown)
    finally:
        store.close()
