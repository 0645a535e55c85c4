"""Where the config and the bundled files are: --config, $LISHI_TUI_CONFIG, user dir, bundled default."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import platformdirs

import lishi_tui
from lishi_tui.config.errors import ConfigError, ConfigIssue

ENV_CONFIG = "LISHI_TUI_CONFIG"
APP_NAME = "lishi-tui"
CONFIG_NAME = "lishi.toml"


def bundled_dir() -> Path:
    """The folder holding ``config/`` and ``plugins/``: the checkout root, or ``_bundled`` in a wheel."""
    package = Path(lishi_tui.__file__).resolve().parent
    checkout = package.parent
    if (checkout / "plugins").is_dir():
        return checkout
    return package / "_bundled"


def bundled_config_path() -> Path:
    """The default config shipped with the program."""
    return bundled_dir() / "config" / CONFIG_NAME


def bundled_plugins_dir() -> Path:
    """The built-in plugins folder (what ``builtin:`` paths point into)."""
    return bundled_dir() / "plugins"


def user_config_path() -> Path:
    """``lishi.toml`` in the user's config folder, whether or not it exists."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / CONFIG_NAME


def locate_config(cli_path: Path | None, env: Mapping[str, str]) -> Path:
    """The config file to use; an explicitly named file that does not exist is an error."""
    if cli_path is not None:
        return _must_exist(Path(cli_path).expanduser(), "--config")
    from_env = env.get(ENV_CONFIG, "").strip()
    if from_env:
        return _must_exist(Path(from_env).expanduser(), ENV_CONFIG)
    user = user_config_path()
    if user.is_file():
        return user
    return bundled_config_path()


def _must_exist(path: Path, given_by: str) -> Path:
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        raise ConfigError(
            [ConfigIssue(path, None, "", f"config file {what} (given by {given_by})")]
        )
    return path
