"""Our chart widget over plotext 6: one figure a thread, thinned data, cached by size."""

from __future__ import annotations

import math
import re
import threading
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any, TypeVar

from rich.cells import cell_len
from rich.color import Color
from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from lishi_tui.app.widgets.chart_axis import nice_axis
from lishi_tui.domain.periods import CHINA_TZ

T = TypeVar("T")

# 256-colour palette indices: the chart must look right on a 256-colour terminal.
ACTUAL_COLOUR = 39  # blue
TARGET_COLOUR = 214  # orange
PATH_COLOUR = 245  # grey
DEMO_COLOUR = 177  # violet: synthetic figures
SECONDS_PER_MONTH = 86400 * 365.25 / 12
RELEASE_AFTER_S = 0.02  # a held chart is drawn this long after the frame that held it


def thin(xs: Sequence[float], ys: Sequence[float], buckets: int) -> tuple[list[float], list[float]]:
    """Keep the first, the minimum, the maximum and the last point of each x bucket.

    With ``buckets`` set to the plot's character columns, a 10,000-point history
    becomes a few points per column and draws like a 300-point one, while every
    peak and trough still shows. ``xs`` must be sorted.
    """
    n = len(xs)
    if buckets <= 0 or n <= buckets * 4:
        return list(xs), list(ys)
    lo, hi = xs[0], xs[-1]
    span = hi - lo
    if span <= 0:
        return [xs[0], xs[-1]], [ys[0], ys[-1]]
    out_x: list[float] = []
    out_y: list[float] = []
    start = 0
    # Bucket edges by bisection and extremes by min/max over slices: C loops, no Python
    # step per point (a 10,000-point series thins in well under a millisecond).
    for b in range(buckets):
        end = n if b == buckets - 1 else bisect_right(xs, lo + span * (b + 1) / buckets, start)
        if end > start:
            seg = ys[start:end]
            low, high = min(seg), max(seg)
            i_min = start + seg.index(low)
            i_max = start + seg.index(high)
            for i in sorted({start, i_min, i_max, end - 1}):
                out_x.append(xs[i])
                out_y.append(ys[i])
        start = end
    return out_x, out_y


def month_number(moment: datetime | date) -> float:
    """A moment as months since 1970, the chart's x unit (even spacing for monthly data)."""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(), tzinfo=CHINA_TZ)
    return moment.timestamp() / SECONDS_PER_MONTH


@dataclass(frozen=True)
class ChartSpec:
    """What to draw: one series, an optional target line and on-track path.

    ``demo`` flags each point that is synthetic (empty: none is); ``unit`` is the display
    unit the values are in, rescaled on the axis when they are large (万亩, 亿元); ``single``
    is what to write instead of axes when the series is one point (value, period, target).
    """

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    title: str = ""
    x_ticks: tuple[tuple[float, str], ...] = ()
    target: float | None = None
    path: tuple[tuple[float, float], tuple[float, float]] | None = None  # baseline -> deadline
    bars: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    demo: tuple[bool, ...] = ()
    unit: str = ""
    lang: str = "zh"
    single: tuple[str, ...] = ()


# Marks: a real series is a solid line (its points dotted when there are few); a demo series
# is a thin braille trace in another colour with hollow rings on its points (when there
# are few enough to ring), so that synthetic figures never read as the real line.
REAL_POINT = "●"
DEMO_POINT = "○"
DEMO_LINE = "braille"
FEW_DEMO_POINTS = 24  # a demo series this short gets a ring on every point
TARGET_MARK = "─"
PATH_MARK = "·"
FEW_POINTS = 12  # a real series this short gets a mark on every point
LEGEND_MIN_HEIGHT = 7  # below this the chart needs every row for the plot


def split_demo(
    spec: ChartSpec,
) -> tuple[Sequence[float], Sequence[float], Sequence[float], Sequence[float]]:
    """(real xs, real ys, demo xs, demo ys), each in the series' order."""
    if not any(spec.demo):
        return spec.xs, spec.ys, [], []
    rx: list[float] = []
    ry: list[float] = []
    dx: list[float] = []
    dy: list[float] = []
    for x, y, demo in zip(spec.xs, spec.ys, spec.demo, strict=True):
        (dx if demo else rx).append(x)
        (dy if demo else ry).append(y)
    return rx, ry, dx, dy


def legend_line(spec: ChartSpec, unit: str, width: int, *, colour: bool) -> Text:
    """The marks in this chart and what they mean, and the unit of the axis."""
    from lishi_tui.app.i18n import t

    lang = spec.lang
    items: list[tuple[str, int, str]] = [("━", ACTUAL_COLOUR, t("chart.actual", lang))]
    if any(spec.demo):
        if all(spec.demo):
            items = []
        items.append((DEMO_POINT, DEMO_COLOUR, t("chart.demo_points", lang)))
    if spec.target is not None:
        items.append((TARGET_MARK * 2, TARGET_COLOUR, t("chart.target", lang)))
    if spec.path is not None:
        items.append((PATH_MARK * 3, PATH_COLOUR, t("chart.path", lang)))
    line = Text(no_wrap=True, overflow="ellipsis")
    if unit:
        line.append(t("chart.unit", lang, unit=unit), "dim")
    for glyph, code, words in items:
        piece = Text()
        piece.append(glyph, Style(color=Color.from_ansi(code)) if colour else None)
        piece.append(f" {words}")
        if cell_len(line.plain) + 2 + cell_len(piece.plain) > width:
            break
        if line.plain:
            line.append("  ")
        line.append_text(piece)
    return line


def stat_lines(spec: ChartSpec, width: int, height: int) -> list[Text]:
    """A single figure written out, centred, instead of axes around one point."""
    rows = [Text(" " * width) for _ in range(height)]
    shown = list(spec.single)[:height]
    top = max((height - len(shown)) // 2, 0)
    for i, words in enumerate(shown):
        line = Text(words, style="bold" if i == 0 else "dim", no_wrap=True, overflow="ellipsis")
        line.truncate(width, overflow="ellipsis")
        pad = max(width - cell_len(line.plain), 0)
        line.pad_left(pad // 2)
        line.pad_right(pad - pad // 2)
        rows[top + i] = line
    return rows


def render_chart(spec: ChartSpec, width: int, height: int, *, colour: bool) -> list[Text]:
    """The chart as exactly ``height`` lines of exactly ``width`` cells."""
    blank = [Text(" " * max(width, 0)) for _ in range(max(height, 0))]
    if width < 12 or height < 4 or not spec.ys:
        return blank
    if spec.single and len(spec.ys) == 1:
        return stat_lines(spec, width, height)
    from plotext import marker, pixel

    from lishi_tui.app.formatting import scaled_unit

    # Thinned first (extremes kept), then measured and scaled: a few points a column, never
    # a pass over every point of a long history. xs are sorted, so their ends are the range.
    plot_columns = max(width - 8, 4)
    rx, ry, dx, dy = split_demo(spec)
    real = thin(rx, ry, plot_columns) if rx else ([], [])
    synthetic = thin(dx, dy, plot_columns) if dx else ([], [])
    values = [*real[1], *synthetic[1]]
    if spec.target is not None:
        values.append(spec.target)
    if spec.path is not None:
        values += [spec.path[0][1], spec.path[1][1]]
    lo, hi = min(values), max(values)
    divisor, unit = scaled_unit(max(abs(lo), abs(hi)), spec.unit, spec.lang)
    legend = height >= LEGEND_MIN_HEIGHT
    plot_height = height - 1 if legend else height

    fig = _figure()
    fig.theme("simple" if colour else "colorless")
    fig.plot_size(width, plot_height)
    if spec.title:
        fig.title(spec.title)

    def styled(code: int, symbol: str = "hd") -> object:
        return marker(symbol, pixel=pixel(foreground=code)) if colour else symbol

    def scaled(ys: list[float]) -> list[float]:
        return [y / divisor for y in ys] if divisor != 1 else ys

    x_lo, x_hi = spec.xs[0], spec.xs[-1]
    if spec.path is not None:
        x_lo = min(x_lo, spec.path[0][0])
        x_hi = max(x_hi, spec.path[1][0])
    if x_hi <= x_lo:
        x_hi = x_lo + 1
    if spec.path is not None:
        (px0, py0), (px1, py1) = spec.path
        _add(
            fig,
            fig.signal([px0, px1], scaled([py0, py1]), marker=styled(PATH_COLOUR, PATH_MARK)).lines(
                True
            ),
        )
    if spec.target is not None:
        level = spec.target / divisor
        _add(
            fig,
            fig.signal(
                [x_lo, x_hi], [level, level], marker=styled(TARGET_COLOUR, TARGET_MARK)
            ).lines(True),
        )
    if dx:
        sx, sy = synthetic[0], scaled(synthetic[1])
        _add(fig, fig.signal(sx, sy, marker=styled(DEMO_COLOUR, DEMO_LINE)).lines(True))
        if len(dx) <= FEW_DEMO_POINTS:
            _add(fig, fig.signal(sx, sy, marker=styled(DEMO_COLOUR, DEMO_POINT)))
    if rx:
        trx, try_ = real[0], scaled(real[1])
        if spec.bars:
            _add(fig, fig.bar(trx, try_, marker=styled(ACTUAL_COLOUR)))
        else:
            _add(fig, fig.signal(trx, try_, marker=styled(ACTUAL_COLOUR)).lines(True))
            if len(rx) <= FEW_POINTS:
                _add(fig, fig.signal(trx, try_, marker=styled(ACTUAL_COLOUR, REAL_POINT)))
    rows_for_plot = plot_height - 3 - (1 if spec.title else 0)
    if rows_for_plot >= 3:
        axis = nice_axis(lo / divisor, hi / divisor, rows_for_plot)
        fig.ruler("y").lim(axis.lower, axis.upper)
        fig.ruler("y").ticks(list(axis.ticks), [axis.label(v) for v in axis.ticks])
    if spec.x_ticks:
        fig.ruler("x").ticks([p for p, _ in spec.x_ticks], [label for _, label in spec.x_ticks])
    rows = fig.build().string(colorless=not colour).split("\n")[:plot_height]
    lines = [plotext_row(row) if colour else Text(row) for row in rows]
    if legend:
        lines.insert(0, legend_line(spec, unit, width, colour=colour))
    # plotext 6 measures wide characters correctly; this guards the panel grid in case a
    # label ever comes back a cell short or long.
    for line in lines:
        line.no_wrap = True
        cells = cell_len(line.plain)
        if cells < width:
            line.append(" " * (width - cells))
        elif cells > width:
            line.truncate(width)
    while len(lines) < height:
        lines.append(Text(" " * width))
    return lines


# Each thread draws on a figure of its own, emptied before each chart: nothing is shared
# between threads, and no chart sees another's data or settings (a test holds every kind of
# chart drawn after others to the same chart on a new figure). A new terminal and figure
# for each chart cost 0.2 ms; emptying one costs 0.07 ms.
_figures = threading.local()


def _figure() -> Any:
    """This thread's plotext figure, with no data and default settings."""
    fig = getattr(_figures, "figure", None)
    if fig is None:
        from plotext._kernel.terminal import terminal

        # Not limited to the terminal's size: plotext would clamp a tall chart to the size it
        # reads from the process's terminal (24 rows when there is none, as under a test).
        fig = _figures.figure = terminal().limit(False, False)._master
    else:
        fig.clear.data()
        fig.clear.settings()
    return fig


def _add(fig: Any, signal: Any) -> None:
    """Put a signal on the figure, as ``fig.draw`` does without its colour bookkeeping.

    ``fig.draw`` also marks the signal's pixels as taken in the figure's colour cycler, which
    picks a colour for a signal drawn without one. That is a Python pass over every point:
    a fifth of the time a chart takes. Every signal here brings its own colour (256-colour
    codes, never one of the cycler's 16) or none at all (the colourless theme), so the
    cycler's state cannot change what is drawn; a test holds the output to ``fig.draw``'s.
    """
    signals = getattr(fig, "_signals", None)
    if signals is None or not hasattr(signals, "_add"):  # a plotext without the internals
        fig.draw(signal)
    else:
        signals._add(signal)


_SGR = re.compile(r"\x1b\[([0-9;]*)m")


@lru_cache(maxsize=512)
def _sgr_style(params: str) -> Style | None:
    """The style of one SGR code plotext emits: reset, 256-colour fore/background, bold."""
    codes = params.split(";") if params else ["0"]
    style = Style()
    i = 0
    while i < len(codes):
        code = codes[i]
        if code in ("0", ""):
            style = Style()
        elif code == "1":
            style += Style(bold=True)
        elif code in ("38", "48") and i + 2 < len(codes) and codes[i + 1] == "5":
            colour = Color.from_ansi(int(codes[i + 2]))
            style += Style(color=colour) if code == "38" else Style(bgcolor=colour)
            i += 2
        else:
            raise ValueError(f"unexpected SGR {params!r}")
        i += 1
    return style or None


def plotext_row(row: str) -> Text:
    """One row of plotext's coloured output as Rich text.

    plotext emits only a few plain SGR codes (a 256-colour, a reset), so splitting on them is
    enough; ``Text.from_ansi`` handles every terminal sequence and cost a third of a chart's
    build. Anything unexpected falls back to it.
    """
    text = Text()
    style: Style | None = None
    try:
        for i, part in enumerate(_SGR.split(row)):
            if i % 2:
                style = _sgr_style(part)
            elif part:
                text.append(part, style)
    except ValueError:
        return Text.from_ansi(row)
    return text


def ticks_for(points: Sequence[tuple[float, T]], count: int) -> tuple[tuple[float, T], ...]:
    """At most ``count`` evenly spread (x, label) ticks, always the first and the last."""
    if len(points) <= count:
        return tuple(points)
    if count <= 1:
        return (points[-1],)
    step = (len(points) - 1) / (count - 1)
    return tuple(points[round(i * step)] for i in range(count))


# plotext costs about 0.1 s to import. In a real terminal the app loads it on a thread so
# that the first paint (figures, periods, sources) does not wait for it; charts draw a
# moment later. Headless runs (tests, snapshots) load it on first use, as before.
_plotext_loaded = threading.Event()
_loading_in_background = False


def defer_charts() -> None:
    """Charts draw a placeholder until ``load_plotext_in_background`` has finished."""
    global _loading_in_background
    _loading_in_background = True


def load_plotext_in_background(done: Callable[[], None]) -> None:
    """Import plotext on a daemon thread and call ``done`` (from that thread) once it is in."""
    defer_charts()

    def load() -> None:
        import plotext
        import plotext._kernel.terminal  # noqa: F401

        _plotext_loaded.set()
        done()

    threading.Thread(target=load, name="lishi-load-plotext", daemon=True).start()


def chart_waiting() -> bool:
    """True while a background load of plotext is still under way."""
    return _loading_in_background and not _plotext_loaded.is_set()


class PlotChart(Widget):
    """A plotext chart sized to the widget; rebuilt only when its data or size changes."""

    DEFAULT_CSS = """
    PlotChart { height: 1fr; min-height: 4; }
    """

    def __init__(
        self,
        spec: ChartSpec | None = None,
        *,
        colour: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._spec = spec
        self._colour = colour
        self._version: object = None
        self._cache_key: tuple[object, ...] | None = None
        self._cache: list[Text] = []
        self.builds = 0  # how many times plotext ran: tests and benchmarks read it
        self.held_frames = 0  # renders that showed the placeholder while held (tests read it)
        self._held = False
        self._releasing = False

    @property
    def spec(self) -> ChartSpec | None:
        return self._spec

    def set_spec(self, spec: ChartSpec | None, *, version: object = None) -> None:
        """Replace the data; equal data keeps the cached drawing.

        With ``version`` (the caller's data version), the drawing is keyed by it instead of
        the series itself, so a caller that knows nothing changed need not even build a spec
        (see ``spec_version``) and a long series is never compared point by point.
        """
        if version is not None:
            if version == self._version:
                return
            self._version = version
            self._spec = spec
            self.refresh()
        elif spec != self._spec or self._version is not None:
            self._version = None
            self._spec = spec
            self.refresh()

    @property
    def spec_version(self) -> object:
        """The version given with the current spec (None when set without one)."""
        return self._version

    def set_colour(self, colour: bool) -> None:
        if colour != self._colour:
            self._colour = colour
            self.refresh()

    def hold(self) -> None:
        """Build nothing in the next frame: a drawing not cached for this data and size is
        drawn a frame later (a placeholder until then), so that a page switch paints its
        figures without waiting for plotext. A cached drawing is shown at once."""
        self._held = True

    def _release_soon(self) -> None:
        # Not at once: the frame just drawn is still being written to the terminal.
        self.set_timer(RELEASE_AFTER_S, self._release, name="chart-release")

    def _release(self) -> None:
        self._held = self._releasing = False
        self.refresh()

    def lines_for(self, width: int, height: int) -> list[Text]:
        if self._spec is None:
            return [Text(" " * width) for _ in range(height)]
        if chart_waiting():
            return _placeholder(width, height)
        data: object = self._spec if self._version is None else ("version", self._version)
        key = (data, width, height, self._colour)
        if key != self._cache_key and self._held and self.is_attached:
            if not self._releasing:
                self._releasing = True
                self.call_after_refresh(self._release_soon)
            self.held_frames += 1
            return _placeholder(width, height)
        self._held = False
        if key != self._cache_key:
            self._cache = render_chart(self._spec, width, height, colour=self._colour)
            self._cache_key = key
            self.builds += 1
        return self._cache

    def render(self) -> RenderableType:
        width, height = self.content_size
        return Group(*self.lines_for(width, height))


def _placeholder(width: int, height: int) -> list[Text]:
    blank = [Text(" " * width) for _ in range(height)]
    if height:
        blank[height // 2] = Text("…".center(width), style="dim")
    return blank


def finite(values: Sequence[float]) -> bool:
    return all(math.isfinite(v) for v in values)
