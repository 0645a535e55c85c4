"""The e-mail channel against a real SMTP server (aiosmtpd) on 127.0.0.1: plain, STARTTLS, SMTPS.

The TLS certificate is made for the test by the ``openssl`` command and trusted through
the channel's ``cafile`` option, so verification stays on as in production.
"""

from __future__ import annotations

import email
import email.policy
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from lishi_tui.notify.api import deliver_all
from tests.support.httpserver import closed_port
from tests.support.notify import event, notifier
from tests.support.tls import make_cert

PASSWORD = "smtp-pass-7c1e9a"


@dataclass
class Inbox:
    """What the server received, and who logged in."""

    mails: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.mails.append((str(envelope.mail_from), list(envelope.rcpt_tos), message))
        return "250 OK"


def _authenticator(inbox: Inbox) -> Any:
    def check(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword) and data.password == PASSWORD.encode():
            inbox.logins.append(data.login.decode())
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    return check


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_cert(tmp_path_factory.mktemp("tls"))


def _server_context(cert: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert[0]), str(cert[1]))
    return context


@pytest.fixture
def smtp_server(
    cert: tuple[Path, Path], request: pytest.FixtureRequest
) -> Iterator[tuple[Inbox, int]]:
    mode = getattr(request, "param", "starttls")
    inbox = Inbox()
    port = closed_port()
    kwargs: dict[str, Any] = {"authenticator": _authenticator(inbox), "auth_require_tls": True}
    if mode == "starttls":
        kwargs.update(tls_context=_server_context(cert), require_starttls=True)
    elif mode == "smtps":
        # aiosmtpd counts only STARTTLS as TLS for AUTH; here the whole session is TLS.
        kwargs.update(ssl_context=_server_context(cert), auth_require_tls=False)
    else:
        kwargs.update(auth_require_tls=False)
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _mail_options(port: int, cert: tuple[Path, Path], **extra: Any) -> dict[str, Any]:
    return {
        "host": "127.0.0.1",
        "port": port,
        "from": "alerts@lishi.example",
        "to": ["office@lishi.example", "duty@lishi.example"],
        "username": "alerts",
        "password": PASSWORD,
        "cafile": str(cert[0]),
        **extra,
    }


@pytest.mark.parametrize("smtp_server", ["starttls"], indirect=True)
async def test_starttls_mail_arrives(
    smtp_server: tuple[Inbox, int], cert: tuple[Path, Path]
) -> None:
    inbox, port = smtp_server
    config = notifier("email", _mail_options(port, cert), id="mail", secrets=(PASSWORD,))
    batch = [event(), event(alert_id="b", state="resolved", demo=True)]
    result = (await deliver_all({"mail": config}, {"mail": batch}, lang="zh"))["mail"]
    assert result.ok, result
    ((sender, recipients, mail),) = inbox.mails
    assert sender == "alerts@lishi.example"
    assert recipients == ["office@lishi.example", "duty@lishi.example"]
    assert inbox.logins == ["alerts"]
    assert mail["Subject"] == "【演示】lishi-tui 告警：1 条告警中，1 条已恢复"
    body = mail.get_content()
    assert "数值：1,581 亩 (2026年)" in body and "目标：1,787 亩" in body
    assert "演示：演示数据，并非公布数字" in body
    assert PASSWORD not in body


@pytest.mark.parametrize("smtp_server", ["smtps"], indirect=True)
async def test_smtps_mail_arrives_in_english(
    smtp_server: tuple[Inbox, int], cert: tuple[Path, Path]
) -> None:
    inbox, port = smtp_server
    options = _mail_options(port, cert, ssl=True, starttls=False)
    config = notifier("email", options, id="mail", secrets=(PASSWORD,))
    result = (await deliver_all({"mail": config}, {"mail": [event()]}, lang="en"))["mail"]
    assert result.ok, result
    ((_, _, mail),) = inbox.mails
    assert mail["Subject"] == "lishi-tui alert: 1 firing"
    assert "Value: 1,581 亩 (2026年)" in mail.get_content()


@pytest.mark.parametrize("smtp_server", ["starttls"], indirect=True)
async def test_wrong_password_is_a_failure_without_the_password(
    smtp_server: tuple[Inbox, int], cert: tuple[Path, Path]
) -> None:
    inbox, port = smtp_server
    options = _mail_options(port, cert, password="not-the-password")
    config = notifier("email", options, id="mail", secrets=("not-the-password",), retries=2)
    result = (await deliver_all({"mail": config}, {"mail": [event()]}, lang="zh"))["mail"]
    assert not result.ok and result.attempts == 1  # a refused login is not retried
    assert result.error == f"127.0.0.1:{port}: login refused (535)"
    assert inbox.mails == []


@pytest.mark.parametrize("smtp_server", ["starttls"], indirect=True)
async def test_an_untrusted_certificate_is_refused(
    smtp_server: tuple[Inbox, int], cert: tuple[Path, Path]
) -> None:
    inbox, port = smtp_server
    config = notifier("email", _mail_options(port, cert, cafile=""), id="mail")
    result = (await deliver_all({"mail": config}, {"mail": [event()]}, lang="zh"))["mail"]
    assert not result.ok and "TLS failed" in (result.error or "")
    assert inbox.mails == []


async def test_refused_connection_is_retried_and_reported(cert: tuple[Path, Path]) -> None:
    port = closed_port()
    config = notifier("email", _mail_options(port, cert), id="mail", retries=1)
    result = (await deliver_all({"mail": config}, {"mail": [event()]}, lang="zh"))["mail"]
    assert (result.ok, result.attempts) == (False, 2)
    assert result.error == f"127.0.0.1:{port}: connection refused"
