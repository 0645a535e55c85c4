"""What a start imports before the dashboard's first frame: a module it does not use waits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.bundled import CONFIG


def test_the_bundled_plugins_leave_smtplib_and_email_for_the_first_mail() -> None:
    """The email notifier registers its options at load; smtplib and the email package
    (1 % of the instructions to the dashboard's first paint) are imported when it sends."""
    later = ("smtplib", "email.message", "email.utils")
    code = (
        "import sys\n"
        "from lishi_tui.plugin_host import load_plugins\n"
        "registry = load_plugins(include_entry_points=False, env={})\n"
        "assert 'email' in registry.notifier_types, sorted(registry.notifier_types)\n"
        f"print(' '.join(m for m in {later!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == []


def test_a_dashboard_without_its_collector_imports_no_http_client(tmp_path: Path) -> None:
    """What ``lishi-tui --no-collector`` does before its app runs (the CLI and the app
    modules, every command's arguments, the config and plugins, the collector lock) leaves
    httpx and the collector for a process that collects."""
    later = ("httpx", "httpcore", "lishi_tui.collector.collector", "lishi_tui.sources.http")
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "import lishi_tui.cli, lishi_tui.app.app\n"
        "from lishi_tui.bootstrap import load_runtime\n"
        "lishi_tui.cli.build_parser()\n"
        f"runtime = load_runtime(Path({str(CONFIG)!r}), {{}}, db=Path({str(tmp_path / 'h.db')!r}))\n"
        "runtime.collector_lock()\n"
        f"print(' '.join(m for m in {later!r} if m in sys.modules))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISHI_TUI")}
    env.update(HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / "cache"))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.split() == []
