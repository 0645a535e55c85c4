"""Alert state and history in the store's database (SQLite or PostgreSQL), written once for both."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from lishi_tui.alerts.records import Ack, AlertRecord, Delivery, Silence, Transition
from lishi_tui.alerts.state import Instance, Sent, State
from lishi_tui.store.base import Store
from lishi_tui.store.schema import Migration, Schema
from lishi_tui.store.sql import Dialect, read_json, read_time

ALERTS_SCHEMA = Schema(
    "alerts",
    [
        Migration(
            "alerts, transitions, acks, silences, deliveries",
            """
            CREATE TABLE alerts (
                id                TEXT PRIMARY KEY,
                rule_id           TEXT NOT NULL,
                subject           TEXT NOT NULL,
                indicator_id      TEXT,
                severity          TEXT NOT NULL,
                rule_text         TEXT NOT NULL,
                state             TEXT NOT NULL,
                since             {time},
                active_at         {time},
                last_alerting_at  {time},
                episode_at        {time},
                sent              {json} NOT NULL,
                updated_at        {time} NOT NULL,
                value             {float},
                period            TEXT,
                period_label      TEXT,
                source            TEXT,
                demo              {bool} NOT NULL,
                pace              TEXT,
                detail            TEXT NOT NULL
            );
            CREATE TABLE alert_transitions (
                id          {id},
                alert_id    TEXT NOT NULL,
                rule_id     TEXT NOT NULL,
                at          {time} NOT NULL,
                from_state  TEXT NOT NULL,
                to_state    TEXT NOT NULL,
                value       {float},
                period      TEXT,
                source      TEXT,
                demo        {bool} NOT NULL,
                rule_text   TEXT NOT NULL,
                detail      TEXT NOT NULL
            );
            CREATE INDEX alert_transitions_alert ON alert_transitions (alert_id, id DESC);
            CREATE TABLE alert_acks (
                id        {id},
                alert_id  TEXT NOT NULL,
                at        {time} NOT NULL,
                who       TEXT NOT NULL,
                reason    TEXT NOT NULL
            );
            CREATE INDEX alert_acks_alert ON alert_acks (alert_id, at DESC);
            CREATE TABLE alert_silences (
                id        {id},
                target    TEXT NOT NULL,
                at        {time} NOT NULL,
                until_at  {time} NOT NULL,
                who       TEXT NOT NULL,
                reason    TEXT NOT NULL
            );
            CREATE INDEX alert_silences_until ON alert_silences (until_at);
            CREATE TABLE alert_deliveries (
                id         {id},
                alert_id   TEXT NOT NULL,
                notifier   TEXT NOT NULL,
                at         {time} NOT NULL,
                state      TEXT NOT NULL,
                is_repeat  {bool} NOT NULL,
                ok         {bool} NOT NULL,
                error      TEXT,
                attempts   INTEGER NOT NULL
            );
            CREATE INDEX alert_deliveries_alert ON alert_deliveries (alert_id, id DESC)
            """,
        )
    ],
)

_ALERT_COLUMNS = (
    "id, rule_id, subject, indicator_id, severity, rule_text, state, since, active_at, "
    "last_alerting_at, episode_at, sent, updated_at, value, period, period_label, source, "
    "demo, pace, detail"
)
_UPSERT = (
    f"INSERT INTO alerts ({_ALERT_COLUMNS}) VALUES ({', '.join('?' * 20)}) "
    "ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _ALERT_COLUMNS.split(", ")[1:])
)
_TRANSITION_COLUMNS = (
    "alert_id, rule_id, at, from_state, to_state, value, period, source, demo, rule_text, detail"
)


def tables_exist(store: Store) -> bool:
    """Whether a collector (or an ack) has created the alert tables in this database; readers
    that must never write (``lishi-tui view``) ask before reading."""
    with store.read() as tx:
        return tx.dialect.table_exists(tx, "alerts")


def _time(value: Any) -> datetime | None:
    return None if value is None else read_time(value)


class StoreRepository:
    """An ``AlertRepository`` in the store: the collector writes it, viewers and the CLI read
    it, the CLI and the dashboard add acks and silences."""

    def __init__(self, store: Store, *, create: bool = True) -> None:
        self.store = store
        if create:
            store.ensure(ALERTS_SCHEMA)

    def alerts(self) -> dict[str, AlertRecord]:
        rows = self.store.query(f"SELECT {_ALERT_COLUMNS} FROM alerts ORDER BY id")
        return {r[0]: _record(r) for r in rows}

    def save_alerts(
        self, records: Sequence[AlertRecord], transitions: Sequence[Transition]
    ) -> None:
        if not records and not transitions:
            return
        with self.store.transaction("alerts") as tx:
            d = tx.dialect
            tx.executemany(_UPSERT, [_alert_row(r, d) for r in records])
            for t in transitions:
                tx.execute(
                    f"INSERT INTO alert_transitions ({_TRANSITION_COLUMNS}) "
                    f"VALUES ({', '.join('?' * 11)})",
                    (
                        t.alert_id,
                        t.rule_id,
                        t.at,
                        t.from_state,
                        t.to_state,
                        t.value,
                        t.period,
                        t.source,
                        t.demo,
                        t.rule_text,
                        t.detail,
                    ),
                )

    def transitions(self, alert_id: str | None = None, limit: int = 100) -> list[Transition]:
        where = "WHERE alert_id = ? " if alert_id is not None else ""
        params: tuple[Any, ...] = (alert_id, limit) if alert_id is not None else (limit,)
        rows = self.store.query(
            f"SELECT {_TRANSITION_COLUMNS} FROM alert_transitions {where}ORDER BY id DESC LIMIT ?",
            params,
        )
        return [
            Transition(
                alert_id=r[0],
                rule_id=r[1],
                at=read_time(r[2]),
                from_state=r[3],
                to_state=r[4],
                value=r[5],
                period=r[6],
                source=r[7],
                demo=bool(r[8]),
                rule_text=r[9],
                detail=r[10],
            )
            for r in rows
        ]

    def add_ack(self, ack: Ack) -> None:
        with self.store.transaction("alerts") as tx:
            tx.execute(
                "INSERT INTO alert_acks (alert_id, at, who, reason) VALUES (?, ?, ?, ?)",
                (ack.alert_id, ack.at, ack.by, ack.reason),
            )

    def acks(self) -> dict[str, Ack]:
        rows = self.store.query("SELECT alert_id, at, who, reason FROM alert_acks ORDER BY id")
        return {r[0]: Ack(r[0], read_time(r[1]), r[2], r[3]) for r in rows}

    def add_silence(self, silence: Silence) -> None:
        with self.store.transaction("alerts") as tx:
            tx.execute(
                "INSERT INTO alert_silences (target, at, until_at, who, reason) "
                "VALUES (?, ?, ?, ?, ?)",
                (silence.target, silence.at, silence.until, silence.by, silence.reason),
            )

    def silences(self, now: datetime) -> list[Silence]:
        rows = self.store.query(
            "SELECT target, at, until_at, who, reason FROM alert_silences "
            "WHERE until_at > ? ORDER BY id",
            (now,),
        )
        return [Silence(r[0], read_time(r[1]), read_time(r[2]), r[3], r[4]) for r in rows]

    def record_deliveries(self, deliveries: Sequence[Delivery]) -> None:
        if not deliveries:
            return
        with self.store.transaction("alerts") as tx:
            for d in deliveries:
                tx.execute(
                    "INSERT INTO alert_deliveries "
                    "(alert_id, notifier, at, state, is_repeat, ok, error, attempts) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (d.alert_id, d.notifier, d.at, d.state, d.repeat, d.ok, d.error, d.attempts),
                )

    def deliveries(self, alert_id: str | None = None, limit: int = 100) -> list[Delivery]:
        where = "WHERE alert_id = ? " if alert_id is not None else ""
        params: tuple[Any, ...] = (alert_id, limit) if alert_id is not None else (limit,)
        rows = self.store.query(
            "SELECT alert_id, notifier, at, state, is_repeat, ok, error, attempts "
            f"FROM alert_deliveries {where}ORDER BY id DESC LIMIT ?",
            params,
        )
        return [
            Delivery(r[0], r[1], read_time(r[2]), r[3], bool(r[4]), bool(r[5]), r[6], int(r[7]))
            for r in rows
        ]


def _alert_row(r: AlertRecord, d: Dialect) -> tuple[Any, ...]:
    i = r.instance
    sent = [{"channel": s.channel, "state": s.state, "at": s.at.isoformat()} for s in i.sent]
    return (
        r.id,
        r.rule_id,
        r.subject,
        r.indicator_id,
        r.severity,
        r.rule_text,
        i.state.value,
        i.since,
        i.active_at,
        i.last_alerting_at,
        i.episode_at,
        d.json(sent),
        r.updated_at,
        r.value,
        r.period,
        r.period_label,
        r.source,
        r.demo,
        r.pace,
        r.detail,
    )


def _record(r: tuple[Any, ...]) -> AlertRecord:
    sent = tuple(
        Sent(s["channel"], s["state"], datetime.fromisoformat(s["at"])) for s in read_json(r[11])
    )
    return AlertRecord(
        id=r[0],
        rule_id=r[1],
        subject=r[2],
        indicator_id=r[3],
        severity=r[4],
        rule_text=r[5],
        instance=Instance(
            state=State(r[6]),
            since=_time(r[7]),
            active_at=_time(r[8]),
            last_alerting_at=_time(r[9]),
            episode_at=_time(r[10]),
            sent=sent,
        ),
        updated_at=read_time(r[12]),
        value=r[13],
        period=r[14],
        period_label=r[15],
        source=r[16],
        demo=bool(r[17]),
        pace=r[18],
        detail=r[19],
    )
