"""The operator's edit of one indicator's target, thresholds and note, from the detail screen.

A small modal: each field is a TOML value as ``config set`` takes it. Saving writes only
the keys that changed, through the same safe edit (comments kept, checked, atomic), records
each in the audit trail (origin: dashboard) and lets the reload apply the new config.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from lishi_tui.config import audit
from lishi_tui.config.errors import ConfigError
from lishi_tui.domain.model import Indicator
from lishi_tui.text import clean

if TYPE_CHECKING:
    from lishi_tui.app.app import LishiApp
    from lishi_tui.config.edit import Change

_LABELS = {
    "zh": {
        "title": "编辑：{name}",
        "target.value": "目标值",
        "target.deadline": "期限（如 2025-12-31）",
        "target.note": "目标说明",
        "thresholds.green": "绿色界限",
        "thresholds.amber": "黄色界限",
        "help": "Enter 保存 · Esc 取消",
    },
    "en": {
        "title": "Edit: {name}",
        "target.value": "Target value",
        "target.deadline": "Deadline (e.g. 2025-12-31)",
        "target.note": "Target note",
        "thresholds.green": "Green bound",
        "thresholds.amber": "Amber bound",
        "help": "Enter saves · Esc cancels",
    },
}
FIELDS = tuple(k for k in _LABELS["en"] if "." in k)


def current_values(indicator: Indicator) -> dict[str, str]:
    """The editable keys as TOML text ("" where unset)."""
    from lishi_tui.config.edit import toml_text

    target, thresholds = indicator.target, indicator.thresholds
    values = {
        "target.value": toml_text(target.value) if target else "",
        "target.deadline": toml_text(target.deadline) if target and target.deadline else "",
        "target.note": toml_text(target.note) if target and target.note else "",
        "thresholds.green": toml_text(thresholds.green) if thresholds else "",
        "thresholds.amber": toml_text(thresholds.amber) if thresholds else "",
    }
    return values


@dataclass(frozen=True)
class Edits:
    """What the operator changed: (key under the indicator, TOML value) pairs."""

    indicator_id: str
    changes: tuple[tuple[str, str], ...]


class EditTargetScreen(ModalScreen[Edits | None]):
    """Target value, deadline, note and the two threshold bounds of one indicator."""

    DEFAULT_CSS = """
    EditTargetScreen { align: center middle; }
    EditTargetScreen > Vertical {
        width: 64; height: auto; padding: 1 2; border: thick $accent; background: $surface;
    }
    EditTargetScreen Input { margin-bottom: 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, indicator: Indicator, lang: str) -> None:
        super().__init__()
        self.indicator = indicator
        self.lang = lang if lang in _LABELS else "en"
        self.before = current_values(indicator)

    def compose(self) -> ComposeResult:
        labels = _LABELS[self.lang]
        with Vertical():
            yield Static(
                labels["title"].format(name=clean(self.indicator.name(self.lang))), markup=False
            )
            for key in FIELDS:
                yield Label(labels[key])
                yield Input(self.before[key], id=key.replace(".", "-"))
            yield Static(labels["help"], classes="dim")

    def on_input_submitted(self) -> None:
        changes = []
        for key in FIELDS:
            value = self.query_one(f"#{key.replace('.', '-')}", Input).value.strip()
            if value and value != self.before[key]:
                changes.append((key, value))
        self.dismiss(Edits(self.indicator.id, tuple(changes)) if changes else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def open_editor(app: LishiApp, indicator_id: str) -> None:
    """From the detail screen: operators only (a viewer is told why not)."""
    if not app.allowed("edit_config") or app.config.path is None:
        return
    indicator = app.config.indicators.get(indicator_id)
    if indicator is None:
        return

    def done(edits: Edits | None) -> None:
        if edits is not None:
            save(app, edits)

    app.push_screen(EditTargetScreen(indicator, app.lang), done)


def validator(app: LishiApp) -> Callable[[Path, str], None]:
    from lishi_tui.config.loader import build_config
    from lishi_tui.config.reading import parse_raw

    def validate(path: Path, text: str) -> None:
        build_config(parse_raw(path, text), app.registry, app.env)

    return validate


@work(thread=True, exclusive=True, group="config-edit", exit_on_error=False)
def save(app: LishiApp, edits: Edits) -> None:
    """Write each change (validated, atomic), audit it, then apply the file at once."""
    from lishi_tui.config.edit import set_key

    path = app.config.path
    assert path is not None
    written: list[Change] = []
    for key, value in edits.changes:
        full = f'indicators."{edits.indicator_id}".{key}'
        try:
            written.append(set_key(path, full, value, validator(app)))
        except ConfigError as exc:
            tell_refused(app, exc)
            break
    if written:
        record_and_apply(app, written, "; ".join(f"{c.key} = {c.new}" for c in written))


def tell_refused(app: LishiApp, exc: ConfigError) -> None:
    """An edit that was not written: its located reasons, on screen (from a worker thread)."""
    message = "\n".join(clean(str(i), single_line=True) for i in exc.issues)
    app.call_from_thread(app.notify, message, severity="error", markup=False, timeout=15)


def record_and_apply(app: LishiApp, written: list[Change], message: str) -> None:
    """After a dashboard edit (on a worker thread): audit the changes with this session's
    account, say what was written, and apply the file at once rather than at the next poll."""
    entries = [
        audit.AuditEntry(
            audit.now(), app.account, audit.Origin.DASHBOARD, str(c.file), c.key, c.old, c.new
        )
        for c in written
    ]
    try:
        audit.record_edits(app.store, entries)
    except Exception as exc:  # the edit stands; the trail says it missed it
        app.call_from_thread(app.notify, clean(f"audit: {exc}"), severity="warning", markup=False)
    app.call_from_thread(app.notify, clean(message), markup=False)
    watcher = app.config_watcher
    if watcher is not None:
        from lishi_tui.app.reloading import on_reload

        result = watcher.poll(force=True)
        if result is not None:
            app.call_from_thread(on_reload, app, watcher, result, False)


__all__ = [
    "EditTargetScreen",
    "Edits",
    "open_editor",
    "record_and_apply",
    "tell_refused",
    "validator",
]
