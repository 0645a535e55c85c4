"""The collector's heartbeat rides along with the store's next write once it is due, so that
a collector writing every few seconds commits nothing more for being alive (counted)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from lishi_tui.collector import heartbeat
from lishi_tui.collector.heartbeat import _Beats, beat_forever
from lishi_tui.domain.periods import Period
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import FIXED_NOW, observation
from tests.support.waiting import until_async


def test_a_due_beat_is_written_in_the_next_write_transaction_not_in_one_of_its_own(
    tmp_path: Path,
) -> None:
    store = SqliteStore(tmp_path / "h.db")
    now = [FIXED_NOW]
    beats = _Beats(store, lambda: now[0], 41, "host", period=3600.0)
    beats.grace = heartbeat.LATE
    store.add_commit_hook(beats.before_commit, before=True)
    commits: list[set[str]] = []
    store.add_commit_hook(lambda tx: commits.append(set(tx.topics)))
    try:
        beats.write()  # the first beat, at the start: a transaction of its own
        assert (beats.own, beats.folded) == (1, 0)
        store.write([observation("gdp", Period.year(2021), 5.0)])  # not due: no beat
        assert beats.folded == 0 and commits[-1] == {"observations"}

        beats.last = (beats.last or 0.0) - 3600.0  # a period later
        now[0] = FIXED_NOW + timedelta(hours=1)
        store.write([observation("gdp", Period.year(2021), 5.1)])
        assert beats.folded == 1 and commits[-1] == {"observations", "heartbeat"}
        beat = store.last_heartbeat()
        assert beat is not None and beat.beat_at == now[0] and beat.pid == 41
        beats.write()  # the beat loop wakes: already written, nothing to do
        assert beats.own == 1
        assert len(commits) == 3  # one beat of its own, two writes: nothing more
        assert beats.last is not None
        beats.last -= 3600.0  # due, and no write came by: the loop's own beat waits a while
        assert beats.due() and not beats.due(late=True)
        beats.last -= 3600.0 * heartbeat.LATE
        beats.write()
        assert beats.own == 2 and commits[-1] == {"heartbeat"}
    finally:
        store.close()


async def test_the_beat_loop_adds_its_hook_while_it_runs_and_removes_it(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "h.db")
    try:
        task = asyncio.create_task(beat_forever(store, lambda: FIXED_NOW))
        await until_async(lambda: store.last_heartbeat() is not None, what="the first beat")
        assert len(store._before_commit) == 1
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert store._before_commit == []
    finally:
        store.close()


def test_postgresql_beats_in_a_transaction_of_its_own() -> None:
    class Pg:
        class dialect:
            name = "postgres"

    assert not _Beats(Pg(), lambda: FIXED_NOW, 1, "h", 10.0).can_fold()  # type: ignore[arg-type]
