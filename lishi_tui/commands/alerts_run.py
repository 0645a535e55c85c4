"""What ``lishi-tui alerts`` does: current alerts, their history, ack, silence, a dry run of a rule."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

from lishi_tui.alerts.config import rules_of
from lishi_tui.alerts.engine import AlertEngine
from lishi_tui.alerts.records import Ack, AlertRecord, Silence, Transition, acknowledged
from lishi_tui.alerts.rules import Severity
from lishi_tui.alerts.stored import StoreRepository, tables_exist
from lishi_tui.alerts.wording import word
from lishi_tui.commands.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, open_runtime
from lishi_tui.config.durations import parse_duration
from lishi_tui.config.schema import resolve_language
from lishi_tui.domain.periods import CHINA_TZ
from lishi_tui.roles import current_account
from lishi_tui.text import clean, did_you_mean, nearest

SEVERITY_ORDER = {s.value: n for n, s in enumerate(Severity)}


def _lang(runtime: Any, env: Mapping[str, str]) -> str:
    return resolve_language(runtime.config.app.language, env)


def _now() -> datetime:
    return datetime.now(UTC)


def _local(moment: datetime | None) -> str:
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if moment else "—"


def alert_json(
    rec: AlertRecord, ack: Ack | None, silenced_until: datetime | None
) -> dict[str, Any]:
    """One alert instance as ``alerts --json`` prints it."""
    acked = acknowledged(rec, ack)
    return {
        "id": rec.id,
        "rule": rec.rule_id,
        "indicator": rec.indicator_id,
        "source": rec.source,
        "state": rec.state.value,
        "severity": rec.severity,
        "since": rec.instance.since.isoformat() if rec.instance.since else None,
        "value": rec.value,
        "period": rec.period,
        "period_label": rec.period_label,
        "demo": rec.demo,
        "acknowledged": acked,
        "acknowledged_by": ack.by if acked and ack else None,
        "acknowledged_at": ack.at.isoformat() if acked and ack else None,
        "ack_reason": ack.reason if acked and ack else None,
        "silenced_until": silenced_until.isoformat() if silenced_until else None,
        "detail": rec.detail,
        "rule_text": rec.rule_text,
    }


def run_list(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    runtime = open_runtime(args, env)
    lang = _lang(runtime, env)
    store = runtime.open_store()
    now = _now()
    records: list[AlertRecord] = []
    acks: dict[str, Ack] = {}
    silences: list[Silence] = []
    try:
        if tables_exist(store):  # listing never creates the tables
            repo = StoreRepository(store, create=False)
            records = [r for r in repo.alerts().values() if args.all or r.active]
            acks = repo.acks()
            silences = repo.silences(now)
    finally:
        store.close()
    records.sort(key=lambda r: (SEVERITY_ORDER.get(r.severity, 9), r.instance.since or now, r.id))
    rows = []
    for rec in records:
        until = max((s.until for s in silences if s.covers(rec, now)), default=None)
        rows.append(alert_json(rec, acks.get(rec.id), until))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2), file=out)
        return EXIT_OK
    if not rows:
        print("没有告警" if lang == "zh" else "no alerts", file=out)
        return EXIT_OK
    for row in rows:
        print(_line(row, lang), file=out)
    return EXIT_OK


def _line(row: Mapping[str, Any], lang: str) -> str:
    state = word(f"state.{row['state']}", lang)
    sev = word(f"severity.{row['severity']}", lang)
    since = _local(datetime.fromisoformat(row["since"])) if row["since"] else "—"
    value = "—" if row["value"] is None else f"{row['value']:g}"
    period = row["period_label"] or row["period"] or ""
    marks = []
    if row["demo"]:
        marks.append(word("demo", lang))
    if row["acknowledged"]:
        marks.append(f"{word('acked', lang)} {_one(row['acknowledged_by'])}")
    if row["silenced_until"]:
        marks.append(
            f"{word('silenced', lang)} → {_local(datetime.fromisoformat(row['silenced_until']))}"
        )
    tail = f"  [{', '.join(marks)}]" if marks else ""
    return (
        f"{sev:<8} {state:<10} {_one(row['id']):<32} {value} {_one(period)}  {since}  "
        f"{_one(row['detail'])}{tail}"
    )


def _one(text: object) -> str:
    """Stored text on one line, control characters removed (it may come from a source)."""
    return clean(text, single_line=True, limit=300) if text else ""


def run_history(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    runtime = open_runtime(args, env)
    store = runtime.open_store()
    rows: list[Transition] = []
    acks: list[Ack] = []
    try:
        if tables_exist(store):
            repo = StoreRepository(store, create=False)
            rows = repo.transitions(args.alert, limit=max(1, args.limit))
            acks = [a for a in repo.acks().values() if args.alert in (None, a.alert_id)]
    finally:
        store.close()
    if getattr(args, "json", False):
        data = [
            {
                "alert": t.alert_id,
                "rule": t.rule_id,
                "at": t.at.isoformat(),
                "from": t.from_state,
                "to": t.to_state,
                "value": t.value,
                "period": t.period,
                "source": t.source,
                "demo": t.demo,
                "rule_text": t.rule_text,
                "detail": t.detail,
            }
            for t in rows
        ]
        print(json.dumps(data, ensure_ascii=False, indent=2), file=out)
        return EXIT_OK
    for t in rows:
        value = "—" if t.value is None else f"{t.value:g}"
        demo = " [demo]" if t.demo else ""
        print(
            f"{_local(t.at)}  {_one(t.alert_id):<32} {t.from_state} → {t.to_state}  "
            f"{value} {_one(t.period)} {_one(t.source)}{demo}  {_one(t.detail)}  "
            f"({_one(t.rule_text)})",
            file=out,
        )
    for a in sorted(acks, key=lambda a: a.at, reverse=True):
        print(
            clean(f"{_local(a.at)}  {a.alert_id:<32} ack by {a.by}: {a.reason}", single_line=True),
            file=out,
        )
    return EXIT_OK


def run_ack(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    runtime = open_runtime(args, env)
    store = runtime.open_store()
    try:
        repo = StoreRepository(store)
        records = repo.alerts()
        rec = records.get(args.alert)
        if rec is None:
            hint = did_you_mean(nearest(args.alert, records))
            print(f"no alert {args.alert!r}{hint}", file=err)
            return EXIT_USAGE
        if not rec.active:
            print(f"alert {rec.id} is {rec.state.value}: nothing to acknowledge", file=err)
            return EXIT_FAILED
        who = current_account(env)
        repo.add_ack(Ack(rec.id, _now(), who, clean(args.reason, single_line=True, limit=500)))
    finally:
        store.close()
    print(f"acknowledged {rec.id} as {who}", file=out)
    return EXIT_OK


def run_silence(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    runtime = open_runtime(args, env)
    try:
        duration = parse_duration(args.duration)
    except ValueError as exc:
        print(f"--for: {exc}", file=err)
        return EXIT_USAGE
    if duration.total_seconds() <= 0:
        print("--for: must be longer than 0", file=err)
        return EXIT_USAGE
    rules = rules_of(runtime.config)
    store = runtime.open_store()
    try:
        repo = StoreRepository(store)
        known = set(repo.alerts()) | set(rules)
        if args.target not in known:
            hint = did_you_mean(nearest(args.target, known))
            print(f"no alert or rule {args.target!r}{hint}", file=err)
            return EXIT_USAGE
        now = _now()
        who = current_account(env)
        reason = clean(args.reason, single_line=True, limit=500)
        repo.add_silence(Silence(args.target, now, now + duration, who, reason))
    finally:
        store.close()
    print(f"silenced {args.target} until {_local(now + duration)} as {who}", file=out)
    return EXIT_OK


def run_test(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    runtime = open_runtime(args, env)
    rules = rules_of(runtime.config)
    if args.rule not in rules:
        hint = did_you_mean(nearest(args.rule, rules))
        print(f"no rule {args.rule!r} in [alerts]{hint}", file=err)
        return EXIT_USAGE
    lang = _lang(runtime, env)
    store = runtime.open_store()
    try:
        engine = AlertEngine(
            rules,
            runtime.config.indicators,
            store,
            StoreRepository(store),
            lang=lang,
            clock=_now,
        )
        evaluation = engine.evaluate([args.rule], persist=False)  # nothing written or sent
    finally:
        store.close()
    if getattr(args, "json", False):
        data = {
            "rule": args.rule,
            "alerts": [
                {"id": r.id, "state": r.state.value, "value": r.value, "detail": r.detail}
                for r in evaluation.alerts.values()
            ],
            "would_send": {
                n: [e.summary for e in events] for n, events in evaluation.batches.items()
            },
        }
        print(json.dumps(data, ensure_ascii=False, indent=2), file=out)
        return EXIT_OK
    print(_one(rules[args.rule].text), file=out)
    for rec in evaluation.alerts.values():
        state = word(f"state.{rec.state.value}", lang)
        value = "—" if rec.value is None else f"{rec.value:g}"
        print(
            clean(f"  {rec.subject:<28} {state:<10} {value}  {rec.detail}", single_line=True),
            file=out,
        )
    if not evaluation.batches:
        print("would send nothing now", file=out)
    for notifier, events in evaluation.batches.items():
        print(f"would send to {notifier}:", file=out)
        for e in events:
            print(f"  {_one(e.summary)}", file=out)
    return EXIT_OK
