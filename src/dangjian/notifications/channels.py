"""Delivery channels: one class per way a message leaves the platform.

``Channel.send(message, recipient) -> DeliveryResult`` never raises for a delivery problem
(a refused SMTP server, an HTTP 500, a timeout): it returns a failed result with the error in
Chinese, and the caller records it and schedules a retry. ``retry=False`` marks failures
that repeating cannot fix (no address, channel not configured) — those wait for a person.
"""

from __future__ import annotations

import json
import logging
import smtplib
import socket
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from .models import ChannelName, Message, Notification

logger = logging.getLogger("dangjian.notifications")


@dataclass
class Recipient:
    """Who a delivery goes to. ``address`` is plaintext and lives in memory only."""

    user: object | None = None
    target: object | None = None
    address: str = ""


@dataclass
class DeliveryResult:
    ok: bool
    error: str = ""
    retry: bool = True


SENT = DeliveryResult(ok=True)


class Channel:
    name: str = ""

    def send(self, message: Message, recipient: Recipient) -> DeliveryResult:
        raise NotImplementedError


class InboxChannel(Channel):
    """The in-app inbox: one Notification row per user and message (idempotent)."""

    name = ChannelName.INBOX

    def send(self, message, recipient):
        if recipient.user is None:
            return DeliveryResult(False, "站内信只能发给用户", retry=False)
        Notification.objects.get_or_create(user=recipient.user, message=message)
        return SENT


class ConsoleChannel(Channel):
    """Development default: the message goes to the log and standard output."""

    name = ChannelName.CONSOLE

    def send(self, message, recipient):
        who = recipient.user or recipient.target or recipient.address
        line = f"[通知] → {who}：{message.text}"
        logger.info(line)
        print(line, file=sys.stdout, flush=True)
        return SENT


class EmailChannel(Channel):
    """E-mail over the SMTP server named by DANGJIAN_SMTP_* (its own connection per send)."""

    name = ChannelName.EMAIL

    def send(self, message, recipient):
        if not settings.DANGJIAN_SMTP_HOST:
            return DeliveryResult(False, "未配置SMTP服务器（DANGJIAN_SMTP_HOST）", retry=False)
        if not recipient.address:
            return DeliveryResult(False, "接收人没有电子邮箱", retry=False)
        connection = get_connection(
            "django.core.mail.backends.smtp.EmailBackend",
            host=settings.DANGJIAN_SMTP_HOST,
            port=settings.DANGJIAN_SMTP_PORT,
            username=settings.DANGJIAN_SMTP_USER or None,
            password=settings.DANGJIAN_SMTP_PASSWORD or None,
            use_tls=settings.DANGJIAN_SMTP_TLS,
            use_ssl=settings.DANGJIAN_SMTP_SSL,
            timeout=settings.DANGJIAN_NOTIFY_HTTP_TIMEOUT,
            fail_silently=False,
        )
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DANGJIAN_SMTP_FROM,
            to=[recipient.address],
            connection=connection,
        )
        try:
            email.send()
        except smtplib.SMTPResponseException as exc:
            detail = exc.smtp_error.decode(errors="replace") if exc.smtp_error else ""
            return DeliveryResult(False, f"SMTP服务器拒绝：{exc.smtp_code} {detail}".strip())
        except smtplib.SMTPRecipientsRefused as exc:
            return DeliveryResult(False, f"SMTP服务器拒绝收件人：{exc.recipients}")
        except (smtplib.SMTPException, OSError) as exc:
            return DeliveryResult(False, f"SMTP发送失败：{exc}")
        return SENT


def post_json(url: str, payload: dict, headers: dict | None = None) -> tuple[int, str]:
    """POST JSON and return (status, body); network problems raise OSError."""
    if not url.startswith(("http://", "https://")):
        raise ValueError("地址必须以 http:// 或 https:// 开头")
    request = urllib.request.Request(  # noqa: S310 — scheme checked above
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=settings.DANGJIAN_NOTIFY_HTTP_TIMEOUT
        ) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def _http_failure(exc: Exception) -> DeliveryResult:
    if isinstance(exc, TimeoutError | socket.timeout) or "timed out" in str(exc):
        return DeliveryResult(False, f"请求超时（{settings.DANGJIAN_NOTIFY_HTTP_TIMEOUT:g}秒）")
    if isinstance(exc, ValueError):
        return DeliveryResult(False, str(exc), retry=False)
    return DeliveryResult(False, f"网络错误：{exc}")


class WeComRobotChannel(Channel):
    """A WeChat Work group robot: POST {"msgtype":"text",...}; errcode ≠ 0 is a failure."""

    name = ChannelName.WECOM

    def send(self, message, recipient):
        if not recipient.address:
            return DeliveryResult(False, "未配置群机器人地址", retry=False)
        payload = {"msgtype": "text", "text": {"content": message.text}}
        try:
            status, body = post_json(recipient.address, payload)
        except (OSError, ValueError) as exc:
            return _http_failure(exc)
        if status != 200:
            return DeliveryResult(False, f"群机器人返回HTTP {status}：{body[:200]}")
        try:
            answer = json.loads(body)
        except ValueError:
            return DeliveryResult(False, f"群机器人返回无法解析：{body[:200]}")
        if answer.get("errcode", 0) != 0:
            return DeliveryResult(
                False, f"群机器人返回错误 {answer.get('errcode')}：{answer.get('errmsg', '')}"
            )
        return SENT


class SmsGatewayChannel(Channel):
    """A generic SMS gateway: POST {phone, text} with a token header; 2xx is success."""

    name = ChannelName.SMS

    def send(self, message, recipient):
        url = settings.DANGJIAN_SMS_GATEWAY_URL
        if not url:
            return DeliveryResult(False, "未配置短信网关（DANGJIAN_SMS_GATEWAY_URL）", retry=False)
        if not recipient.address:
            return DeliveryResult(False, "接收人没有手机号码", retry=False)
        headers = {}
        if settings.DANGJIAN_SMS_GATEWAY_TOKEN:
            headers[settings.DANGJIAN_SMS_GATEWAY_TOKEN_HEADER] = (
                settings.DANGJIAN_SMS_GATEWAY_TOKEN
            )
        try:
            status, body = post_json(
                url, {"phone": recipient.address, "text": message.text}, headers
            )
        except (OSError, ValueError) as exc:
            return _http_failure(exc)
        if not 200 <= status < 300:
            return DeliveryResult(False, f"短信网关返回HTTP {status}：{body[:200]}")
        return SENT


CHANNELS: dict[str, Channel] = {
    channel.name: channel
    for channel in (
        InboxChannel(),
        ConsoleChannel(),
        EmailChannel(),
        WeComRobotChannel(),
        SmsGatewayChannel(),
    )
}


def get_channel(name: str) -> Channel:
    return CHANNELS[name]
