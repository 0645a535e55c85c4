"""The plugins screen's notification channels: each notifier's last delivery, failures visible."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from lishi_tui.app import make_app
from lishi_tui.app.screens.plugins import PluginsScreen
from lishi_tui.notify import delivery
from lishi_tui.notify.api import ChannelHealth
from lishi_tui.notify.config import TABLE
from lishi_tui.notify.health import save_health
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import FIXED_NOW, build_config, build_registry, fill_store, screen_text
from tests.support.notify import notifier
from tests.support.waiting import until, until_shown

KEY = "wecom-key-0xdeadbeef"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "lishi.db")
    fill_store(s)
    yield s
    s.close()


async def test_a_failing_channel_shows_on_the_plugins_screen(store: SqliteStore) -> None:
    url = f"https://robot.example/send?key={KEY}"
    notifiers = {
        "office": notifier("wecom", {"url": url}, id="office", secrets=(url, KEY)),
        "mail": notifier("email", {"host": "h", "from": "a@b", "to": ["c@d"]}, id="mail"),
        "pager": notifier("command", {"command": ["/bin/true"]}, id="pager"),
    }
    config = dataclasses.replace(build_config(), tables={TABLE.key: notifiers})
    delivery.HEALTH.clear()  # this process's own deliveries (earlier tests) would be newer
    # What the collector (another process) recorded: office failing twice, mail fine.
    earlier = FIXED_NOW - timedelta(minutes=5)
    save_health(
        store,
        [
            ChannelHealth("office", "wecom", False, "WeCom refused the message: code 93000: "
                          "invalid webhook url", 1, FIXED_NOW, 2, earlier),
            ChannelHealth("mail", "email", True, None, 1, earlier, 0, earlier),
        ],
    )  # fmt: skip
    app = make_app(config, build_registry(), store, clock=lambda: FIXED_NOW, env={})
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, PluginsScreen), what="the plugins screen")
        screen = app.screen
        assert isinstance(screen, PluginsScreen)
        # The store is read on a worker thread.
        await until(pilot, lambda: screen.reads, what="the plugins screen's store read")
        text = await until_shown(pilot, "invalid webhook url", "通知渠道")
        assert "通知渠道" in text
        office = next(line for line in text.splitlines() if "office" in line)
        assert "wecom" in office and "故障" in office and " 2 " in office
        mail = next(line for line in text.splitlines() if " mail " in line)
        assert "正常" in mail
        pager = next(line for line in text.splitlines() if "pager" in line)
        assert "尚未发送" in pager
        assert KEY not in text


async def test_no_notifiers_no_section(store: SqliteStore) -> None:
    app = make_app(build_config(), build_registry(), store, clock=lambda: FIXED_NOW, env={})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, PluginsScreen), what="the plugins screen")
        assert isinstance(app.screen, PluginsScreen)
        screen = app.screen
        await until(pilot, lambda: screen.reads, what="its store read")  # then: nothing to show
        await until_shown(pilot, "broken_plugin")  # the screen is drawn
        assert not app.screen.query("#channels-table")
        assert "通知渠道" not in screen_text(app)
