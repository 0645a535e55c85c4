"""The group-robot channels Chinese offices use: WeCom (企业微信), DingTalk (钉钉), Feishu/Lark (飞书).

Each robot is a webhook URL whose key is the credential (so the URL is a secret), and each
answers HTTP 200 with a JSON code that says whether the message was taken: the code is
checked, so a wrong key or signature is a failed delivery, not a silent loss.

Formats, from the vendors' robot documentation (checked against their published examples):

* WeCom group robot: POST ``{"msgtype": "markdown", "markdown": {"content": ...}}`` (or
  ``"text"`` / ``{"text": {"content": ...}}``) to ``…/cgi-bin/webhook/send?key=KEY``; markdown
  content at most 4096 bytes, text at most 2048 bytes, UTF-8; the reply is
  ``{"errcode": 0, "errmsg": "ok"}`` (developer.work.weixin.qq.com, document path 91770).
* DingTalk custom robot: POST ``{"msgtype": "markdown", "markdown": {"title", "text"}}`` to
  ``…/robot/send?access_token=TOKEN``; with 加签 the URL also gets ``&timestamp=T&sign=S``
  where T is milliseconds and S = urlencode(base64(HMAC-SHA256(key=secret,
  msg=f"{T}\\n{secret}"))); the reply is ``{"errcode": 0, "errmsg": "ok"}``; 130101 is
  "send too fast" (open.dingtalk.com, custom robot security settings).
* Feishu/Lark custom bot: POST ``{"msg_type": "text", "content": {"text": ...}}`` to
  ``…/open-apis/bot/v2/hook/ID``; with 签名校验 the body also has ``"timestamp"`` (seconds, as
  a string) and ``"sign"`` = base64(HMAC-SHA256(key=f"{T}\\n{secret}", msg=b"")); the reply
  is ``{"code": 0, "msg": "success"}``, 19021 for a bad signature (open.feishu.cn, custom
  bot guide). Note the key/message order differs from DingTalk's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any
from urllib.parse import quote_plus

from lishi_tui.plugin import (
    DeliveryError,
    HttpResult,
    NotifierType,
    Option,
    OptionKind,
    SendContext,
)

WECOM_MARKDOWN_BYTES = 4096
WECOM_TEXT_BYTES = 2048
DINGTALK_BYTES = 20000  # DingTalk documents no figure for markdown; stay well inside its 20 KB body
FEISHU_BYTES = 18000  # a Feishu request body must stay under 20 KB
DINGTALK_TOO_FAST = 130101
WECOM_TOO_FAST = 45009  # "api freq out of limit"


def fit(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, on a character boundary, marked with …"""
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    return raw[: limit - 3].decode("utf-8", errors="ignore") + "…"


def _reply(result: HttpResult, robot: str) -> dict[str, Any]:
    try:
        data = json.loads(result.content)
    except ValueError:
        raise DeliveryError(f"{robot} answered with something other than JSON") from None
    if not isinstance(data, dict):
        raise DeliveryError(f"{robot} answered with JSON that is not an object")
    return data


def _refused(robot: str, code: object, message: object, *, retryable: bool = False) -> None:
    shown = str(message)[:160]
    raise DeliveryError(f"{robot} refused the message: code {code}: {shown}", retryable=retryable)


# -- WeCom ---------------------------------------------------------------------------------------


def wecom_body(ctx: SendContext) -> dict[str, Any]:
    message = ctx.message
    if ctx.options["msgtype"] == "text":
        return {"msgtype": "text", "text": {"content": fit(message.text, WECOM_TEXT_BYTES)}}
    return {
        "msgtype": "markdown",
        "markdown": {"content": fit(message.markdown, WECOM_MARKDOWN_BYTES)},
    }


async def send_wecom(ctx: SendContext) -> None:
    result = await ctx.http.post_json(ctx.options["url"], wecom_body(ctx))
    data = _reply(result, "WeCom")
    code = data.get("errcode")
    if code != 0:
        _refused("WeCom", code, data.get("errmsg", ""), retryable=code == WECOM_TOO_FAST)


# -- DingTalk ------------------------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: urlencode(base64(HMAC-SHA256(secret, "timestamp\\nsecret")))."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def dingtalk_url(url: str, secret: str, timestamp_ms: int) -> str:
    if not secret:
        return url
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def dingtalk_body(ctx: SendContext) -> dict[str, Any]:
    message = ctx.message
    if ctx.options["msgtype"] == "text":
        return {"msgtype": "text", "text": {"content": fit(message.text, DINGTALK_BYTES)}}
    return {
        "msgtype": "markdown",
        "markdown": {"title": message.title, "text": fit(message.markdown, DINGTALK_BYTES)},
    }


async def send_dingtalk(ctx: SendContext) -> None:
    timestamp_ms = int(ctx.now.timestamp() * 1000)
    url = dingtalk_url(ctx.options["url"], ctx.options.get("secret") or "", timestamp_ms)
    result = await ctx.http.post_json(url, dingtalk_body(ctx))
    data = _reply(result, "DingTalk")
    code = data.get("errcode")
    if code != 0:
        _refused("DingTalk", code, data.get("errmsg", ""), retryable=code == DINGTALK_TOO_FAST)


# -- Feishu --------------------------------------------------------------------------------------


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's 签名校验: base64(HMAC-SHA256(key="timestamp\\nsecret", msg=b""))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def feishu_body(ctx: SendContext) -> dict[str, Any]:
    body: dict[str, Any] = {}
    secret = ctx.options.get("secret") or ""
    if secret:
        timestamp_s = int(ctx.now.timestamp())
        body = {"timestamp": str(timestamp_s), "sign": feishu_sign(secret, timestamp_s)}
    body["msg_type"] = "text"
    body["content"] = {"text": fit(ctx.message.text, FEISHU_BYTES)}
    return body


async def send_feishu(ctx: SendContext) -> None:
    result = await ctx.http.post_json(ctx.options["url"], feishu_body(ctx))
    data = _reply(result, "Feishu")
    # Older deployments answer only StatusCode/StatusMessage; newer ones code/msg.
    code = data.get("code", data.get("StatusCode"))
    if code != 0:
        _refused("Feishu", code, data.get("msg", data.get("StatusMessage", "")))


# -- declarations --------------------------------------------------------------------------------

_URL_HELP = "the robot's webhook address (its key is the credential: kept out of logs)"
_SECRET_HELP = "the signing secret of the robot's signature security setting"

# The options the three robots share: the webhook address, the signing secret, the format.
_ROBOT_URL = {"url": Option(OptionKind.URL, required=True, secret=True, help=_URL_HELP)}
_MSGTYPE = {"msgtype": Option(OptionKind.STR, default="markdown", choices=("markdown", "text"))}


def _signing(help_suffix: str = "") -> dict[str, Option]:
    return {
        "secret": Option(OptionKind.STR, default="", secret=True, help=_SECRET_HELP + help_suffix)
    }


WECOM = NotifierType(
    "wecom", send_wecom, _ROBOT_URL | _MSGTYPE, description="WeCom (企业微信) group robot"
)
DINGTALK = NotifierType(
    "dingtalk",
    send_dingtalk,
    _ROBOT_URL | _signing(" (SEC…)") | _MSGTYPE,
    description="DingTalk (钉钉) custom robot, signed when a secret is given",
)
FEISHU = NotifierType(
    "feishu",
    send_feishu,
    _ROBOT_URL | _signing(),
    description="Feishu/Lark (飞书) custom bot, signed when a secret is given",
)
