"""The operator's annotation of one indicator, from the detail screen ("n").

A one-line modal. Saving appends ``[[indicators.<id>.annotations]]`` (text, this session's
account as author, the time now) to the config through the same safe edit as ``config
annotate`` (comments kept, checked, atomic), records it in the audit trail (origin:
dashboard) and applies the file at once: the panel's mark, the detail's list and ``show
--json`` all read it from the config in force.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from lishi_tui.app.i18n import t
from lishi_tui.app.screens.edit_target import record_and_apply, tell_refused, validator
from lishi_tui.config import audit
from lishi_tui.config.errors import ConfigError
from lishi_tui.domain.model import Indicator
from lishi_tui.domain.periods import CHINA_TZ
from lishi_tui.text import clean

if TYPE_CHECKING:
    from lishi_tui.app.app import LishiApp


class AnnotateScreen(ModalScreen[str | None]):
    """One line of text; Enter returns it, Escape returns None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, indicator: Indicator, lang: str, account: str) -> None:
        super().__init__()
        self.indicator = indicator
        self.lang = lang
        self.account = account

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Vertical(id="annotate-box"):
            yield Static(
                t("annotate.title", lang, name=clean(self.indicator.name(lang))), markup=False
            )
            yield Input(placeholder=t("annotate.placeholder", lang), id="annotation-text")
            yield Static(
                t("annotate.keys", lang, who=clean(self.account, single_line=True)),
                markup=False,
                classes="dim",
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self.dismiss(text or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def open_annotator(app: LishiApp, indicator_id: str) -> None:
    """From the detail screen: operators only (a viewer is told why not)."""
    if not app.allowed("edit_config") or app.config.path is None:
        return
    indicator = app.config.indicators.get(indicator_id)
    if indicator is None:
        return

    def done(text: str | None) -> None:
        if text:
            save_annotation(app, indicator_id, text)

    app.push_screen(AnnotateScreen(indicator, app.lang, app.account), done)


@work(thread=True, exclusive=True, group="config-edit", exit_on_error=False)
def save_annotation(app: LishiApp, indicator_id: str, text: str) -> None:
    """Append the annotation (validated, atomic), audit it, then apply the file at once."""
    from lishi_tui.config.annotations import add_annotation

    path = app.config.path
    assert path is not None
    at = audit.now().astimezone(CHINA_TZ)
    try:
        change = add_annotation(path, indicator_id, text, app.account, at, validator(app))
    except ConfigError as exc:
        tell_refused(app, exc)
        return
    record_and_apply(app, [change], t("annotate.saved", app.lang, text=text))


__all__ = ["AnnotateScreen", "open_annotator", "save_annotation"]
