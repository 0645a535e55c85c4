"""The ``email`` channel: one mail per batch over SMTP, with STARTTLS (port 587) or SMTPS (465).

smtplib runs in a worker thread with the notifier's timeout on every socket operation:
the standard library needs no dependency and a batch is one short conversation, so an
async SMTP client would buy nothing here (see BENCHMARKS.md, "Notifications").
Credentials come from ``${ENV}`` in the config; the password is a secret option.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from lishi_tui.plugin import DeliveryError, NotifierType, Option, OptionKind, SendContext

if TYPE_CHECKING:
    from email.message import EmailMessage

# smtplib and email (1 % of the instructions to the dashboard's first paint, which loads
# every plugin) are imported when a mail is first sent.


def build_mail(ctx: SendContext) -> EmailMessage:
    """The batch as a plain-text UTF-8 mail: subject = the message title."""
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    message = ctx.message
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = ctx.options["from"]
    mail["To"] = ", ".join(ctx.options["to"])
    mail["Date"] = formatdate(ctx.now.timestamp(), usegmt=True)
    mail["Message-ID"] = make_msgid(domain="lishi-tui.local")
    mail.set_content(message.text, charset="utf-8")
    return mail


def _tls_context(ctx: SendContext) -> ssl.SSLContext:
    cafile = ctx.options.get("cafile") or None
    return ssl.create_default_context(cafile=cafile)


def _port(ctx: SendContext) -> int:
    port = ctx.options.get("port")
    if isinstance(port, int) and port > 0:
        return port
    if ctx.options["ssl"]:
        return 465
    return 587 if ctx.options["starttls"] else 25


def _deliver(ctx: SendContext) -> None:
    import smtplib

    options = ctx.options
    host = options["host"]
    port = _port(ctx)
    timeout = max(ctx.timeout, 0.1)
    if options["ssl"] and options["starttls"]:
        raise DeliveryError("give either ssl = true (SMTPS) or starttls = true, not both")
    recipients = list(options["to"])
    if not recipients:
        raise DeliveryError("no recipients: `to` is empty")
    mail = build_mail(ctx)
    smtp: smtplib.SMTP
    if options["ssl"]:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=_tls_context(ctx))
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        smtp.ehlo()
        if options["starttls"]:
            smtp.starttls(context=_tls_context(ctx))
            smtp.ehlo()
        if options.get("username"):
            smtp.login(options["username"], options.get("password") or "")
        refused = smtp.send_message(mail, from_addr=options["from"], to_addrs=recipients)
    if refused:
        raise DeliveryError(f"the server refused {len(refused)} of {len(recipients)} recipient(s)")


def send(ctx: SendContext) -> None:
    """Runs in a worker thread (a plain function); every failure becomes a DeliveryError."""
    import smtplib

    where = f"{ctx.options['host']}:{_port(ctx)}"
    try:
        _deliver(ctx)
    except DeliveryError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"{where}: login refused ({exc.smtp_code})") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(f"{where}: {exc}") from None
    except smtplib.SMTPResponseException as exc:
        # 4xx is "try again later"; 5xx is final.
        reply = (
            exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else ""
        )
        raise DeliveryError(
            f"{where}: SMTP {exc.smtp_code} {ctx.redact(reply)[:120]}".rstrip(),
            retryable=400 <= exc.smtp_code < 500,
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"{where}: every recipient refused ({len(exc.recipients)})") from None
    except smtplib.SMTPServerDisconnected:
        raise DeliveryError(f"{where}: the server closed the connection", retryable=True) from None
    except smtplib.SMTPException as exc:
        raise DeliveryError(f"{where}: {type(exc).__name__}") from None
    except ssl.SSLError as exc:
        raise DeliveryError(f"{where}: TLS failed: {exc.reason or exc}") from None
    except ConnectionRefusedError:
        raise DeliveryError(f"{where}: connection refused", retryable=True) from None
    except TimeoutError:
        raise DeliveryError(f"{where}: timed out after {ctx.timeout:g} s", retryable=True) from None
    except OSError as exc:
        raise DeliveryError(f"{where}: {exc.strerror or exc}", retryable=True) from None


def validate(options: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Rules between the options, checked when the config is loaded."""
    if options.get("ssl") and options.get("starttls"):
        yield "ssl", "give either ssl = true (SMTPS, port 465) or starttls = true, not both"
    to = options.get("to")
    if isinstance(to, list):
        if not to:
            yield "to", "needs at least one recipient"
        for address in to:
            if not isinstance(address, str) or "@" not in address:
                yield "to", f"{address!r} is not an e-mail address"
    if "@" not in str(options.get("from", "@")):
        yield "from", f"{options['from']!r} is not an e-mail address"
    if options.get("password") and not options.get("username"):
        yield "password", "a password is given but no username to log in with"


EMAIL = NotifierType(
    "email",
    send,
    {
        "host": Option(OptionKind.STR, required=True, help="the SMTP server"),
        "port": Option(
            OptionKind.INT, default=0, help="0: 465 with ssl, 587 with starttls, else 25"
        ),
        "from": Option(OptionKind.STR, required=True, help="the sender address"),
        "to": Option(OptionKind.LIST, required=True, help="recipient addresses"),
        "username": Option(OptionKind.STR, default="", help="log in when given"),
        "password": Option(OptionKind.STR, default="", secret=True, help='e.g. "${SMTP_PASSWORD}"'),
        "starttls": Option(OptionKind.BOOL, default=True, help="upgrade with STARTTLS (port 587)"),
        "ssl": Option(OptionKind.BOOL, default=False, help="SMTPS: TLS from the start (port 465)"),
        "cafile": Option(OptionKind.STR, default="", help="a CA bundle to trust (a private CA)"),
    },
    description="e-mail over SMTP (STARTTLS or SMTPS)",
    validate=validate,
)
