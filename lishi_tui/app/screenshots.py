"""Ctrl+S: an SVG of the screen saved in the configured folder, and where it went said on screen."""

from __future__ import annotations

import contextlib
import errno
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from lishi_tui.app.i18n import t
from lishi_tui.config.schema import Config
from lishi_tui.domain.periods import CHINA_TZ
from lishi_tui.text import clean

if TYPE_CHECKING:
    from lishi_tui.app.app import LishiApp

SCREENSHOT_FOLDER = "screenshots"


def screenshot_folder(config: Config) -> Path:
    """``[app] screenshots`` (relative to the config file), else a ``screenshots`` folder
    beside the SQLite history, else one in the user data folder."""
    configured = config.app.screenshots.strip()
    if configured:
        folder = Path(configured).expanduser()
        return folder if folder.is_absolute() else config.base_dir / folder
    from lishi_tui.store.factory import SQLITE_BACKENDS, sqlite_path

    if config.storage.backend.lower() in SQLITE_BACKENDS:
        return sqlite_path(config.storage, base_dir=config.base_dir).parent / SCREENSHOT_FOLDER
    return Path(platformdirs.user_data_dir("lishi-tui")) / SCREENSHOT_FOLDER


def screenshot_name(now: datetime) -> str:
    """ "lishi-20211120-093000.svg", in Beijing time: names sort in the order taken."""
    return now.astimezone(CHINA_TZ).strftime("lishi-%Y%m%d-%H%M%S.svg")


@dataclass(frozen=True)
class ScreenshotFailed(Exception):
    """The SVG could not be saved: the folder, the step that failed and the reason, in words."""

    message: str

    def __str__(self) -> str:
        return self.message


def save_svg(svg: str, folder: Path, name: str, lang: str) -> Path:
    """Write ``svg`` as ``folder/name`` (creating the folder), through a temporary file so that
    no half-written picture is left; a taken name gets "-2", "-3"... Raises ScreenshotFailed."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not folder.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
    except OSError as exc:
        raise ScreenshotFailed(
            t("shot.failed_folder", lang, folder=folder, reason=reason(exc, lang))
        ) from exc
    target = folder / name
    stem, suffix = target.stem, target.suffix
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{stem}-{n}{suffix}"
    partial = target.with_name(f".{target.name}.part")
    try:
        with open(partial, "w", encoding="utf-8") as out:
            out.write(svg)
        os.replace(partial, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise ScreenshotFailed(
            t("shot.failed_write", lang, folder=folder, reason=reason(exc, lang))
        ) from exc
    return target


_REASONS = {
    errno.EACCES: "shot.reason.permission",
    errno.EPERM: "shot.reason.permission",
    errno.ENOTDIR: "shot.reason.notdir",
    errno.EEXIST: "shot.reason.notdir",
    errno.EROFS: "shot.reason.readonly",
    errno.ENOSPC: "shot.reason.full",
    errno.EDQUOT: "shot.reason.full",
    errno.ENOENT: "shot.reason.missing",
}


def reason(exc: OSError, lang: str) -> str:
    """Why an OS call failed, in the UI language where the reason is a common one."""
    key = _REASONS.get(exc.errno or 0)
    if key is not None:
        return t(key, lang)
    return exc.strerror or type(exc).__name__


def take_screenshot(app: LishiApp, filename: str | None, folder: Path | None) -> None:
    """Save the screen as an SVG and say on screen where it went (on the server, over SSH)
    or why it could not be saved; the role was checked by the caller."""
    folder = folder or screenshot_folder(app.config)
    name = filename or screenshot_name(app.clock())
    title = t("shot.title", app.lang)
    try:
        saved = save_svg(app.export_screenshot(), folder, name, app.lang)
    except ScreenshotFailed as exc:
        app.notify(clean(str(exc)), title=title, severity="error", timeout=20, markup=False)
        return
    app.screenshots.append(saved)
    app.notify(clean(saved_words(saved, app.env, app.lang)), title=title, timeout=15, markup=False)


def saved_words(path: Path, env: Mapping[str, str], lang: str) -> str:
    """Where the file went; over SSH, that it is on the server, as ``host:path`` for scp."""
    if env.get("SSH_CONNECTION") or env.get("SSH_CLIENT"):
        return t("shot.saved_remote", lang, host=socket.gethostname(), path=path)
    return t("shot.saved", lang, path=path)


__all__ = [
    "ScreenshotFailed",
    "reason",
    "save_svg",
    "saved_words",
    "screenshot_folder",
    "screenshot_name",
    "take_screenshot",
]
