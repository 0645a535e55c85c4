"""Webhook keys, signing secrets and SMTP passwords stay out of logs, errors, reprs and redaction gaps."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from lishi_tui.config.loader import load_config
from lishi_tui.config.schema import Config
from lishi_tui.config.secrets import config_secrets
from lishi_tui.notify.api import channel_health, deliver_all
from lishi_tui.notify.config import configured_notifiers
from lishi_tui.text import redact
from tests.support.bundled import load_bundled
from tests.support.httpserver import LocalHTTPServer, closed_port

KEY = "0ec2-wecom-key-5aaa"
SECRET = "SECdingsecret42"
PASSWORD = "smtp-secret-pw"


def _config(tmp_path: Path, port: int, mail_port: int) -> Config:
    text = f"""
[notifiers.office]
type = "wecom"
url = "http://127.0.0.1:{port}/cgi-bin/webhook/send?key=${{WECOM_KEY}}"
retries = 0

[notifiers.leaders]
type = "dingtalk"
url = "http://127.0.0.1:{port}/robot/send?access_token=${{WECOM_KEY}}"
secret = "${{DING_SECRET}}"
retries = 0

[notifiers.mail]
type = "email"
host = "127.0.0.1"
port = {mail_port}
starttls = false
from = "a@lishi.example"
to = ["b@lishi.example"]
username = "alerts"
password = "${{SMTP_PASSWORD}}"
retries = 0
"""
    path = tmp_path / "lishi.toml"
    path.write_text(text)
    env = {"WECOM_KEY": KEY, "DING_SECRET": SECRET, "SMTP_PASSWORD": PASSWORD}
    return load_config(path, load_bundled("notifiers"), env=env)


async def test_failures_never_show_a_secret(
    tmp_path: Path, http_server: LocalHTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.support.notify import event

    # The robots echo what they got, as a careless server might: key and signed URL included.
    http_server.route("/cgi-bin/webhook/send", f"bad key {KEY}", status=500)
    http_server.route("/robot/send", f"no such token {KEY} sign for {SECRET}", status=400)
    config = _config(tmp_path, http_server.port, closed_port())
    notifiers = configured_notifiers(config)
    caplog.set_level(logging.WARNING, logger="lishi_tui.notify")
    results = await deliver_all(notifiers, {n: [event()] for n in notifiers}, lang="zh")
    assert not any(r.ok for r in results.values())
    shown = " ".join(
        [str(results), caplog.text, str(channel_health()), repr(notifiers)]
        + [str(n.public_options()) for n in notifiers.values()]
    )
    assert "HTTP 500" in shown and "HTTP 400" in shown and "connection refused" in shown
    for secret in (KEY, SECRET, PASSWORD):
        assert secret not in shown


def test_every_notifier_secret_reaches_the_config_wide_redaction(tmp_path: Path) -> None:
    config = _config(tmp_path, 1, 2)
    secrets = config_secrets(config)
    assert {KEY, SECRET, PASSWORD} <= set(secrets)
    signed = f"http://127.0.0.1:1/robot/send?access_token={KEY}&timestamp=1&sign=abc%2B"
    assert KEY not in redact(signed, secrets)
