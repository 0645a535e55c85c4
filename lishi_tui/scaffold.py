"""``lishi-tui plugin new``: an installable plugin package that passes its own tests.

The package has a pyproject with the entry point, one hook implemented, a README and
a test that uses the ``lishi_plugin`` pytest fixture, so ``pip install -e`` makes it
show up in ``lishi-tui plugins`` and its tests pass before the author changes a line.
The templates import only ``lishi_tui.plugin``, the stable plugin API.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from pathlib import Path

from lishi_tui.scaffold_panel import PANEL_MODULE, PANEL_TEST, PANEL_USAGE, PANEL_WIDGET

KINDS = ("source", "indicators", "notifier", "panel")
"""What ``--kind`` can scaffold."""

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


class ScaffoldError(Exception):
    """The package cannot be written as asked (a bad name, an existing folder)."""


@dataclass(frozen=True)
class Names:
    """The one plugin name in each of its spellings."""

    dist: str  # lishi-tui-office-api: the name pip knows
    module: str  # office_api: the import name, entry-point name and plugin name
    title: str  # "Office API" style, for prose

    @classmethod
    def of(cls, name: str) -> Names:
        if not _NAME.match(name):
            raise ScaffoldError(
                f"plugin name {name!r}: use letters, digits, '-' or '_', starting with a letter"
            )
        module = name.lower().replace("-", "_")
        if keyword.iskeyword(module) or module in {"lishi_tui", "plugins", "tests"}:
            raise ScaffoldError(f"plugin name {name!r} is reserved; choose another")
        dist = name.lower().replace("_", "-")
        if not dist.startswith("lishi-tui-"):
            dist = f"lishi-tui-{dist}"
        title = " ".join(part.capitalize() for part in re.split(r"[-_]", name) if part)
        return cls(dist=dist, module=module, title=title)


def _pyproject(n: Names, kind: str) -> str:
    return f'''[build-system]
requires = ["hatchling>=1.24"]
build-backend = "hatchling.build"

[project]
name = "{n.dist}"
version = "0.1.0"
description = "{n.title}: a lishi-tui {kind} plugin"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["lishi-tui"]

[project.optional-dependencies]
test = ["pytest>=8"]

# lishi-tui finds the plugin through this entry point once the package is installed.
[project.entry-points.lishi_tui]
{n.module} = "{n.module}"

[tool.hatch.build.targets.wheel]
packages = ["{n.module}"]

[tool.pytest.ini_options]
testpaths = ["tests"]
'''


_SOURCE_MODULE = '''"""{title}: the `{module}` source type, figures from an office's JSON API.

The API answers a GET with a list of records such as
``[{{"period": "2021-10", "value": 88.5}}]``; each record becomes one reading.
"""

from __future__ import annotations

from typing import Any

from lishi_tui.plugin import (
    FetchContext,
    FetchError,
    NumberError,
    Option,
    OptionKind,
    PeriodError,
    Reading,
    RegisterSourceType,
    SourceType,
    hookimpl,
    load_json,
    parse_number,
    parse_period,
)

__version__ = "0.1.0"

OPTIONS = {{
    "url": Option(OptionKind.URL, required=True, help="the API's address"),
    "scale": Option(OptionKind.FLOAT, default=1.0, help="multiply every value"),
}}


def parse(content: bytes, *, indicator: str, origin: str, scale: float) -> list[Reading]:
    """The readings in one reply; a located FetchError for anything unexpected."""
    records: Any = load_json(content, origin)
    if not isinstance(records, list):
        raise FetchError("expected a JSON list of records", where=origin)
    readings = []
    for n, record in enumerate(records):
        where = f"{{origin}} [{{n}}]"
        if not isinstance(record, dict):
            raise FetchError("expected a record (a JSON object)", where=where)
        try:
            period = parse_period(record.get("period"))
            value = parse_number(record.get("value"))
        except (PeriodError, NumberError) as exc:
            raise FetchError(str(exc), where=where) from exc
        if value is not None:
            readings.append(Reading(indicator, period, value * scale, origin=origin))
    return readings


async def fetch(ctx: FetchContext) -> list[Reading]:
    reply = await ctx.http.get(ctx.options["url"])
    return parse(reply.content, indicator=ctx.indicator, origin=reply.url, scale=ctx.options["scale"])


@hookimpl
def lishi_register_source_types(register: RegisterSourceType) -> None:
    register(SourceType("{module}", fetch, OPTIONS, description="{title}: an office's JSON API"))
'''

_SOURCE_TEST = '''"""The `{module}` source type, run by lishi-tui's own plugin harness against a local server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import {module}

REPLY = [{{"period": "2021-10", "value": "88.5"}}, {{"period": "2021-11", "value": None}}]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps(REPLY).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{{server.server_port}}/figures"
    server.shutdown()


def test_fetch_reads_each_record(lishi_plugin, url) -> None:
    registry = lishi_plugin.load("{module}", {module})
    assert not lishi_plugin.errors(registry)
    readings = lishi_plugin.fetch(registry, "{module}", {{"url": url}}, indicators=["example"])
    assert [(r.period.key, r.value) for r in readings] == [("2021-10", 88.5)]


def test_a_reply_of_the_wrong_shape_is_a_located_error() -> None:
    with pytest.raises({module}.FetchError, match="expected a JSON list"):
        {module}.parse(b'{{"period": 1}}', indicator="x", origin="http://x", scale=1.0)
'''

_INDICATORS_MODULE = '''"""{title}: indicators this office tracks.

Feed them from any source: a `csv` or `excel` file, an API, or your own source type.
"""

from __future__ import annotations

from lishi_tui.plugin import (
    Direction,
    Frequency,
    Indicator,
    MeasureKind,
    RegisterIndicator,
    hookimpl,
)

__version__ = "0.1.0"

INDICATORS = (
    Indicator(
        "{module}_service_rate",
        "{title} 办结率",
        "{title} service rate",
        unit="%",
        unit_en="%",
        measure=MeasureKind.SHARE,
        frequency=Frequency.MONTHLY,
        direction=Direction.HIGHER,
        plugin="{module}",
    ),
)


@hookimpl
def lishi_register_indicators(register: RegisterIndicator) -> None:
    for indicator in INDICATORS:
        register(indicator)
'''

_INDICATORS_TEST = '''"""The indicators load through lishi-tui's own plugin host."""

from __future__ import annotations

import {module}


def test_indicators_register(lishi_plugin) -> None:
    registry = lishi_plugin.load("{module}", {module})
    assert not lishi_plugin.errors(registry)
    indicator = registry.indicators["{module}_service_rate"]
    assert indicator.unit == "%"
'''

_NOTIFIER_MODULE = '''"""{title}: the `{module}` notification channel, alerts posted to a chat's webhook.

The chat takes ``{{"title": ..., "text": ...}}`` and answers ``{{"ok": true}}``.
"""

from __future__ import annotations

from lishi_tui.plugin import (
    DeliveryError,
    NotifierType,
    Option,
    OptionKind,
    RegisterNotifier,
    SendContext,
    hookimpl,
)

__version__ = "0.1.0"

OPTIONS = {{
    "url": Option(OptionKind.URL, required=True, secret=True, help="the chat's webhook"),
}}


async def send(ctx: SendContext) -> None:
    message = ctx.message  # the whole batch as one message, in the UI language
    body = {{"title": message.title, "text": message.text}}
    reply = await ctx.http.post_json(ctx.options["url"], body)
    if b'"ok": true' not in reply.content:
        raise DeliveryError(ctx.redact(f"the chat refused the message: {{reply.text[:120]}}"))


@hookimpl
def lishi_register_notifiers(register: RegisterNotifier) -> None:
    register(NotifierType("{module}", send, OPTIONS, description="{title}: a chat webhook"))
'''

_NOTIFIER_TEST = '''"""The `{module}` channel, delivering through lishi-tui's own path to a local chat server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import {module}

RECEIVED: list[dict] = []


class Chat(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        RECEIVED.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        body = b'{{"ok": false}}' if self.path == "/refuse" else b'{{"ok": true}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def chat() -> Iterator[str]:
    RECEIVED.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Chat)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{{server.server_port}}"
    server.shutdown()


def test_an_alert_reaches_the_chat(lishi_plugin, chat) -> None:
    registry = lishi_plugin.load("{module}", {module})
    assert not lishi_plugin.errors(registry)
    result = lishi_plugin.deliver(registry, "{module}", {{"url": f"{{chat}}/hook"}})
    assert result.ok, result.error
    assert len(RECEIVED) == 1 and "88.47" in RECEIVED[0]["text"]


def test_a_refusal_is_reported_not_raised(lishi_plugin, chat) -> None:
    registry = lishi_plugin.load("{module}", {module})
    result = lishi_plugin.deliver(registry, "{module}", {{"url": f"{{chat}}/refuse"}})
    assert not result.ok and "refused" in (result.error or "")
'''

_README = """# {dist}

A [lishi-tui](https://pypi.org/project/lishi-tui/) {kind} plugin.

```sh
pip install -e '.[test]'   # lishi-tui finds it through the `lishi_tui` entry point
lishi-tui plugins          # {module} is listed, with what it registers
pytest                     # its tests, with lishi-tui's `lishi_plugin` fixture
```

{usage}

The plugin imports only `lishi_tui.plugin`, lishi-tui's stable plugin API.
"""

_USAGE = {
    "source": """Use it in a config:

```toml
[sources.office]
type = "{module}"
interval = "1h"
url = "https://example.org/api/figures"
indicator = "tertiary_share"
```""",
    "indicators": """Its indicators are known to `lishi-tui show` at once; feed them from a source:

```toml
[sources.office]
type = "csv"
interval = "1h"
path = "service_rate.csv"    # columns: period,value
period_column = "period"
value_column = "value"
indicator = "{module}_service_rate"
```""",
    "notifier": """Send alerts to it from a config:

```toml
[notifiers.office_chat]
type = "{module}"
url = "${{OFFICE_CHAT_WEBHOOK}}"

[alerts.requests_low]
kind = "threshold"
indicators = ["requests_done"]
status = "amber"
severity = "warning"
notify = ["office_chat"]
```""",
    "panel": PANEL_USAGE,
}

_FILES = {
    "source": (_SOURCE_MODULE, _SOURCE_TEST),
    "indicators": (_INDICATORS_MODULE, _INDICATORS_TEST),
    "notifier": (_NOTIFIER_MODULE, _NOTIFIER_TEST),
    "panel": (PANEL_MODULE, PANEL_TEST),
}
_EXTRA_MODULES = {"panel": {"panel.py": PANEL_WIDGET}}  # more modules of the package, by kind


def write_plugin(name: str, kind: str, parent: Path) -> Path:
    """Write the package into ``parent/name`` and return that folder; never overwrite."""
    if kind not in KINDS:
        raise ScaffoldError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    names = Names.of(name)
    root = parent / name
    if root.exists():
        raise ScaffoldError(f"{root} already exists; choose another name or folder")
    module_text, test_text = _FILES[kind]
    fill = {
        "module": names.module,
        "title": names.title,
        "dist": names.dist,
        "kind": kind,
        "cls": names.title.replace(" ", "") + "Panel",
    }
    files = {
        Path("pyproject.toml"): _pyproject(names, kind),
        Path("README.md"): _README.format(**fill, usage=_USAGE[kind].format(**fill)),
        Path(names.module) / "__init__.py": module_text.format(**fill),
        Path("tests") / f"test_{names.module}.py": test_text.format(**fill),
    }
    for name, text in _EXTRA_MODULES.get(kind, {}).items():
        files[Path(names.module) / name] = text.format(**fill)
    root.mkdir(parents=True)
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root
