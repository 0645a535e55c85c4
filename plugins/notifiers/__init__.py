"""The built-in notification channels: a JSON webhook, the WeCom, DingTalk and Feishu group
robots, e-mail over SMTP, and a local command. Registered through ``lishi_register_notifiers``,
the same hook a third-party channel plugin implements.
"""

from __future__ import annotations

from lishi_tui.plugin import RegisterNotifier, hookimpl

from .command import COMMAND
from .robots import DINGTALK, FEISHU, WECOM
from .smtp import EMAIL
from .webhook import WEBHOOK


@hookimpl
def lishi_register_notifiers(register: RegisterNotifier) -> None:
    for notifier_type in (WEBHOOK, WECOM, DINGTALK, FEISHU, EMAIL, COMMAND):
        register(notifier_type)
