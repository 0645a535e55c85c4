"""Messages the dashboard's widgets and workers send each other."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from lishi_tui.app.polling import PollRead


@dataclass
class DetailRequested(Message):
    """The user asked for one indicator's detail screen."""

    indicator_id: str


@dataclass
class StoreRead(Message):
    """The store watcher's thread read a commit that changes what is on screen."""

    read: PollRead
