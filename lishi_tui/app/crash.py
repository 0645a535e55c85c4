"""What the dashboard prints when it crashes: the traceback without local variables, secrets
redacted.

Textual 8 renders an unhandled exception with ``show_locals=True`` and has no setting to turn
that off (``App._fatal_error``); the locals of a collector frame include a source's config with
its bearer token. ``LishiApp`` overrides that one method with this rendering.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import rich
from rich.console import Console
from rich.text import Text

from lishi_tui.text import redact


def crash_report(secrets: Iterable[str], *, width: int = 100) -> Text:
    """The exception being handled, as plain text without locals, secrets replaced by ***."""
    # Imported here: rich's traceback module (with pygments) costs a tenth of the start-up.
    from rich.traceback import Traceback

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    console.print(Traceback(show_locals=False, width=width, suppress=[rich]))
    return Text(redact(buffer.getvalue(), secrets))
