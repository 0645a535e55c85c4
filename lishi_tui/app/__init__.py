"""The Textual dashboard: ``make_app`` builds it for the CLI and the tests."""

from lishi_tui.app.app import LishiApp, make_app

__all__ = ["LishiApp", "make_app"]
