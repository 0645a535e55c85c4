"""``python -m lishi_tui`` and the ``lishi-tui`` command: the collector paused, then the CLI."""

from lishi_tui import gc_pause


def entry() -> int:
    """Hold Python's cycle collector off before the first import (lishi_tui.gc_pause)."""
    gc_pause.pause()
    from lishi_tui.cli import entry as cli_entry

    return cli_entry()


if __name__ == "__main__":
    raise SystemExit(entry())
