"""How figures, periods, ages and source text are written on screen."""

from __future__ import annotations

import math
from datetime import timedelta

from rich.text import Text

from lishi_tui.app.i18n import t
from lishi_tui.domain.model import Indicator, MeasureKind, Observation, Qualifier
from lishi_tui.domain.status import Missing, projection_missing
from lishi_tui.text import clean as clean_text


# C0 and C1 controls, DEL, and bidi overrides: source text must not move the cursor,
# change colours or reorder what the official reads.
def clean(text: object) -> str:
    """Source text on one line, control characters removed."""
    return clean_text(text, single_line=True)


def literal(text: object, style: str = "") -> Text:
    """Source text as a rich Text: never parsed as markup."""
    return Text(clean(text), style=style)


def number(indicator: Indicator, value: float, *, decimals: int | None = None) -> str:
    """A value in the indicator's display unit, with thousands separators."""
    shown = value / indicator.multiplier if indicator.multiplier else value
    places = indicator.decimals if decimals is None else decimals
    if places > 0 and float(shown).is_integer() and abs(shown) >= 100:
        places = 0  # "1581" reads better than "1581.0" for counts
    return f"{shown:,.{places}f}"


def unit(indicator: Indicator, lang: str) -> str:
    return clean(indicator.unit_label(lang))


def value_text(indicator: Indicator, obs: Observation | None, lang: str) -> str:
    """ "≥10.0 %" — qualifier, number and unit; a dash when there is no value."""
    if obs is None or obs.value is None:
        return t("none", lang)
    symbol = obs.reading.qualifier.symbol
    u = unit(indicator, lang)
    return f"{symbol}{number(indicator, obs.value)}{' ' + u if u else ''}"


def status_mark(obs: Observation | None, lang: str) -> str:
    """The publisher's flag as a short word ("初步" / "prov."); "" for a normal figure."""
    if obs is None or obs.reading.status.value == "normal":
        return ""
    return t(f"obs.{obs.reading.status.value}", lang)


def append_status_mark(text: Text, obs: Observation | None, lang: str) -> None:
    """Put the flag beside a figure already in ``text``."""
    if mark := status_mark(obs, lang):
        text.append(f" {mark}", "italic")


def ratio_text(indicator: Indicator, obs: Observation | None) -> str | None:
    """ "1,581 / 1,787" for a ratio reading that carries its parts."""
    if obs is None:
        return None
    r = obs.reading
    if r.numerator is None or r.denominator is None:
        return None
    return f"{r.numerator:,.0f} / {r.denominator:,.0f}"


def qualifier_words(q: Qualifier, lang: str) -> str:
    return t(f"qualifier.{q.value}", lang)


def period_text(indicator: Indicator, obs: Observation | None, lang: str) -> str:
    """The period label; cumulative figures read "as of the end of"."""
    if obs is None:
        return ""
    ytd = indicator.measure in (MeasureKind.YTD, MeasureKind.RATIO)
    return obs.period.label(lang, year_to_date=ytd)


def delta_text(indicator: Indicator, delta: float, lang: str) -> str:
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    u = unit(indicator, lang)
    return f"{sign}{number(indicator, abs(delta))}{' ' + u if u else ''}"


def age_text(age: timedelta, lang: str) -> str:
    seconds = int(age.total_seconds())
    if seconds < 60:
        return t("age.now", lang)
    if seconds < 3600:
        return t("age.minutes", lang, n=seconds // 60)
    if seconds < 86400 * 2:
        return t("age.hours", lang, n=seconds // 3600)
    return t("age.days", lang, n=seconds // 86400)


def target_text(indicator: Indicator, lang: str) -> str:
    if indicator.target is None:
        return t("panel.no_target", lang)
    u = unit(indicator, lang)
    return t(
        "panel.target",
        lang,
        target=f"{number(indicator, indicator.target.value)}{' ' + u if u else ''}",
    )


# Chinese counts in 万 (10^4) and 亿 (10^8); English in thousands, millions, billions.
_ZH_SCALES = ((1e8, "亿"), (1e4, "万"))
_EN_SCALES = ((1e9, "bn"), (1e6, "M"), (1e4, "k"))


def scaled_unit(largest: float, unit_label: str, lang: str) -> tuple[float, str]:
    """The divisor and unit to write figures up to ``largest`` (in display units) with few
    digits: 3.2e6 亩 is 320 万亩, 12,000 万吨 is 1.2 亿吨; below 10,000 nothing changes.

    A percentage or a rate ("%", "吨标准煤/万元") is never rescaled.
    """
    size = abs(largest)
    if not math.isfinite(size) or "%" in unit_label or "/" in unit_label:
        return 1.0, unit_label
    if lang == "zh":
        # A unit that already counts in 万 or 亿 moves up by the same prefix arithmetic.
        base, already = unit_label, 1.0
        if unit_label.startswith("亿"):
            return 1.0, unit_label
        if unit_label.startswith("万"):
            base, already = unit_label[1:], 1e4
        for factor, prefix in _ZH_SCALES:
            if size * already >= factor and factor > already:
                return factor / already, prefix + base
        return 1.0, unit_label
    for factor, word in _EN_SCALES:
        if size >= factor:
            return factor, f"{word} {unit_label}".strip()
    return 1.0, unit_label


def no_projection_text(indicator: Indicator, value: float | None, lang: str) -> str:
    """Why no pace can be given, naming exactly what is missing ("未设基期，无法推算进度")."""
    missing = projection_missing(indicator, value)
    if Missing.ORDER in missing:
        return t("detail.no_projection.order", lang)
    names = [t(f"missing.{m.value}", lang) for m in missing if m is not Missing.VALUE]
    if not names:
        return t("detail.no_projection.value", lang)
    if lang == "zh":
        listed = t("missing.and", lang).join(names)
    else:
        listed = ", ".join(names[:-1]) + (t("missing.and", lang) if len(names) > 1 else "")
        listed += names[-1]
    return t("detail.no_projection", lang, missing=listed)
