"""Writes to transfers and the 流动党员 register: one transaction each, audited.

The membership itself changes here (moved to the receiving branch, created for a member
coming from outside, removed when the receipt of a letter to outside the system comes back,
``is_mobile`` set and cleared) with model validation and the people app's history — the
people app has no membership-move service yet (see the report to the lead).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.models import RoleGrant
from dangjian.accounts.roles import Role
from dangjian.notifications.services import notify
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Membership, Person
from dangjian.platform.audit import record_event
from dangjian.platform.scoping import grants_for
from dangjian.rulebook.selectors import RuleBook, applied_rule

from . import rules
from .models import MobileMember, Transfer


def _membership_in_reach(actor, person: Person) -> Membership:
    membership = (
        Membership.objects.restrict(actor, "change")
        .select_related("branch")
        .filter(person=person)
        .first()
    )
    if membership is None:
        raise PermissionDenied(_("该党员不在您可管理的支部"))
    return membership


def _org_in_reach(actor, org: PartyOrg) -> bool:
    """Whether the actor keeps transfers for ``org`` (a party grant reaching it)."""
    if getattr(actor, "is_superuser", False):
        return True
    label = "transfers.transfer"
    for grant in grants_for(actor):
        if grant.tree != "party" or not grant.allows(label, "change") or label in grant.own_only:
            continue
        if grant.covers_all or grant.subtree.filter(pk=org.pk).exists():
            return True
    return False


def _next_number(year: int) -> str:
    last = (
        Transfer.objects.filter(number__startswith=f"{year}-")
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last.split("-")[1]) + 1 if last else 1
    return f"{year}-{seq:04d}"


def _check_validity(transfer: Transfer, errors: dict) -> None:
    key = (
        "transfer.letter_validity_months_cross_province"
        if transfer.cross_province
        else "transfer.letter_validity_months"
    )
    rule = applied_rule(key, on=transfer.issued_on, org=transfer.from_org or transfer.to_org)
    if transfer.valid_months is None:
        transfer.valid_months = rule.value
    if not 1 <= transfer.valid_months <= rule.value:
        errors["valid_months"] = [
            _("介绍信有效期应为1至%(n)s个月（%(citation)s）")
            % {"n": rule.value, "citation": rule.citation}
        ]


def _check_away(transfer: Transfer, away_from, away_until, errors: dict) -> None:
    if transfer.reason != Transfer.Reason.EMPLOYMENT:
        return
    if not (away_from and away_until):
        errors["away_until"] = [_("外出务工经商须填写外出起止日期，以判断是否满转接期限")]
        return
    if away_until < away_from:
        errors["away_until"] = [_("预计返回日期不能早于外出日期")]
        return
    rule = applied_rule("transfer.away_months", on=away_from, org=transfer.from_org)
    if not rules.needs_transfer(away_from, away_until, rule.value):
        errors["away_until"] = [
            _("外出不满%(n)s个月，应登记为流动党员，不转接组织关系（%(citation)s）")
            % {"n": rule.value, "citation": rule.citation or rule.source_document}
        ]


def _open_transfer_exists(person: Person) -> bool:
    return Transfer.objects.filter(person=person, status=Transfer.Status.ISSUED).exists()


def _save_new(actor, transfer: Transfer, summary: str) -> Transfer:
    transfer.valid_until = rules.letter_valid_until(transfer.issued_on, transfer.valid_months)
    transfer.created_by = actor
    for _attempt in range(3):
        transfer.number = _next_number(transfer.issued_on.year)
        try:
            with transaction.atomic():
                transfer.full_clean(exclude=["number"])
                transfer.save()
            break
        except IntegrityError:
            continue
    transfer.orgs.set([o for o in (transfer.from_org, transfer.to_org) if o is not None])
    record_event(actor=actor, verb="transfer.issue", target=transfer, summary=summary)
    return transfer


@transaction.atomic
def transfer_issue(
    *,
    actor,
    person: Person,
    reason: str,
    issued_on: dt.date,
    to_org: PartyOrg | None = None,
    to_org_name: str = "",
    cross_province: bool = False,
    reason_note: str = "",
    dues_paid_through: dt.date | None = None,
    valid_months: int | None = None,
    away_from: dt.date | None = None,
    away_until: dt.date | None = None,
) -> Transfer:
    """Issue a transfer letter for a member of the actor's branch (to a branch of the system
    or, by name, to an organisation outside it)."""
    membership = _membership_in_reach(actor, person)
    errors: dict[str, list[str]] = {}
    if _open_transfer_exists(person):
        raise ValidationError({"person": [_("该党员已有一份待回执的介绍信，请先办结或作废")]})
    if to_org is not None:
        if to_org.kind != PartyOrg.Kind.BRANCH:
            errors["to_org"] = [_("转入组织须为党支部")]
        elif to_org.pk == membership.branch_id:
            errors["to_org"] = [_("转入组织不能是党员现在所在的支部")]
        to_org_name = to_org.name
        if cross_province:
            errors["cross_province"] = [_("系统内转接不跨省")]
    elif not to_org_name.strip():
        errors["to_org_name"] = [_("请选择系统内的转入支部，或填写系统外转入组织名称")]
    if reason not in Transfer.Reason.values:
        errors["reason"] = [_("请选择转接原因")]
    transfer = Transfer(
        person=person,
        member_status=membership.status,
        joined_on=membership.joined_on,
        full_member_on=membership.full_member_on,
        from_org=membership.branch,
        from_org_name=membership.branch.name,
        to_org=to_org,
        to_org_name=to_org_name.strip(),
        cross_province=cross_province,
        reason=reason,
        reason_note=reason_note.strip(),
        dues_paid_through=dues_paid_through,
        issued_on=issued_on,
        valid_months=valid_months,
    )
    _check_validity(transfer, errors)
    _check_away(transfer, away_from, away_until, errors)
    if errors:
        raise ValidationError(errors)
    return _save_new(actor, transfer, f"{person.name}：{transfer.from_org_name} → {to_org_name}")


@transaction.atomic
def transfer_register_incoming(
    *,
    actor,
    person: Person,
    to_org: PartyOrg,
    from_org_name: str,
    member_status: str,
    joined_on: dt.date,
    full_member_on: dt.date | None,
    reason: str,
    issued_on: dt.date,
    valid_months: int,
    cross_province: bool = False,
    dues_paid_through: dt.date | None = None,
    reason_note: str = "",
) -> Transfer:
    """Register a letter from an organisation outside the system, addressed to a branch of
    the actor's (the member is recorded on receipt)."""
    if not _org_in_reach(actor, to_org):
        raise PermissionDenied(_("转入支部不在您的权限范围内"))
    errors: dict[str, list[str]] = {}
    if to_org.kind != PartyOrg.Kind.BRANCH:
        errors["to_org"] = [_("转入组织须为党支部")]
    if Membership.objects.filter(person=person).exists():
        errors["person"] = [_("该人员已是本系统内党员，请由其所在支部开具转出介绍信")]
    if _open_transfer_exists(person):
        errors["person"] = [_("该人员已有一份待回执的介绍信")]
    if not from_org_name.strip():
        errors["from_org_name"] = [_("请填写转出组织名称")]
    transfer = Transfer(
        person=person,
        member_status=member_status,
        joined_on=joined_on,
        full_member_on=full_member_on,
        from_org=None,
        from_org_name=from_org_name.strip(),
        to_org=to_org,
        to_org_name=to_org.name,
        cross_province=cross_province,
        reason=reason,
        reason_note=reason_note.strip(),
        dues_paid_through=dues_paid_through,
        issued_on=issued_on,
        valid_months=valid_months,
    )
    _check_validity(transfer, errors)
    # The membership to be created must be valid (status and dates agree).
    try:
        Membership(
            person=person,
            branch=to_org,
            status=member_status,
            joined_on=joined_on,
            full_member_on=full_member_on,
        ).clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return _save_new(actor, transfer, f"{person.name}：{from_org_name} → {to_org.name}")


def receiving_side(actor, transfer: Transfer) -> bool:
    """Who confirms: the receiving branch inside the system, else the sending branch
    (entering the returned receipt of a letter to outside)."""
    org = transfer.to_org or transfer.from_org
    return _org_in_reach(actor, org)


@transaction.atomic
def transfer_receive(
    *, actor, transfer: Transfer, received_on: dt.date, receipt_note: str = ""
) -> Transfer:
    """Confirm the receipt; the membership follows (moved, created or ended), history kept."""
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if not Transfer.objects.restrict(actor, "change").filter(pk=transfer.pk).exists() or (
        not receiving_side(actor, transfer)
    ):
        raise PermissionDenied(_("应由转入支部确认接收（转往系统外的由转出支部登记回执）"))
    if transfer.status != Transfer.Status.ISSUED:
        raise ValidationError(_("该介绍信已%(s)s") % {"s": transfer.get_status_display()})
    if received_on < transfer.issued_on:
        raise ValidationError({"received_on": [_("回执日期不能早于开具日期")]})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": [_("回执日期不能晚于今天")]})
    person = transfer.person
    membership = Membership.objects.filter(person=person).first()
    if transfer.from_org_id and transfer.to_org_id:
        if membership is None or membership.branch_id != transfer.from_org_id:
            raise ValidationError(_("该党员已不在转出支部，无法完成转接"))
        membership.branch = transfer.to_org
        membership.group = None
        membership.is_mobile = False
        membership._change_reason = f"组织关系转接 {transfer.number}"
        membership.full_clean()
        membership.save()
    elif transfer.to_org_id:
        if membership is not None:
            raise ValidationError(_("该人员已是本系统内党员，无法重复接收"))
        membership = Membership(
            person=person,
            branch=transfer.to_org,
            status=transfer.member_status,
            joined_on=transfer.joined_on,
            full_member_on=transfer.full_member_on,
        )
        membership._change_reason = f"组织关系转入 {transfer.number}"
        membership.full_clean()
        membership.save()
    elif membership is not None:
        membership._change_reason = f"组织关系转出 {transfer.number}"
        try:
            membership.delete()
        except ProtectedError as exc:
            raise ValidationError(
                _("该党员仍有关联的党务记录，无法办结转出：%(e)s") % {"e": exc}
            ) from exc
    MobileMember.objects.filter(person=person, status=MobileMember.Status.ACTIVE).update(
        status=MobileMember.Status.TRANSFERRED, ended_on=received_on
    )
    transfer.status = Transfer.Status.RECEIVED
    transfer.received_on = received_on
    transfer.receipt_note = receipt_note.strip()[:200]
    transfer.received_by = actor
    transfer.save()
    record_event(
        actor=actor,
        verb="transfer.receive",
        target=transfer,
        summary=f"{person.name}：{transfer.from_org_name} → {transfer.to_org_name}",
    )
    return transfer


@transaction.atomic
def transfer_cancel(*, actor, transfer: Transfer, reason: str) -> Transfer:
    """Void a letter that was not used (with the reason)."""
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if not Transfer.objects.restrict(actor, "change").filter(pk=transfer.pk).exists():
        raise PermissionDenied(_("您无权作废该介绍信"))
    if transfer.status != Transfer.Status.ISSUED:
        raise ValidationError(_("只有待回执的介绍信可以作废"))
    if not reason.strip():
        raise ValidationError({"receipt_note": [_("请填写作废原因")]})
    transfer.status = Transfer.Status.CANCELLED
    transfer.receipt_note = reason.strip()[:200]
    transfer.save()
    record_event(actor=actor, verb="transfer.cancel", target=transfer, summary=reason[:200])
    return transfer


# -- 流动党员 ----------------------------------------------------------------------------------


@transaction.atomic
def mobile_register(*, actor, mobile: MobileMember) -> MobileMember:
    """Register a member as 流动党员 (away for less than the transfer threshold)."""
    membership = _membership_in_reach(actor, mobile.person)
    errors: dict[str, list[str]] = {}
    if MobileMember.objects.filter(
        person=mobile.person, status=MobileMember.Status.ACTIVE
    ).exists():
        errors["person"] = [_("该党员已登记为流动党员")]
    if mobile.expected_return and mobile.since and mobile.expected_return < mobile.since:
        errors["expected_return"] = [_("预计返回日期不能早于外出日期")]
    elif mobile.expected_return and mobile.since:
        rule = applied_rule("transfer.away_months", on=mobile.since, org=membership.branch)
        if rules.needs_transfer(mobile.since, mobile.expected_return, rule.value):
            errors["expected_return"] = [
                _("外出满%(n)s个月应转接组织关系，不作为流动党员登记（%(c)s）")
                % {"n": rule.value, "c": rule.citation or rule.source_document}
            ]
    if errors:
        raise ValidationError(errors)
    mobile.branch = membership.branch
    mobile.created_by = actor
    mobile.full_clean()
    mobile.save()
    membership.is_mobile = True
    membership._change_reason = _("登记为流动党员")
    membership.save(update_fields=["is_mobile"])
    record_event(actor=actor, verb="mobile.register", target=mobile, summary=str(mobile)[:200])
    return mobile


@transaction.atomic
def mobile_end(*, actor, mobile: MobileMember, ended_on: dt.date) -> MobileMember:
    """The member is back: close the record and clear the membership's 流动党员 mark."""
    mobile = MobileMember.objects.select_for_update().get(pk=mobile.pk)
    if not MobileMember.objects.restrict(actor, "change").filter(pk=mobile.pk).exists():
        raise PermissionDenied(_("您无权修改该流动党员记录"))
    if mobile.status != MobileMember.Status.ACTIVE:
        raise ValidationError(_("该记录已结束"))
    if ended_on < mobile.since:
        raise ValidationError({"ended_on": [_("返回日期不能早于外出日期")]})
    mobile.status = MobileMember.Status.RETURNED
    mobile.ended_on = ended_on
    mobile.save()
    membership = Membership.objects.filter(person_id=mobile.person_id).first()
    if membership is not None and membership.is_mobile:
        membership.is_mobile = False
        membership._change_reason = _("流动党员返回")
        membership.save(update_fields=["is_mobile"])
    record_event(actor=actor, verb="mobile.return", target=mobile, summary=str(mobile)[:200])
    return mobile


# -- flags -----------------------------------------------------------------------------------


def _secretaries(org_ids) -> dict[int, list]:
    grants = RoleGrant.objects.filter(
        party_org_id__in=org_ids, role=Role.SECRETARY, user__is_active=True
    ).select_related("user")
    found: dict[int, list] = {}
    for grant in grants:
        found.setdefault(grant.party_org_id, []).append(grant.user)
    return found


@transaction.atomic
def transfers_flag_overdue(*, today: dt.date | None = None) -> dict[str, int]:
    """Flag letters past their validity without a receipt and 流动党员 away longer than the
    untransferred limit; tell each branch's secretary once per record."""
    today = today or timezone.localdate()
    book = RuleBook.load()
    letters = list(
        Transfer.objects.select_for_update(of=("self",))
        .filter(status=Transfer.Status.ISSUED, valid_until__lt=today, flagged_at__isnull=True)
        .select_related("person", "from_org", "to_org")
    )
    mobiles = [
        m
        for m in MobileMember.objects.select_for_update(of=("self",))
        .filter(status=MobileMember.Status.ACTIVE, flagged_at__isnull=True)
        .select_related("person", "branch")
        if rules.untransferred_too_long(
            m.since,
            today,
            book.value("transfer.untransferred_flag_months", on=today, org=m.branch),
        )
    ]
    now = timezone.now()
    org_ids = {t.from_org_id or t.to_org_id for t in letters} | {m.branch_id for m in mobiles}
    secretaries = _secretaries(org_ids)
    messages: list[tuple[list, dict]] = []
    for t in letters:
        t.flagged_at = now
        users = secretaries.get(t.from_org_id or t.to_org_id, [])
        if users:
            messages.append(
                (
                    users,
                    {
                        "title": _("【介绍信逾期】%(n)s %(p)s")
                        % {"n": t.number, "p": t.person.name},
                        "content": _(
                            "%(p)s的组织关系介绍信（%(n)s，%(f)s → %(to)s）已于%(d)s过有效期，"
                            "尚未收到回执，请及时核查。"
                        )
                        % {
                            "p": t.person.name,
                            "n": t.number,
                            "f": t.from_org_name,
                            "to": t.to_org_name,
                            "d": t.valid_until,
                        },
                    },
                )
            )
    for m in mobiles:
        m.flagged_at = now
        users = secretaries.get(m.branch_id, [])
        if users:
            messages.append(
                (
                    users,
                    {
                        "title": _("【流动党员未转接】%(p)s") % {"p": m.person.name},
                        "content": _(
                            "%(p)s自%(s)s外出（%(d)s）已超过规定期限，仍未转接组织关系，请及时处理。"
                        )
                        % {"p": m.person.name, "s": m.since, "d": m.destination},
                    },
                )
            )
    Transfer.objects.bulk_update(letters, ["flagged_at"])
    MobileMember.objects.bulk_update(mobiles, ["flagged_at"])
    for users, context in messages:
        transaction.on_commit(
            lambda users=users, context=context: notify(
                kind="notice", recipients=users, context=context
            )
        )
    return {"letters": len(letters), "mobile": len(mobiles), "messages": len(messages)}
