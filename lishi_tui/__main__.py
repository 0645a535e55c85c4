"""``python -m lishi_tui``: the same as the ``lishi-tui`` command."""

from lishi_tui.cli import entry

raise SystemExit(entry())
