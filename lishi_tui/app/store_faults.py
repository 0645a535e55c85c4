"""Telling the official on screen when the collector cannot write the history, and when it can again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lishi_tui.app.i18n import t
from lishi_tui.text import clean

FAULT_MARK = "not stored yet:"


class StoreFaultNotices:
    """An ``on_run`` hook for the collector: one notice when writes start failing (disk full,
    read-only), one when they succeed again; nothing per run in between."""

    def __init__(
        self,
        notify: Callable[..., Any],
        then: Callable[[Any], None] | None = None,
        *,
        lang: str = "zh",
    ) -> None:
        self._notify = notify
        self._lang = lang
        self._then = then
        self.failing = False

    def __call__(self, outcome: Any) -> None:
        error = str(getattr(outcome, "error", "") or "")
        if FAULT_MARK in error and not self.failing:
            self.failing = True
            self._notify(clean(error, single_line=True), severity="error", timeout=30, markup=False)
        elif getattr(outcome, "ok", False) and self.failing:
            self.failing = False
            self._notify(t("error.store_writable", self._lang), markup=False)
        if self._then is not None:
            self._then(outcome)
