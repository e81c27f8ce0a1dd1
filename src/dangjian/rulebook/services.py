"""Recording a new version of a rule: a newer national value, or a stricter supplement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from dangjian.orgs.models import PartyOrg
from dangjian.platform.audit import record_event
from dangjian.platform.scoping import grants_for, model_label

from .models import Level, Rule
from .registry import BRACKETS, DECIMAL, FIXED, FRACTION, INT, RuleDef, definition
from .selectors import RuleBook


def orgs_where(actor, action: str = "change"):
    """Party organisations on which ``actor`` may ``action`` rules (their grants' subtrees)."""
    if getattr(actor, "is_superuser", False) and actor.is_active:
        return PartyOrg.objects.all()
    label = model_label(Rule)
    condition = None
    for grant in grants_for(actor):
        if grant.tree != "party" or not grant.allows(label, action):
            continue
        part = Q(pk__in=grant.subtree)
        condition = part if condition is None else condition | part
    if condition is None:
        return PartyOrg.objects.none()
    return PartyOrg.objects.filter(condition)


def may_set_national(actor) -> bool:
    """National versions are recorded by whoever manages rules on a root of the party tree."""
    return orgs_where(actor).filter(depth=1).exists()


def parse_value(d: RuleDef, text: str):
    """The stored (JSON) form of ``text`` for rule ``d``, or a ValidationError on 取值."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"value": "请填写取值"})
    try:
        if d.kind == INT:
            number = int(text)
            if number < 0:
                raise ValueError
            return number
        if d.kind == DECIMAL:
            amount = Decimal(text)
            if not amount.is_finite() or amount < 0:
                raise ValueError
            return str(amount)
        if d.kind == FRACTION:
            share = Fraction(text)
            if not 0 < share <= 1:
                raise ValueError
            return str(share)
        if d.kind == BRACKETS:
            brackets = []
            for line in text.replace("；", "\n").replace(";", "\n").splitlines():
                if not line.strip():
                    continue
                upper, rate = (part.strip() for part in line.replace("：", ":").split(":"))
                brackets.append(
                    [
                        None if upper in ("", "*", "以上") else str(Decimal(upper)),
                        str(Decimal(rate)),
                    ]
                )
            if not brackets or brackets[-1][0] is not None:
                raise ValueError
            return brackets
    except (ValueError, ArithmeticError, InvalidOperation, ZeroDivisionError):
        pass
    hints = {
        INT: "须为不小于 0 的整数",
        DECIMAL: "须为不小于 0 的数字",
        FRACTION: "须为 0 到 1 之间的比例，如 1/2 或 0.5",
        BRACKETS: "每行一档，格式为「上限:比例」，最后一档上限写 *，如 3000:0.005",
    }
    raise ValidationError({"value": f"取值「{text}」无效：{hints[d.kind]}"})


@transaction.atomic
def rule_version_add(
    *,
    actor,
    key: str,
    value: str,
    level: str,
    effective_from: dt.date,
    source_document: str,
    party_org: PartyOrg | None = None,
    article: str = "",
    reason: str = "",
) -> Rule:
    """Record a new version of rule ``key``. A national version needs a grant on a root of
    the party tree; a provincial or local supplement must be at least as strict as what
    already governs the issuing organisation, and ``fixed`` rules take no supplement."""
    try:
        d = definition(key)
    except KeyError as exc:
        raise ValidationError({"key": "没有这条规则"}) from exc
    stored = parse_value(d, value)
    typed = d.parse(stored)
    if not reason.strip():
        raise ValidationError({"reason": "请说明修订原因（如依据的新文件）"})
    if not source_document.strip():
        raise ValidationError({"source_document": "请填写依据文件"})
    if level == Level.NATIONAL:
        if not may_set_national(actor):
            raise ValidationError(
                {"level": "只有管理党组织树根节点的党建办可以录入全国规定的新版本"}
            )
        party_org = None
    else:
        if party_org is None:
            raise ValidationError({"party_org": "请选择制定补充规定的党组织"})
        if not orgs_where(actor).filter(pk=party_org.pk).exists():
            raise ValidationError({"party_org": "您不能为该党组织制定规则"})
        if d.direction == FIXED:
            raise ValidationError({"value": f"「{d.label}」为全国统一规定，地方不得变更"})
        parent = (
            PartyOrg.objects.filter(
                path__in=[
                    party_org.path[:i]
                    for i in range(PartyOrg.steplen, len(party_org.path), PartyOrg.steplen)
                ]
            )
            .order_by("-depth")
            .first()
        )
        book = RuleBook.load()
        governing = book.applied(key, on=effective_from, org=parent)
        if not d.stricter_or_equal(typed, governing.value):
            raise ValidationError(
                {
                    "value": f"地方补充规定只能比上级规定更严格：现行为"
                    f"「{d.display(governing.value)}」（{governing.citation}），"
                    f"不能改为「{d.display(typed)}」"
                }
            )
    rule = Rule.objects.create(
        key=key,
        value=stored,
        level=level,
        party_org=party_org,
        effective_from=effective_from,
        source_document=source_document.strip(),
        article=article.strip(),
        reason=reason.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    record_event(
        actor=actor,
        verb="rule.version_add",
        target=rule,
        summary=f"{d.label}：{d.display(typed)}（{rule.get_level_display()}，{effective_from} 起）",
    )
    return rule
