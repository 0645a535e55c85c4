"""The ``published`` source type: figures from a TOML data file of published figures, with provenance."""

from __future__ import annotations

from lishi_tui.plugin import (
    FetchContext,
    FetchError,
    Option,
    OptionKind,
    PublishedFigure,
    PublishedFile,
    PublishedFormatError,
    Reading,
    RegisterSourceType,
    SourceType,
    hookimpl,
    load_published,
    one_frequency,
)

__version__ = "0.1.0"


def _note(figure: PublishedFigure, note: str) -> str:
    """The quoted sentence first: it is the figure's evidence; the file's note explains it."""
    parts = []
    if figure.quote:
        parts.append(f"“{figure.quote}”")
    if note:
        parts.append(note)
    return " — ".join(parts)


def readings_from(data: PublishedFile, origin: str, wanted: tuple[str, ...] = ()) -> list[Reading]:
    """Readings for every figure in ``data`` (only ``wanted`` indicators when given)."""
    return [
        Reading(
            indicator=fig.indicator,
            period=fig.period,
            value=fig.value,
            numerator=fig.numerator,
            denominator=fig.denominator,
            status=fig.status,
            qualifier=fig.qualifier,
            origin=origin,
            demo=False,
            note=_note(fig, fig.note or fig.note_en),
            # The quote stays as published; only the file's note has an English form.
            note_en=_note(fig, fig.note_en) if fig.note_en else "",
            unit=fig.unit,
        )
        for fig in data.figures
        if not wanted or fig.indicator in wanted
    ]


def fetch(ctx: FetchContext) -> list[Reading]:
    """Read the data file named by the ``path`` option; a bad file is a located FetchError."""
    spelled = str(ctx.options["path"])
    path = ctx.resolve_path(spelled)
    try:
        data = load_published(path)
    except PublishedFormatError as exc:
        raise FetchError(exc.message, where=exc.where) from exc
    doc = data.document
    by = f"{doc.publisher}: " if doc.publisher else ""
    readings = readings_from(data, f"{by}{doc.title} ({spelled})", tuple(ctx.indicators))
    # One indicator, one frequency: a year's figure among its months would be charted
    # with them and could be taken for the latest, as in every other source type.
    by_indicator: dict[str, list[Reading]] = {}
    for r in readings:
        by_indicator.setdefault(r.indicator, []).append(r)
    for indicator, group in by_indicator.items():
        one_frequency(group, f"{spelled} indicator {indicator!r}")
    return readings


PUBLISHED = SourceType(
    name="published",
    fetch=fetch,
    options={
        "path": Option(
            OptionKind.PATH,
            required=True,
            help='the data file of published figures, e.g. "builtin:economy/published.toml"',
        ),
    },
    description="Figures published in a report, read from a TOML data file with provenance.",
)


@hookimpl
def lishi_register_source_types(register: RegisterSourceType) -> None:
    register(PUBLISHED)
