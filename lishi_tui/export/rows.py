"""The rows an export (and ``show --json``) writes: each indicator's latest figure with its provenance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from lishi_tui.config.schema import Config
from lishi_tui.domain import status as st
from lishi_tui.domain.model import Indicator, Observation
from lishi_tui.export.api import ExportData, ExportRow
from lishi_tui.store.base import Store
from lishi_tui.text import clean_json, redact


def observation_json(
    indicator: Indicator,
    obs: Observation | None,
    *,
    lang: str,
    now: datetime,
    secrets: Sequence[str] = (),
) -> dict[str, Any]:
    """One indicator's latest figure as ``show --json`` prints it."""
    value = obs.value if obs else None
    target = indicator.target
    progress = st.progress(indicator, value)
    row: dict[str, Any] = {
        "indicator": indicator.id,
        "name": indicator.name(lang),
        "name_zh": indicator.name_zh,
        "name_en": indicator.name_en,
        "period": obs.period.key if obs else None,
        "period_label": (
            obs.period.label(lang, year_to_date=indicator.measure.value in ("ytd", "ratio"))
            if obs
            else None
        ),
        "value": value,
        "numerator": obs.reading.numerator if obs else None,
        "denominator": obs.reading.denominator if obs else None,
        "qualifier": obs.reading.qualifier.value if obs else None,
        "unit": indicator.unit_label(lang),
        "decimals": indicator.decimals,
        "status": st.rag(indicator, value).value,
        # the publisher's flag on the figure (normal, provisional, estimated, break, missing)
        "obs_status": obs.reading.status.value if obs else "missing",
        "freshness": st.freshness(indicator, obs, now).value,
        "progress": round(progress, 6) if progress is not None else None,
        "target": target.value if target else None,
        "deadline": target.deadline.isoformat() if target and target.deadline else None,
        "source": obs.source if obs else (indicator.source or None),
        "origin": redact(obs.reading.origin, secrets) if obs else None,
        "url": redact(obs.fetch_url, secrets) if obs else None,
        "fetched_at": obs.fetched_at.astimezone(UTC).isoformat() if obs else None,
        "revision": obs.revision if obs else None,
        "demo": obs.demo if obs else False,
        "note": obs.reading.note_text(lang) if obs else None,
        # operators' remarks from the config ([[indicators.<id>.annotations]]), oldest first
        "annotations": [
            {"text": a.text, "author": a.author, "at": a.at.isoformat()}
            for a in indicator.annotations
        ],
    }
    return row


def export_data(
    config: Config, store: Store, wanted: Sequence[str], *, lang: str, now: datetime
) -> ExportData:
    """The latest figure of each of ``wanted`` (config indicator ids), as ``ExportRow`` s.

    Demo figures are read only when the config runs demo sources (``[app] demo``), as
    ``show`` does; every one that is read keeps ``demo=True``.
    """
    latest: Mapping[str, Observation] = store.latest(list(wanted), include_demo=config.app.demo)
    secrets = [s for src in config.sources.values() for s in src.secrets]
    rows = []
    for ind_id in wanted:
        row = observation_json(
            config.indicators[ind_id], latest.get(ind_id), lang=lang, now=now, secrets=secrets
        )
        cleaned: Any = clean_json(row)  # names and notes from a config or a plugin: one line
        rows.append(ExportRow.from_mapping(cleaned))
    return ExportData(rows=tuple(rows), lang=lang, generated_at=now.astimezone(UTC))
