"""Who is watching and what they may do: the viewer and operator roles, and the account name.

A *viewer* (the default) reads the dashboard and nothing else: no config edits, no
acknowledgements, no files written on the server, no source runs started. An *operator*
may do those things, and what they do is recorded with :func:`current_account`.

This module imports nothing from Textual or the store: the CLI decides the role, the
app (``LishiApp.role`` / ``LishiApp.permissions``) enforces it, and a feature that
writes asks ``app.allowed("acknowledge")`` (or reads ``app.permissions`` directly)
before it does anything.
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields
from enum import StrEnum


class Role(StrEnum):
    """What a dashboard session may do."""

    VIEWER = "viewer"
    OPERATOR = "operator"


@dataclass(frozen=True)
class Permissions:
    """What a role may do; each flag names one kind of action a viewer is refused."""

    edit_config: bool  # change targets, thresholds, notes, annotations (writes the config)
    acknowledge: bool  # acknowledge an alert (written to the store with the account)
    screenshot: bool  # save a screenshot (an SVG file) on the server
    refresh_sources: bool  # start source runs now (`r`): network requests and store writes
    suspend: bool  # Ctrl+Z-style suspend: over SSH it leaves a stopped process behind
    change_theme: bool  # Textual's theme picker: session-only, writes nothing

    @classmethod
    def for_role(cls, role: Role) -> Permissions:
        if role is Role.OPERATOR:
            return cls(
                edit_config=True,
                acknowledge=True,
                screenshot=True,
                refresh_sources=True,
                suspend=False,
                change_theme=True,
            )
        return cls(
            edit_config=False,
            acknowledge=False,
            screenshot=False,
            refresh_sources=False,
            suspend=False,
            change_theme=True,
        )

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


def current_account(env: Mapping[str, str] | None = None) -> str:
    """The account this process runs as: under OpenSSH, the SSH login name.

    Read from the password database by real user id, not from ``$USER``: an SSH client
    can send environment variables (where sshd accepts them) but cannot change its uid.
    ``env`` is only the fallback for a uid without a passwd entry (some containers).
    """
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        env = os.environ if env is None else env
        return env.get("LOGNAME") or env.get("USER") or f"uid {uid}"


class RoleRefused(Exception):
    """An operator role was asked for by an account the config does not list."""


def resolve_role(requested: Role | None, account: str, operators: Collection[str] | None) -> Role:
    """The session's role.

    ``requested`` is what the command line asked for (``--role``; ``view`` asks for
    viewer unless told otherwise). ``operators`` is the config's list of operator
    accounts, or None where the config has no such list.

    - Nothing requested: operator if the account is listed, else viewer.
    - Operator requested: granted, unless a list exists and the account is not on it
      (then :class:`RoleRefused`): with a list, the config is the authority.
    - Viewer requested: viewer, always.
    """
    if requested is None:
        return Role.OPERATOR if operators and account in operators else Role.VIEWER
    if requested is Role.OPERATOR and operators is not None and account not in operators:
        raise RoleRefused(
            f"account {account!r} asked for the operator role but is not in the config's"
            " operator accounts"
        )
    return requested


def configured_operators(config: object) -> Collection[str] | None:
    """The config's operator accounts, or None when it lists none.

    Hook for the config's ``[app] operators`` list (declared by the config loader):
    read here by attribute so that this module works before and after that key exists.
    """
    app = getattr(config, "app", None)
    listed = getattr(app, "operators", None)
    if listed is None:
        return None
    return tuple(str(a) for a in listed)


__all__ = [
    "Permissions",
    "Role",
    "RoleRefused",
    "configured_operators",
    "current_account",
    "resolve_role",
]
