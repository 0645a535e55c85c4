"""What loading the bundled plugins imports: a module a dashboard's start does not use waits."""

from __future__ import annotations

import subprocess
import sys


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
