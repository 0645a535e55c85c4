"""The group robots against a real HTTP server on 127.0.0.1 that checks what each vendor documents.

Each fake robot verifies the payload shape and the signature with the vendor's formula,
computed here independently of the plugin, and answers as the vendor does (errcode/code
0, or the vendor's error code for a wrong signature).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from urllib.parse import unquote_plus

from lishi_tui.notify.api import deliver_all
from tests.support.httpserver import LocalHTTPServer, RecordedRequest
from tests.support.notify import event, notifier

WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DING_TOKEN = "5dd4ff5d0732-token"
DING_SECRET = "SECa1b2c3d4e5f6"
FEISHU_SECRET = "feishu-sign-secret"
NOW = datetime(2026, 12, 1, 23, 15, 30, tzinfo=UTC)


def _json(status: int, body: object) -> tuple[int, bytes]:
    return status, json.dumps(body).encode()


# -- WeCom -----------------------------------------------------------------------------------


def wecom_robot(request: RecordedRequest) -> tuple[int, bytes]:
    if request.param("key") != WECOM_KEY:
        return _json(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
    body = request.json()
    kind = body.get("msgtype")
    if kind not in ("markdown", "text") or not isinstance(body.get(kind, {}).get("content"), str):
        return _json(200, {"errcode": 40008, "errmsg": "invalid message type"})
    limit = 4096 if kind == "markdown" else 2048
    if len(body[kind]["content"].encode()) > limit:
        return _json(200, {"errcode": 40058, "errmsg": "content exceed max length"})
    return _json(200, {"errcode": 0, "errmsg": "ok"})


async def test_wecom_markdown_reaches_the_robot(http_server: LocalHTTPServer) -> None:
    http_server.route("/cgi-bin/webhook/send", reply=wecom_robot)
    url = http_server.url(f"/cgi-bin/webhook/send?key={WECOM_KEY}")
    results = await deliver_all(
        {"ops": notifier("wecom", {"url": url}, id="ops", secrets=(url,))},
        {"ops": [event(), event(alert_id="b", state="resolved", indicator_name="PM2.5")]},
        lang="zh",
    )
    assert results["ops"].ok, results
    (request,) = http_server.requests
    assert request.headers["content-type"].startswith("application/json")
    content = request.json()["markdown"]["content"]
    assert content.startswith("### lishi-tui 告警：1 条告警中，1 条已恢复")
    assert "**\\[警告\\] 告警中：新增绿化面积**" in content
    assert "> 数值：1,581 亩 (2026年)" in content
    assert "> 目标：1,787 亩" in content
    assert "> 来源：greening\\_report" in content
    assert "> 起始：2026-12-01 23:10 UTC" in content


async def test_wecom_text_is_cut_to_its_byte_limit(http_server: LocalHTTPServer) -> None:
    http_server.route("/cgi-bin/webhook/send", reply=wecom_robot)
    url = http_server.url(f"/cgi-bin/webhook/send?key={WECOM_KEY}")
    many = [event(alert_id=f"a{n}", summary="很长的说明" * 30) for n in range(15)]
    result = (
        await deliver_all(
            {"w": notifier("wecom", {"url": url, "msgtype": "text"}, id="w")},
            {"w": many},
            lang="zh",
        )
    )["w"]
    assert result.ok, result
    text = http_server.requests[0].json()["text"]["content"]
    assert len(text.encode()) <= 2048 and text.endswith("…")


async def test_wecom_wrong_key_is_a_failure_without_the_key(http_server: LocalHTTPServer) -> None:
    http_server.route("/cgi-bin/webhook/send", reply=wecom_robot)
    url = http_server.url("/cgi-bin/webhook/send?key=wrong-key-0000")
    result = (
        await deliver_all(
            {"w": notifier("wecom", {"url": url}, id="w", secrets=(url,))},
            {"w": [event()]},
            lang="zh",
        )
    )["w"]
    assert not result.ok and result.attempts == 1
    assert result.error == "WeCom refused the message: code 93000: invalid webhook url"
    assert "wrong-key-0000" not in (result.error or "")


# -- DingTalk --------------------------------------------------------------------------------


def ding_robot(request: RecordedRequest) -> tuple[int, bytes]:
    if request.param("access_token") != DING_TOKEN:
        return _json(200, {"errcode": 300001, "errmsg": "token is not exist"})
    timestamp, sign = request.param("timestamp"), request.param("sign")
    if timestamp is None or sign is None:
        return _json(200, {"errcode": 310000, "errmsg": "sign not match"})
    # The documented formula, computed here: base64(HMAC-SHA256(secret, "ts\nsecret")).
    digest = hmac.new(
        DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(), hashlib.sha256
    ).digest()
    if sign != base64.b64encode(digest).decode():  # parse_qs has already url-decoded it
        return _json(200, {"errcode": 310000, "errmsg": "sign not match"})
    body = request.json()
    if body.get("msgtype") != "markdown" or not {"title", "text"} <= set(body["markdown"]):
        return _json(200, {"errcode": 40035, "errmsg": "missing markdown"})
    return _json(200, {"errcode": 0, "errmsg": "ok"})


async def test_dingtalk_signed_url_is_accepted(http_server: LocalHTTPServer) -> None:
    http_server.route("/robot/send", reply=ding_robot)
    url = http_server.url(f"/robot/send?access_token={DING_TOKEN}")
    config = notifier("dingtalk", {"url": url, "secret": DING_SECRET}, id="d")
    result = (await deliver_all({"d": config}, {"d": [event()]}, lang="en", now=lambda: NOW))["d"]
    assert result.ok, result
    (request,) = http_server.requests
    assert request.param("timestamp") == str(int(NOW.timestamp() * 1000))
    # The sign travels URL-encoded: base64's trailing "=" (32 bytes of HMAC) is escaped.
    raw_sign = request.target.split("&sign=", 1)[1]
    assert raw_sign.endswith("%3D") and "=" not in raw_sign
    body = request.json()
    assert body["markdown"]["title"] == "lishi-tui alert: 1 firing"
    assert "Value: 1,581 亩 (2026年)" in body["markdown"]["text"]


async def test_dingtalk_wrong_secret_is_reported(http_server: LocalHTTPServer) -> None:
    http_server.route("/robot/send", reply=ding_robot)
    url = http_server.url(f"/robot/send?access_token={DING_TOKEN}")
    config = notifier(
        "dingtalk", {"url": url, "secret": "SECwrong"}, id="d", secrets=(url, "SECwrong")
    )
    result = (await deliver_all({"d": config}, {"d": [event()]}, lang="zh"))["d"]
    assert not result.ok
    assert result.error == "DingTalk refused the message: code 310000: sign not match"


def test_dingtalk_sign_matches_the_documented_example_encoding() -> None:
    from tests.support.notify import notifier_types

    send = notifier_types()["dingtalk"].send
    robots = __import__(send.__module__, fromlist=["dingtalk_sign"])
    sign = robots.dingtalk_sign("this is secret", 1_577_836_800_000)
    digest = hmac.new(b"this is secret", b"1577836800000\nthis is secret", hashlib.sha256).digest()
    assert unquote_plus(sign) == base64.b64encode(digest).decode()
    assert "+" not in sign and "/" not in sign and "=" not in sign  # url-encoded


# -- Feishu ----------------------------------------------------------------------------------


def feishu_robot(request: RecordedRequest) -> tuple[int, bytes]:
    body = request.json()
    timestamp, sign = body.get("timestamp"), body.get("sign")
    if not isinstance(timestamp, str) or not isinstance(sign, str):
        return _json(200, {"code": 19021, "msg": "sign match fail", "data": {}})
    # The documented formula: base64(HMAC-SHA256(key="ts\nsecret", msg="")).
    digest = hmac.new(f"{timestamp}\n{FEISHU_SECRET}".encode(), b"", hashlib.sha256).digest()
    if sign != base64.b64encode(digest).decode():
        return _json(200, {"code": 19021, "msg": "sign match fail", "data": {}})
    if body.get("msg_type") != "text" or not isinstance(body.get("content", {}).get("text"), str):
        return _json(200, {"code": 9499, "msg": "Bad Request", "data": {}})
    return _json(200, {"code": 0, "msg": "success", "data": {}})


async def test_feishu_signed_body_is_accepted(http_server: LocalHTTPServer) -> None:
    http_server.route("/open-apis/bot/v2/hook/abc-123", reply=feishu_robot)
    url = http_server.url("/open-apis/bot/v2/hook/abc-123")
    config = notifier("feishu", {"url": url, "secret": FEISHU_SECRET}, id="f")
    demo = event(demo=True)
    result = (await deliver_all({"f": config}, {"f": [demo]}, lang="zh", now=lambda: NOW))["f"]
    assert result.ok, result
    body = http_server.requests[0].json()
    assert body["timestamp"] == str(int(NOW.timestamp()))
    text = body["content"]["text"]
    assert text.startswith("【演示】lishi-tui 告警：1 条告警中")
    assert "【演示】[警告] 告警中：新增绿化面积" in text
    assert "演示：演示数据，并非公布数字" in text


async def test_feishu_wrong_signature_reply_is_a_failure(http_server: LocalHTTPServer) -> None:
    http_server.route("/open-apis/bot/v2/hook/abc-123", reply=feishu_robot)
    url = http_server.url("/open-apis/bot/v2/hook/abc-123")
    config = notifier("feishu", {"url": url, "secret": "not-it"}, id="f", secrets=("not-it",))
    result = (await deliver_all({"f": config}, {"f": [event()]}, lang="zh"))["f"]
    assert not result.ok and result.attempts == 1
    assert result.error == "Feishu refused the message: code 19021: sign match fail"
