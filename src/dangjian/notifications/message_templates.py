"""Message templates: the seeded defaults and strict rendering.

A template that refers to a variable the caller did not pass is an error, never a silent
blank: ``render_message`` returns the names of the missing variables and ``notify()`` marks
every delivery of that message failed with "模板缺少变量：…" (visible in the delivery log, and
retried by hand once the template or the caller is fixed). Nothing is sent half-filled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.template import Context, Engine, TemplateSyntaxError

# (kind, name, subject, body) — seeded by migration 0002 and re-created on first use.
DEFAULT_TEMPLATES: list[tuple[str, str, str, str]] = [
    ("notice", "通用通知", "{{ title }}", "{{ content }}"),
    (
        "meeting_reminder",
        "会议提醒",
        "【会议提醒】{{ meeting }}",
        "{{ name }}同志：{{ branch }}定于{{ when }}在{{ place }}召开{{ meeting }}，请准时参加。",
    ),
    (
        "task_overdue",
        "任务逾期提醒",
        "【逾期提醒】{{ task }}",
        "{{ name }}同志：“{{ task }}”已于{{ due }}到期，请尽快处理。",
    ),
    (
        "sla_escalation",
        "工单超时升级",
        "【工单升级】{{ ticket }}",
        "工单“{{ ticket }}”已超过办理时限（{{ deadline }}），已升级至{{ escalated_to }}，请及时督办。",
    ),
    (
        "birthday_greeting",
        "生日祝福",
        "生日快乐",
        "{{ name }}，祝您生日快乐，生意兴隆，阖家幸福！——{{ unit }}",
    ),
    (
        "holiday_greeting",
        "节日问候",
        "{{ holiday }}快乐",
        "{{ name }}，值此{{ holiday }}之际，{{ unit }}向您致以诚挚的问候！",
    ),
    (
        "job_finished",
        "后台任务完成",
        "【任务完成】{{ job }}",
        "您提交的“{{ job }}”已完成：{{ result }}",
    ),
]

# Missing variables render to this marker, found again below; NUL never occurs in templates.
_MARK = "\x00missing:%s\x00"
_MARK_RE = re.compile("\x00missing:(.*?)\x00")

# Plain text for every channel: no HTML escaping (the inbox page escapes on display).
_engine = Engine(string_if_invalid=_MARK, autoescape=False)


@dataclass
class Rendered:
    subject: str
    body: str
    missing: list[str]
    error: str = ""


def render_message(subject: str, body: str, context: dict) -> Rendered:
    """Render subject and body; list the variables the context lacks."""
    try:
        ctx = Context(context, autoescape=False)
        subject_text = _engine.from_string(subject).render(ctx)
        body_text = _engine.from_string(body).render(ctx)
    except TemplateSyntaxError as exc:
        return Rendered(subject, body, [], error=f"模板语法错误：{exc}")
    missing = sorted(set(_MARK_RE.findall(subject_text + body_text)))
    error = f"模板缺少变量：{'、'.join(missing)}" if missing else ""
    visible = "[缺少:\\1]"  # what a reader of the failed message in the log sees
    return Rendered(
        subject=_MARK_RE.sub(visible, subject_text).strip(),
        body=_MARK_RE.sub(visible, body_text).strip(),
        missing=missing,
        error=error,
    )
