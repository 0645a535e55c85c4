"""The app's role gate: Textual's built-ins that write or escape are refused to a viewer.

Audit of what Textual 8 gives every app, and what this class does with it:

- Command palette system commands: Theme (session-only: kept, by ``change_theme``),
  Quit and Keys (kept), Maximize/Minimize (kept), Screenshot (writes an SVG on the
  server: only with ``screenshot``).
- ``action_screenshot`` / ``deliver_screenshot`` / ``deliver_text`` /
  ``deliver_binary``: every way Textual writes a file for "the user" ends in
  ``deliver_binary``, which writes into the server's Downloads folder when run in a
  terminal: refused without ``screenshot``.
- ``open_url``: in a terminal Textual runs the server's web browser (which can be a
  text browser with a shell escape): never done, whatever the role.
- ``action_suspend_process``: over SSH it would leave a stopped process holding the
  session: refused without ``suspend`` (no role has it).
- Ctrl+Q / Ctrl+C quit (kept). ``TEXTUAL_*`` variables that would write files
  (``TEXTUAL_SCREENSHOT``) are removed by ``lishi-tui view`` before Textual is imported.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from textual.app import App, SystemCommand
from textual.driver import Driver
from textual.screen import Screen

from lishi_tui.app.i18n import t
from lishi_tui.roles import Permissions, Role

# System command titles (Textual's) and the permission each needs; others are kept.
_GATED_COMMANDS = {"Screenshot": "screenshot", "Theme": "change_theme"}


class GuardedApp(App[int]):
    """An App whose writes and escapes to the host check ``permissions`` first."""

    role: Role
    permissions: Permissions
    lang: str

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this terminal; on Linux, one whose input thread does not
        wake ten times a second while nobody types (``lishi_tui.app.driver``)."""
        driver = super().get_driver_class()
        if driver.__name__ == "LinuxDriver" and driver.__module__ == "textual.drivers.linux_driver":
            from lishi_tui.app.driver import QuietLinuxDriver

            return QuietLinuxDriver
        return driver

    def allowed(self, permission: str) -> bool:
        """True if this session's role may do ``permission`` (a ``Permissions`` field name);
        otherwise say on screen why nothing happened, and return False."""
        if getattr(self.permissions, permission):
            return True
        self.notify(
            t(f"refused.{permission}", self.lang),
            title=t(f"role.{self.role.value}", self.lang),
            severity="warning",
            markup=False,
        )
        return False

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            needs = _GATED_COMMANDS.get(command.title)
            if needs is None or getattr(self.permissions, needs):
                yield command

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        if self.allowed("screenshot"):
            super().action_screenshot(filename, path)

    def deliver_screenshot(
        self,
        filename: str | None = None,
        path: str | None = None,
        time_format: str | None = None,
    ) -> str | None:
        if not self.allowed("screenshot"):
            return None
        return super().deliver_screenshot(filename, path, time_format)

    # deliver_text and deliver_binary take Textual's keywords as they are (passed through).
    def deliver_text(
        self, path_or_file: str | Path | TextIO, *args: Any, **kwargs: Any
    ) -> str | None:
        if self._refuse_delivery(path_or_file):
            return None
        return super().deliver_text(path_or_file, *args, **kwargs)

    def deliver_binary(
        self, path_or_file: str | Path | BinaryIO, *args: Any, **kwargs: Any
    ) -> str | None:
        if self._refuse_delivery(path_or_file):
            return None
        return super().deliver_binary(path_or_file, *args, **kwargs)

    def _refuse_delivery(self, path_or_file: object) -> bool:
        """Whether a file delivery is refused (the file object then closed, as Textual would)."""
        if self.allowed("screenshot"):
            return False
        _close(path_or_file)
        return True

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        # Never start a program (a browser) on the machine the dashboard runs on.
        self.notify(t("refused.open_url", self.lang), severity="warning", markup=False)

    def action_suspend_process(self) -> None:
        if self.allowed("suspend"):
            super().action_suspend_process()

    def action_change_theme(self) -> None:
        if self.allowed("change_theme"):
            super().action_change_theme()


def _close(path_or_file: object) -> None:
    # Textual's contract: a file object handed to deliver_* is closed by it.
    if not isinstance(path_or_file, str | Path):
        with contextlib.suppress(Exception):
            path_or_file.close()  # type: ignore[attr-defined]


__all__ = ["GuardedApp"]
