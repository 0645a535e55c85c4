"""``lishi-tui export``: the latest figures, with provenance, in a registered export format."""

from __future__ import annotations

import argparse
import io
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from lishi_tui.commands.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, add_common, open_runtime

DEFAULT_FORMAT = "csv"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser(
        "export",
        help="write the latest figures with period, unit, source and status (csv, json, ...)",
    )
    add_common(export, suppress=True)
    export.add_argument(
        "--format",
        default=DEFAULT_FORMAT,
        metavar="NAME",
        help="a registered export format (csv, json, markdown, or a plugin's; default csv)",
    )
    export.add_argument(
        "--output",
        "-o",
        type=Path,
        metavar="FILE",
        help="write FILE (atomically) instead of stdout",
    )
    export.add_argument(
        "--indicator",
        action="append",
        default=[],
        metavar="ID",
        help="only this indicator (repeat for more; default: every indicator, in config order)",
    )
    export.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    from lishi_tui.config.files import atomic_write_text
    from lishi_tui.config.schema import resolve_language
    from lishi_tui.export.rows import export_data
    from lishi_tui.text import clean, did_you_mean, nearest

    runtime = open_runtime(args, env)
    formats = runtime.registry.export_formats
    chosen = formats.get(args.format)
    if chosen is None:
        known = ", ".join(sorted(formats)) or "none (no plugin registered one)"
        message = f"export: unknown format {args.format!r}; registered: {known}"
        message += runtime.registry.left_out("exports")
        print(clean(message + did_you_mean(nearest(args.format, formats))), file=err)
        return EXIT_USAGE
    config = runtime.config
    wanted = list(dict.fromkeys(args.indicator)) or list(config.indicators)
    unknown = [i for i in wanted if i not in config.indicators]
    if unknown:
        message = f"export: unknown indicator(s): {', '.join(unknown)}"
        print(clean(message + did_you_mean(nearest(unknown[0], config.indicators))), file=err)
        return EXIT_USAGE
    store = runtime.open_store()
    try:
        lang = resolve_language(config.app.language, env)
        data = export_data(config, store, wanted, lang=lang, now=datetime.now(UTC))
    finally:
        store.close()
    # Written whole into memory first: a format that fails leaves no half file, no half page.
    buffer = io.StringIO()
    try:
        chosen.write(data, buffer)
    except Exception as exc:
        owner = runtime.registry.export_format_owner.get(chosen.name, "?")
        print(
            clean(
                f"export: format {chosen.name!r} (plugin {owner}) failed: "
                f"{type(exc).__name__}: {exc}",
                single_line=True,
                limit=400,
            ),
            file=err,
        )
        return EXIT_FAILED
    text = buffer.getvalue()
    if args.output is None:
        out.write(text)
        return EXIT_OK
    try:
        atomic_write_text(args.output, text, keep_backup=False)
    except OSError as exc:
        print(clean(f"export: cannot write {args.output}: {exc.strerror or exc}"), file=err)
        return EXIT_FAILED
    demo = sum(r.demo for r in data.rows)
    note = f", {demo} of them demo figures (marked)" if demo else ""
    print(f"wrote {len(data.rows)} row(s) to {args.output} as {chosen.name}{note}", file=err)
    return EXIT_OK
