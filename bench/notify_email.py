"""The e-mail channel's SMTP client, chosen by measurement: smtplib in a worker thread vs aiosmtplib.

Both send the same batch over STARTTLS with login to an aiosmtpd server on 127.0.0.1 (a
throwaway certificate from ``openssl``). Rows: import cost in a fresh interpreter, one mail's
latency, and ten channels mailing at once. aiosmtplib is not a dependency; install it in the
venv to get its column (``pip install aiosmtplib``), otherwise it shows n/a.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PASSWORD = "bench-pass"


def _import_cost(statement: str, runs: int) -> float:
    """Seconds ``statement`` takes in a fresh interpreter (timed inside it: no startup noise)."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"

    def once() -> float:
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        return float(out.stdout)

    return statistics.median(once() for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    runs = 5 if args.quick else 20

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    from lishi_tui.notify.api import NotifierConfig, deliver_all
    from lishi_tui.notify.message import render
    from tests.support.httpserver import closed_port
    from tests.support.notify import event, notifier
    from tests.support.tls import make_cert

    class Sink:
        count = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            Sink.count += 1
            return "250 OK"

    def auth(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.password == PASSWORD.encode()
        return AuthResult(success=ok) if ok else AuthResult(success=False, handled=False)

    with tempfile.TemporaryDirectory() as tmp:
        crt, key = make_cert(Path(tmp))
        server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_ctx.load_cert_chain(str(crt), str(key))
        port = closed_port()
        controller = Controller(
            Sink(), hostname="127.0.0.1", port=port, tls_context=server_ctx,
            require_starttls=True, authenticator=auth, auth_require_tls=True,
        )  # fmt: skip
        controller.start()
        options = {
            "host": "127.0.0.1", "port": port, "from": "a@lishi.example",
            "to": ["b@lishi.example"], "username": "a", "password": PASSWORD, "cafile": str(crt),
        }  # fmt: skip
        ours: NotifierConfig = notifier("email", options, timeout=10)
        batch = [event(), event(alert_id="b", state="resolved")]

        async def ours_one() -> None:
            result = await deliver_all({"m": ours}, {"m": batch}, lang="zh")
            assert result["m"].ok, result

        async def ours_ten() -> None:
            many = {f"m{n}": notifier("email", options, id=f"m{n}", timeout=10) for n in range(10)}
            result = await deliver_all(many, {k: batch for k in many}, lang="zh")
            assert all(r.ok for r in result.values()), result

        aiosmtplib: Any
        try:  # an optional peer, not a dependency: imported by name so mypy needs no stubs
            aiosmtplib = importlib.import_module("aiosmtplib")
        except ImportError:
            aiosmtplib = None

        client_ctx = ssl.create_default_context(cafile=str(crt))

        async def theirs_one() -> None:
            from email.message import EmailMessage

            assert aiosmtplib is not None
            message = render(batch, "zh")
            mail = EmailMessage()
            mail["Subject"], mail["From"], mail["To"] = (
                message.title,
                options["from"],
                "b@lishi.example",
            )
            mail.set_content(message.text)
            await aiosmtplib.send(
                mail, hostname="127.0.0.1", port=port, start_tls=True, tls_context=client_ctx,
                username="a", password=PASSWORD, timeout=10,
            )  # fmt: skip

        async def theirs_ten() -> None:
            await asyncio.gather(*(theirs_one() for _ in range(10)))

        def timed(fn: Any) -> float:
            samples = []
            for _ in range(runs):
                start = time.perf_counter()
                asyncio.run(fn())
                samples.append(time.perf_counter() - start)
            return statistics.median(samples)

        rows = [
            (
                "import cost (fresh interpreter)",
                _import_cost("import smtplib, ssl, email.message", runs),
                _import_cost("import aiosmtplib", runs) if aiosmtplib else None,
            ),
            (
                "one mail (STARTTLS + login)",
                timed(ours_one),
                timed(theirs_one) if aiosmtplib else None,
            ),
            ("ten channels at once", timed(ours_ten), timed(theirs_ten) if aiosmtplib else None),
        ]
        controller.stop()

    print(f"{'what':<34} {'smtplib in a thread':>20} {'aiosmtplib':>12} {'ratio':>7}  runs")
    for what, mine, other in rows:
        ratio = f"×{mine / other:.2f}" if other else "-"
        shown = f"{other * 1000:.1f} ms" if other is not None else "n/a"
        print(f"{what:<34} {mine * 1000:>17.1f} ms {shown:>12} {ratio:>7}  {runs}")
    print(f"mails received: {Sink.count}; at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")


if __name__ == "__main__":
    main()
