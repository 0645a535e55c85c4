"""``python -m lishi_tui`` and the ``lishi-tui`` command: the collector paused and the
regular-expression code, dataclass code, CSS and parsed TOML caches installed, then the CLI."""


def entry() -> int:
    """Route ``re``'s compiling through the kept code (lishi_tui.regex_cache) before anything
    else is imported, hold Python's cycle collector off (lishi_tui.gc_pause), route
    dataclasses' compiling through the kept code (lishi_tui.dataclass_cache) before the first
    import, and let the dashboard keep its parsed CSS (lishi_tui.css_cache) and every start
    the tables of the config files it read before (lishi_tui.toml_cache)."""
    from lishi_tui import regex_cache

    regex_cache.install()
    from lishi_tui import css_cache, dataclass_cache, gc_pause, toml_cache

    gc_pause.pause()
    dataclass_cache.install()
    css_cache.install()
    toml_cache.install()
    from lishi_tui.cli import entry as cli_entry

    return cli_entry()


if __name__ == "__main__":
    raise SystemExit(entry())
