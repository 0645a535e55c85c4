"""The ``demo`` source type: seeded, reproducible, always flagged, never on a published period."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lishi_tui.config.schema import Config
from lishi_tui.domain.model import ObservationStatus, Reading
from lishi_tui.domain.periods import Period, PeriodKind
from lishi_tui.registry import Registry
from lishi_tui.sources.api import FetchError
from lishi_tui.sources.published_format import covers, load_published
from tests.support.bundled import PLUGINS, bundled_config, fetch_once, load_bundled

NOW = datetime(2026, 11, 29, 9, 30, 7, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo() -> Registry:
    return load_bundled("demo")


@pytest.fixture(scope="module")
def bundled() -> Config:
    return bundled_config()


def options(registry: Registry, **given: Any) -> dict[str, Any]:
    """The demo schema's defaults with ``given`` on top, as the config loader would pass them."""
    schema = registry.source_types["demo"].options
    full = {k: o.default for k, o in schema.items()}
    full.update(given)
    return full


def run(
    registry: Registry,
    opts: Mapping[str, Any],
    indicators: Sequence[str],
    now: datetime = NOW,
    state: dict[str, Any] | None = None,
    source_id: str = "demo_test",
) -> list[Reading]:
    return fetch_once(
        registry,
        "demo",
        source_id=source_id,
        options=opts,
        indicators=indicators,
        now=now,
        state=state,
    )


def as_pairs(readings: Sequence[Reading]) -> list[tuple[str, str, float | None]]:
    return [(r.indicator, r.period.key, r.value) for r in readings]


def test_same_seed_and_clock_give_the_same_series(demo: Registry) -> None:
    opts = options(demo, profile="seasonal", amplitude=3.0, noise=1.5, step=0.2)
    first = run(demo, opts, ["x_a", "x_b"])
    again = run(demo, opts, ["x_a", "x_b"])
    assert as_pairs(first) == as_pairs(again)
    assert len(first) == 2 * (24 + 1)  # 24 months of history and the current month, each


def test_seed_and_indicator_id_each_change_the_series(demo: Registry) -> None:
    base = as_pairs(run(demo, options(demo, seed=0), ["x_a"]))
    other_seed = as_pairs(run(demo, options(demo, seed=1), ["x_a"]))
    assert [v for *_, v in base] != [v for *_, v in other_seed]
    a, b = run(demo, options(demo), ["x_a", "x_b"])[:25], run(demo, options(demo), ["x_b"])
    assert [r.value for r in a] != [r.value for r in b]


def test_every_reading_is_flagged_demo_with_its_profile(demo: Registry) -> None:
    for profile in ("walk", "seasonal", "ramp", "aqi"):
        readings = run(demo, options(demo, profile=profile), ["x"])
        assert readings
        assert all(r.demo for r in readings)
        assert {r.origin for r in readings} == {f"demo:{profile}"}


def test_first_run_sends_history_then_one_tick_per_run(demo: Registry) -> None:
    opts = options(demo, profile="aqi", period="instant", start=70, history=48, every="1h")
    state: dict[str, Any] = {}
    first = run(demo, opts, ["aqi"], state=state)
    assert len(first) == 49
    hourly = [r.period.start for r in first[:-1]]
    assert all(b - a == timedelta(hours=1) for a, b in itertools.pairwise(hourly))
    assert first[-1].period == Period.instant(NOW)
    later = NOW + timedelta(seconds=3)
    tick = run(demo, opts, ["aqi"], now=later, state=state)
    assert [r.period for r in tick] == [Period.instant(later)]
    # A restarted source (fresh state) redraws the same history: values are pure.
    again = run(demo, opts, ["aqi"], now=later, state={})
    assert as_pairs(again[-2:-1]) == as_pairs(first[-2:-1])


def test_monthly_ticks_revise_the_current_month_provisionally(demo: Registry) -> None:
    opts = options(demo, profile="ramp", start=0, step=45000, noise=0.5, jitter=400, decimals=0)
    state: dict[str, Any] = {}
    first = run(demo, opts, ["acres"], state=state)
    assert first[-1].period.key == "2026-11"
    assert first[-1].status is ObservationStatus.PROVISIONAL
    assert all(r.status is ObservationStatus.NORMAL for r in first[:-1])
    ticks = [
        run(demo, opts, ["acres"], now=NOW + timedelta(seconds=s), state=state) for s in (4, 8)
    ]
    for tick in ticks:
        assert [r.period.key for r in tick] == ["2026-10", "2026-11"]
        assert tick[0].value == first[-2].value  # a finished month does not move
    assert ticks[0][1].value != ticks[1][1].value  # the live month does: the panel updates


def test_ramp_never_falls_and_ytd_restarts_in_january(demo: Registry) -> None:
    opts = options(demo, profile="ramp", start=0, step=45000, noise=1.0, history=60, decimals=0)
    values = [r.value or 0.0 for r in run(demo, opts, ["acres"])]
    assert values == sorted(values)
    days = options(demo, profile="ramp", period="day", ytd=True, start=0, step=0.8, history=400)
    readings = run(demo, days, ["good_days"])
    by_day = {r.period.key: r.value for r in readings}
    assert by_day["2026-01-01"] is not None and by_day["2026-01-01"] <= 1
    assert by_day["2025-12-31"] is not None and by_day["2025-12-31"] > 250


def test_bounds_and_rounding_hold(demo: Registry) -> None:
    opts = options(
        demo, profile="walk", start=50, noise=40, min=10, max=60, decimals=0, history=120
    )
    values = [r.value for r in run(demo, opts, ["x"])]
    assert all(v is not None and 10 <= v <= 60 and v == int(v) for v in values)
    assert min(v or 0 for v in values) == 10 and max(v or 0 for v in values) == 60


def test_a_fixed_series_never_ticks_past_its_end(demo: Registry) -> None:
    opts = options(demo, period="year", since="2016", until="2020", anchor="2016-01-01")
    readings = run(demo, opts, ["growth"])
    assert [r.period.key for r in readings] == ["2016", "2017", "2018", "2019", "2020"]
    assert all(r.status is ObservationStatus.NORMAL for r in readings)


def test_no_demo_value_on_a_published_period(demo: Registry) -> None:
    # A monthly series across 2021 for indicators the report publishes: the month of
    # 1581/1787 (2021-10) and every month of the year-2021 GDP figure are skipped.
    opts = options(demo, since="2021-01")
    readings = run(
        demo, opts, ["requests_done", "gdp_growth"], now=datetime(2022, 3, 5, tzinfo=UTC)
    )
    months = {
        ind: [r.period.key for r in readings if r.indicator == ind]
        for ind in ("requests_done", "gdp_growth")
    }
    assert "2021-10" not in months["requests_done"]
    assert len(months["requests_done"]) == 14  # 2021-01 .. 2022-03 without 2021-10
    assert months["gdp_growth"] == ["2022-01", "2022-02", "2022-03"]


def test_bundled_demo_sources_avoid_every_published_figure(demo: Registry, bundled: Config) -> None:
    published: dict[str, list[Period]] = {}
    for path in sorted(PLUGINS.glob("*/published.toml")):
        for fig in load_published(path).figures:
            published.setdefault(fig.indicator, []).append(fig.period)
    demo_sources = [s for s in bundled.sources.values() if s.type == "demo"]
    assert len(demo_sources) >= 5
    seen: set[str] = set()
    for clock in (NOW, datetime(2021, 10, 20, 12, tzinfo=UTC), datetime(2022, 1, 3, tzinfo=UTC)):
        for source in demo_sources:
            readings = run(demo, source.options, source.indicators, now=clock, source_id=source.id)
            assert readings, source.id
            for r in readings:
                assert r.demo
                seen.add(r.indicator)
                assert not any(covers(p, r.period) for p in published.get(r.indicator, [])), (
                    f"{source.id} generated {r.indicator} {r.period.key}, a published period"
                )
    assert {"aqi", "pm25", "greening_acreage", "waste_accuracy", "requests_done"} <= seen


def test_bundled_air_feed_is_hourly_history_then_live(demo: Registry, bundled: Config) -> None:
    source = bundled.sources["air_demo"]
    assert source.interval <= timedelta(seconds=5)
    readings = run(demo, source.options, source.indicators, source_id=source.id)
    aqi = [r for r in readings if r.indicator == "aqi"]
    pm25 = [r for r in readings if r.indicator == "pm25"]
    assert len(aqi) == len(pm25) == 49
    assert all(r.period.kind is PeriodKind.INSTANT for r in aqi)
    assert all(10 <= (r.value or 0) <= 500 for r in aqi)
    assert sum(r.value or 0 for r in pm25) < sum(r.value or 0 for r in aqi)


def test_a_bad_series_option_is_located(demo: Registry) -> None:
    opts = options(demo, series={"aqi": {"strat": 70}})
    with pytest.raises(FetchError) as caught:
        run(demo, opts, ["aqi"], source_id="air_demo")
    assert caught.value.where == "sources.air_demo.series.aqi.strat"
    assert "unknown series option 'strat'" in str(caught.value)
    opts = options(demo, series={"aqi": {"profile": "sawtooth"}})
    with pytest.raises(FetchError, match="sawtooth") as caught:
        run(demo, opts, ["aqi"], source_id="air_demo")
    assert caught.value.where == "sources.air_demo.series.aqi.profile"


def test_an_unreadable_published_file_stops_the_demo(demo: Registry, tmp_path: Path) -> None:
    bad = tmp_path / "published.toml"
    bad.write_text(
        '[document]\ntitle = "t"\n[[figures]]\nindicator = "x"\nperiod = "2021-13"\nvalue = 1\n'
    )
    with pytest.raises(FetchError) as caught:
        run(demo, options(demo, published=[str(bad)]), ["x"])
    assert str(bad) in caught.value.where and "figures[0] (x)" in caught.value.where


def test_a_source_without_indicators_is_refused(demo: Registry) -> None:
    with pytest.raises(FetchError, match="indicators"):
        run(demo, options(demo), [])


def test_a_published_file_changed_between_ticks_is_read_again(
    demo: Registry, tmp_path: Path
) -> None:
    figures = tmp_path / "published.toml"
    figures.write_text('[document]\ntitle = "t"\n', encoding="utf-8")
    opts = options(demo, published=[str(figures)])
    state: dict[str, Any] = {}
    assert run(demo, opts, ["x"], state=state)[-1].period.key == "2026-11"
    figures.write_text(
        '[document]\ntitle = "t"\n[[figures]]\nindicator = "x"\nperiod = "2026-11"\nvalue = 1\n',
        encoding="utf-8",
    )
    assert [r.period.key for r in run(demo, opts, ["x"], state=state)] == ["2026-10"]


# -- a demo path that leads up to a published figure arrives at it


def test_the_bundled_requests_path_rises_to_the_published_october_figure(
    demo: Registry, bundled: Config
) -> None:
    # The report: 1581 of 1787 handled by the end of October 2021, i.e. 88.47 %.
    published = 1581 / 1787 * 100
    source = bundled.sources["requests_path_demo"]
    path = run(demo, source.options, source.indicators, source_id=source.id)
    assert [r.period.key for r in path] == [f"2021-{m:02d}" for m in range(1, 10)]
    values = [r.value for r in path if r.value is not None]
    assert len(values) == 9
    assert values == sorted(values)  # a completion rate that only rises
    assert max(values) < published  # never above the real figure


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("profile", ["ramp", "walk", "seasonal"])
def test_a_path_arrives_exactly_at_the_figure_it_leads_up_to(seed: int, profile: str) -> None:
    from plugins.demo.profiles import Anchor, SeriesSpec, pinned_value, value_at

    spec = SeriesSpec(profile=profile, start=3, step=9, noise=0.8, amplitude=4)
    october = Period.month(2021, 10)
    anchors = [Anchor(october.end, 88.47, 2021)]
    assert pinned_value(spec, seed, "x", october.end, 2021, anchors) == pytest.approx(88.47)
    # After the figure the path is its own again.
    after = Period.month(2021, 12).end
    assert pinned_value(spec, seed, "x", after, 2021, anchors) == value_at(
        spec, seed, "x", after, 2021
    )
    if profile == "ramp":  # a rising path never runs above the figure it rises to
        months = [
            pinned_value(spec, seed, "x", Period.month(2021, m).end, 2021, anchors)
            for m in range(1, 10)
        ]
        assert months == sorted(months) and months[-1] < 88.47


def test_a_monthly_demo_tick_is_not_counted_as_a_revision(
    demo: Registry, bundled: Config, tmp_path: Path
) -> None:
    """Ten minutes of the bundled waste feed (a tick every 5 s) leave revision 1, as stored."""
    from lishi_tui.domain.model import Observation
    from lishi_tui.store.sqlite import SqliteStore

    source = bundled.sources["waste_demo"]
    store = SqliteStore(tmp_path / "lishi.db")
    state: dict[str, Any] = {}
    for tick in range(120):
        now = NOW + timedelta(seconds=5 * tick)
        readings = run(
            demo, source.options, source.indicators, now=now, state=state, source_id=source.id
        )
        store.write([Observation(r, source.id, now) for r in readings])
    current = store.revisions("waste_accuracy", Period.month(2026, 11).key)
    assert [o.revision for o in current] == [1]
    assert store.latest()["waste_accuracy"].revision == 1
    store.close()


def test_the_bundled_published_files_are_searched_for_once_not_every_tick(
    demo: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    searches: list[str] = []
    glob = Path.glob

    def counting(self: Path, pattern: str) -> Any:
        searches.append(pattern)
        return glob(self, pattern)

    monkeypatch.setattr(Path, "glob", counting)
    opts = options(demo, profile="ramp", start=0, step=45000, decimals=0)
    state: dict[str, Any] = {}
    for s in (0, 3, 6, 9):
        run(demo, opts, ["acres"], now=NOW + timedelta(seconds=s), state=state)
    assert searches == ["*/published.toml"]
    # Each file found is still looked at every tick: a changed one is read again.
    assert state["bundled_published"] and set(state["published_cache"]) == set(
        state["bundled_published"]
    )


def test_a_tick_reuses_the_series_options_until_they_change(demo: Registry) -> None:
    opts = options(demo, profile="ramp", start=0, step=45000, decimals=0)
    state: dict[str, Any] = {}
    run(demo, opts, ["acres"], state=state)
    kept = state["specs"]["acres"][1]
    run(demo, opts, ["acres"], now=NOW + timedelta(seconds=3), state=state)
    assert state["specs"]["acres"][1] is kept  # not worked out again
    changed = {**opts, "step": 90000}  # a reload changed the source's options
    tick = run(demo, changed, ["acres"], now=NOW + timedelta(seconds=6), state=state)
    assert state["specs"]["acres"][1].step == 90000
    assert tick[-1].value == run(demo, changed, ["acres"], now=NOW + timedelta(seconds=6))[-1].value
