"""``[notifiers.<id>]`` tables: typed options per channel type, located errors, secrets kept hidden."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from lishi_tui.config.errors import ConfigError
from lishi_tui.config.loader import load_config
from lishi_tui.notify.config import configured_notifiers, url_secrets
from tests.support.bundled import load_bundled

KEY = "693a91f6-7aoc-4bc4-97a0-0ec2sifa5aaa"
DING_SECRET = "SEC0123456789abcdef"
PASSWORD = "pa55-w0rd-smtp"
ENV = {"WECOM_KEY": KEY, "DING_SECRET": DING_SECRET, "SMTP_PASSWORD": PASSWORD}

GOOD = """
[notifiers.office]
type = "wecom"
url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${WECOM_KEY}"

[notifiers.leaders]
type = "dingtalk"
url = "https://oapi.dingtalk.com/robot/send?access_token=abcdef123456"
secret = "${DING_SECRET}"
msgtype = "text"
retries = 5
timeout = "20s"

[notifiers.mail]
type = "email"
host = "smtp.lishi.example"
from = "alerts@lishi.example"
to = ["office@lishi.example"]
username = "alerts"
password = "${SMTP_PASSWORD}"

[notifiers.pager]
type = "command"
command = ["/usr/local/bin/page", "--team", "ops"]
enabled = false
"""


def _load(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> object:
    path = tmp_path / "lishi.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, load_bundled("notifiers"), env=ENV if env is None else env)


def test_tables_become_typed_notifiers(tmp_path: Path) -> None:
    from lishi_tui.config.schema import Config

    config = _load(tmp_path, GOOD)
    assert isinstance(config, Config)
    notifiers = configured_notifiers(config)
    assert list(notifiers) == ["office", "leaders", "mail", "pager"]
    office = notifiers["office"]
    assert office.type == "wecom" and office.channel is not None
    assert office.options["url"].endswith(f"key={KEY}") and office.options["msgtype"] == "markdown"
    assert (office.timeout, office.retries, office.enabled) == (timedelta(seconds=10), 3, True)
    leaders = notifiers["leaders"]
    assert (leaders.retries, leaders.timeout, leaders.options["msgtype"]) == (
        5,
        timedelta(seconds=20),
        "text",
    )
    mail = notifiers["mail"]
    assert mail.options["port"] == 0 and mail.options["starttls"] is True
    assert mail.options["password"] == PASSWORD
    assert notifiers["pager"].enabled is False
    # Every secret is known for redaction: env values, secret options, URL keys.
    assert {KEY, DING_SECRET, PASSWORD, "abcdef123456"} <= set(
        s for n in notifiers.values() for s in n.secrets
    )


def test_no_table_means_no_notifiers(tmp_path: Path) -> None:
    from lishi_tui.config.schema import Config

    config = _load(tmp_path, "")
    assert isinstance(config, Config) and dict(configured_notifiers(config)) == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[notifiers.a]\ntype = "wecon"\nurl = "https://x.example/"\n',
            "lishi.toml:2: notifiers.a.type: unknown notifier type 'wecon'; registered: "
            "'command', 'dingtalk', 'email', 'feishu', 'webhook', 'wecom' (did you mean 'wecom'?)",
        ),
        (
            "[notifiers.a]\nurl = 1\n",
            "lishi.toml:1: notifiers.a: missing required key 'type'",
        ),
        (
            '[notifiers.a]\ntype = "webhook"\nurll = "https://x.example/"\n',
            "lishi.toml:3: notifiers.a.urll: unknown key (did you mean 'url'?)",
        ),
        (
            '[notifiers.a]\ntype = "webhook"\nurl = "ftp://files.example/hook"\n',
            "lishi.toml:3: notifiers.a.url: must be an http:// or https:// URL",
        ),
        (
            '[notifiers.a]\ntype = "dingtalk"\nurl = "https://x.example/"\nretries = 50\n',
            "lishi.toml:4: notifiers.a.retries: must be at most 10, got 50",
        ),
        (
            '[notifiers.a]\ntype = "email"\nhost = "h"\nfrom = "a@b"\nto = ["nobody"]\n',
            "lishi.toml:5: notifiers.a.to: 'nobody' is not an e-mail address",
        ),
        (
            '[notifiers.a]\ntype = "email"\nhost = "h"\nfrom = "a@b"\nto = ["c@d"]\n'
            "ssl = true\nstarttls = true\n",
            "lishi.toml:6: notifiers.a.ssl: give either ssl = true (SMTPS, port 465) or "
            "starttls = true, not both",
        ),
        (
            '[notifiers.a]\ntype = "command"\ncommand = []\n',
            "lishi.toml:3: notifiers.a.command: needs the program to run",
        ),
        (
            '[notifiers.a]\ntype = "feishu"\n',
            "lishi.toml:1: notifiers.a: missing required option 'url'",
        ),
    ],
)
def test_mistakes_are_located(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    shown = [str(i).replace(str(tmp_path) + "/", "") for i in caught.value.issues]
    assert any(line.startswith(expected) for line in shown), shown


def test_secrets_never_echoed_in_errors(tmp_path: Path) -> None:
    text = (
        '[notifiers.a]\ntype = "wecom"\nurl = "not a url ${WECOM_KEY}"\n'
        '[notifiers.b]\ntype = "dingtalk"\nurl = "https://x.example/"\nsecret = ["${DING_SECRET}"]\n'
        '[notifiers.c]\ntype = "email"\nhost = "h"\nfrom = "a@b"\nto = ["c@d"]\n'
        'password = "${SMTP_PASSWORD}\\n"\nusername = "u"\n'
    )
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text, {**ENV, "SMTP_PASSWORD": PASSWORD})
    shown = str(caught.value)
    assert "notifiers.a.url: must be an http:// or https:// URL" in shown
    assert "notifiers.b.secret: expected a string" in shown
    assert "notifiers.c.password: the value holds a line break" in shown
    for secret in (KEY, DING_SECRET, PASSWORD):
        assert secret not in shown


def test_url_secrets_take_the_key_parts() -> None:
    assert url_secrets(f"https://qyapi.example/cgi-bin/webhook/send?key={KEY}") == [KEY]
    assert url_secrets("https://open.feishu.example/open-apis/bot/v2/hook/0a1b2c3d-4e5f") == [
        "0a1b2c3d-4e5f"
    ]


def test_the_plugins_command_lists_the_channel_types(tmp_path: Path) -> None:
    path = tmp_path / "lishi.toml"
    path.write_text("")
    out = subprocess.run(
        [sys.executable, "-m", "lishi_tui", "--config", str(path), "plugins", "--json"],
        capture_output=True,
        text=True,
        check=True,
        env={
            "PATH": "/usr/bin:/bin",
            "LISHI_TUI_PLUGINS_ALLOW": "notifiers",
            "HOME": str(tmp_path),
        },
    )
    (row,) = [r for r in json.loads(out.stdout) if r["name"] == "notifiers"]
    assert row["state"] == "loaded" and row["error"] is None
    assert row["notifiers"] == ["webhook", "wecom", "dingtalk", "feishu", "email", "command"]
    assert row["hooks"] == ["lishi_register_notifiers"]
