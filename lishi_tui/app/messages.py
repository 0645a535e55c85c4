"""Messages the dashboard's widgets and workers send each other."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class DetailRequested(Message):
    """The user asked for one indicator's detail screen."""

    indicator_id: str


@dataclass
class StoreCommitted(Message):
    """Something was committed to the store since the dashboard last looked."""
