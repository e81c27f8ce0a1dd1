"""Writes to notices and objections: one transaction each, audited, notifications after commit."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.models import RoleGrant
from dangjian.accounts.roles import Role
from dangjian.notifications.services import notify
from dangjian.orgs.models import PartyOrg
from dangjian.platform.audit import record_event
from dangjian.rulebook.selectors import applied_rule
from dangjian.workcalendar.selectors import unit_calendar

from . import rules
from .models import Attachment, Notice, Objection
from .selectors import notice_reaches

ALLOWED_ATTACHMENTS = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".txt"}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
OBJECTION_RESULTS = (Notice.Result.OBJECTION_NOT_UPHELD, Notice.Result.OBJECTION_UPHELD)
RESULTS_FOR_KIND = {
    Notice.Kind.PRE_APPOINTMENT: (Notice.Result.NO_OBJECTION, *OBJECTION_RESULTS),
    Notice.Kind.PARTY_AFFAIRS: (
        Notice.Result.COMPLETED,
        Notice.Result.NO_OBJECTION,
        *OBJECTION_RESULTS,
    ),
}


def _calendar_for(org: PartyOrg, start: dt.date):
    """The local calendar of the first unit the issuing organisation covers (or official)."""
    unit = org.units.order_by("path").first()
    return unit_calendar(unit, start=start, end=start + dt.timedelta(days=120))


def _compute_period(notice: Notice) -> None:
    calendar = _calendar_for(notice.issuing_org, notice.starts_on)
    reckoning = rules.public_period_end(
        notice.starts_on, notice.working_days, calendar.extra_holidays, calendar.extra_workdays
    )
    notice.ends_on = reckoning.value
    notice.ends_on_provisional = reckoning.provisional
    notice.provisional_reason = reckoning.reason[:200]


def _validate(notice: Notice, audience_orgs) -> None:
    errors: dict[str, list[str]] = {}
    if notice.kind == Notice.Kind.PRE_APPOINTMENT:
        rule = applied_rule(
            "disclosure.pre_appointment_min_working_days",
            on=notice.starts_on,
            org=notice.issuing_org,
        )
        minimum = rules.min_working_days(notice.kind, rule.value)
        if notice.working_days < minimum:
            errors["working_days"] = [
                _("任前公示期不得少于%(n)s个工作日（%(citation)s）")
                % {"n": minimum, "citation": rule.citation}
            ]
    if notice.working_days < 1:
        errors["working_days"] = [_("公示期至少为1个工作日")]
    if notice.audience == Notice.Audience.CHOSEN and not audience_orgs:
        errors["audience_orgs"] = [_("公开范围为“指定组织”时，请至少选择一个组织")]
    if errors:
        raise ValidationError(errors)


def _may(actor, notice: Notice, action: str) -> bool:
    return Notice.objects.restrict(actor, action).filter(pk=notice.pk).exists()


@transaction.atomic
def notice_save(*, actor, notice: Notice, audience_orgs=()) -> Notice:
    """Create or update a draft notice; the end of its public period is computed."""
    creating = notice.pk is None
    if not creating:
        if not _may(actor, notice, "change"):
            raise PermissionDenied(_("您无权修改该公示"))
        if Notice.objects.get(pk=notice.pk).status != Notice.Status.DRAFT:
            raise ValidationError(_("已发布的公示不能修改"))
    if not PartyOrg.objects.restrict(actor, "view").filter(pk=notice.issuing_org_id).exists():
        raise PermissionDenied(_("发布组织不在您的权限范围内"))
    audience_orgs = list(audience_orgs or [])
    _validate(notice, audience_orgs)
    _compute_period(notice)
    if creating:
        notice.created_by = actor
    notice.full_clean()
    notice.save()
    notice.audience_orgs.set(audience_orgs if notice.audience == Notice.Audience.CHOSEN else [])
    if creating and not _may(actor, notice, "add"):
        raise PermissionDenied(_("您无权在该组织发布公示"))
    record_event(
        actor=actor,
        verb="notice.create" if creating else "notice.update",
        target=notice,
        summary=notice.title,
    )
    return notice


@transaction.atomic
def attachment_add(*, actor, notice: Notice, upload) -> Attachment:
    """Attach a file to a draft notice (documents and images up to 10 MB)."""
    if not _may(actor, notice, "change"):
        raise PermissionDenied(_("您无权修改该公示"))
    if notice.status != Notice.Status.DRAFT:
        raise ValidationError({"file": [_("已发布的公示不能再添加附件")]})
    suffix = PurePath(upload.name).suffix.lower()
    if suffix not in ALLOWED_ATTACHMENTS:
        raise ValidationError(
            {
                "file": [
                    _("附件类型不支持，仅限：%(t)s") % {"t": "、".join(sorted(ALLOWED_ATTACHMENTS))}
                ]
            }
        )
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": [_("附件不能超过10MB")]})
    attachment = Attachment(notice=notice, name=PurePath(upload.name).name[:200])
    attachment.file.save(f"attachment{suffix}", upload, save=False)
    attachment.save()
    record_event(actor=actor, verb="notice.attach", target=notice, summary=attachment.name)
    return attachment


@transaction.atomic
def notice_publish(*, actor, notice: Notice, today: dt.date | None = None) -> Notice:
    """Publish a draft; a start date in the past moves to today (the period is recomputed)."""
    today = today or timezone.localdate()
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if not _may(actor, notice, "change"):
        raise PermissionDenied(_("您无权发布该公示"))
    if notice.status != Notice.Status.DRAFT:
        raise ValidationError(_("只有草稿可以发布"))
    if notice.starts_on < today:
        notice.starts_on = today
    _validate(notice, list(notice.audience_orgs.all()))
    _compute_period(notice)
    notice.status = Notice.Status.PUBLISHED
    notice.published_at = timezone.now()
    notice.save()
    record_event(actor=actor, verb="notice.publish", target=notice, summary=notice.title)
    return notice


@transaction.atomic
def notice_close(
    *, actor, notice: Notice, result: str, note: str = "", today: dt.date | None = None
) -> Notice:
    """Record the result after the public period; refused while any objection is open."""
    today = today or timezone.localdate()
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if not _may(actor, notice, "change"):
        raise PermissionDenied(_("您无权办结该公示"))
    if notice.status != Notice.Status.PUBLISHED:
        raise ValidationError(_("只有公示中的公告可以登记结果"))
    if result not in RESULTS_FOR_KIND[notice.kind]:
        raise ValidationError({"result": [_("请选择公示结果")]})
    open_count = notice.objections.filter(status=Objection.Status.OPEN).count()
    if open_count:
        raise ValidationError(
            {"result": [_("尚有%(n)s条异议未答复，答复后方可登记结果") % {"n": open_count}]}
        )
    if not rules.result_may_be_recorded(notice.ends_on, today, open_count):
        raise ValidationError(
            {"result": [_("公示期至%(d)s结束，期满后方可登记结果") % {"d": notice.ends_on}]}
        )
    has_objections = notice.objections.exists()
    if result == Notice.Result.NO_OBJECTION and has_objections:
        raise ValidationError({"result": [_("公示期内收到过异议，不能登记为“无异议”")]})
    if result in (Notice.Result.OBJECTION_NOT_UPHELD, Notice.Result.OBJECTION_UPHELD) and (
        not has_objections
    ):
        raise ValidationError({"result": [_("公示期内没有收到异议，不能登记为“有异议”")]})
    notice.status = Notice.Status.CLOSED
    notice.result = result
    notice.result_note = note.strip()
    notice.closed_at = timezone.now()
    notice.save()
    record_event(
        actor=actor,
        verb="notice.close",
        target=notice,
        summary=f"{notice.title}：{notice.get_result_display()}",
    )
    return notice


def _handlers(org: PartyOrg):
    """The secretaries of the issuing organisation (and the office above it) to be told."""
    ancestors = [org.path[:i] for i in range(PartyOrg.steplen, len(org.path) + 1, PartyOrg.steplen)]
    grants = RoleGrant.objects.filter(
        party_org__path__in=ancestors, role__in=[Role.SECRETARY, Role.OFFICE]
    ).select_related("user", "party_org")
    own = [g.user for g in grants if g.party_org_id == org.pk and g.user.is_active]
    if own:
        return own
    return [g.user for g in grants if g.user.is_active]


def objection_submit(
    *,
    notice: Notice,
    content: str,
    anonymous: bool,
    actor=None,
    contact_name: str = "",
    contact_phone: str = "",
    nonce: str | None = None,
    today: dt.date | None = None,
) -> Objection:
    """Take an objection during the public period.

    ``actor`` None: the public page (public notices only); a name and phone are required
    unless anonymous. An anonymous objection keeps nothing about who sent it — not the
    account, not the name, not the audit actor. ``nonce`` is the public form's one-use token.
    """
    today = today or timezone.localdate()
    content = (content or "").strip()
    errors: dict[str, list[str]] = {}
    if not content:
        errors["content"] = [_("请填写异议内容")]
    elif len(content) > 2000:
        errors["content"] = [_("异议内容不能超过2000字")]
    channel = Objection.Channel.MEMBER if actor is not None else Objection.Channel.PUBLIC
    if actor is None:
        if not notice.is_public:
            raise PermissionDenied(_("该公示不向社会公开"))
        if not anonymous:
            if not contact_name.strip():
                errors["contact_name"] = [_("实名反映请填写姓名")]
            phone = (contact_phone or "").strip()
            if not (phone.isdigit() and 7 <= len(phone) <= 12):
                errors["contact_phone"] = [_("请填写有效的联系电话（7–12位数字）")]
    elif not notice_reaches(actor, notice):
        raise PermissionDenied(_("该公示不在您的范围内"))
    if not notice.is_open_for_objections(today):
        errors["content"] = errors.get("content", []) + [
            _("不在公示期内（%(s)s 至 %(e)s），不能提出异议")
            % {"s": notice.starts_on, "e": notice.ends_on}
        ]
    if errors:
        raise ValidationError(errors)
    objection = Objection(
        notice=notice,
        content=content,
        is_anonymous=anonymous,
        channel=channel,
        form_nonce=nonce,
    )
    if not anonymous:
        objection.submitted_by = actor
        if actor is None:
            objection.contact_name = contact_name.strip()[:50]
            objection.contact_phone = contact_phone.strip()
    try:
        with transaction.atomic():
            objection.save()
            record_event(
                actor=None if anonymous else actor,
                verb="objection.submit",
                target=objection,
                summary=notice.title,
            )
    except IntegrityError as exc:
        raise ValidationError({"content": [_("该表单已提交过，请刷新页面后重新填写")]}) from exc
    recipients = _handlers(notice.issuing_org)
    if recipients:
        transaction.on_commit(
            lambda: notify(
                kind="notice",
                recipients=recipients,
                context={
                    "title": _("【公示异议】%(t)s") % {"t": notice.title},
                    "content": _("“%(t)s”收到一条新的异议，请在公示期内核实答复。")
                    % {"t": notice.title},
                },
            )
        )
    return objection


@transaction.atomic
def objection_answer(*, actor, objection: Objection, finding: str, answer: str) -> Objection:
    """Answer an objection after checking it; this closes it."""
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if not Objection.objects.restrict(actor, "change").filter(pk=objection.pk).exists():
        raise PermissionDenied(_("您无权答复该异议"))
    errors: dict[str, list[str]] = {}
    if objection.status != Objection.Status.OPEN:
        raise ValidationError(_("该异议已答复"))
    if finding not in Objection.Finding.values:
        errors["finding"] = [_("请选择核实结论")]
    if not (answer or "").strip():
        errors["answer"] = [_("请填写答复内容")]
    if errors:
        raise ValidationError(errors)
    objection.finding = finding
    objection.answer = answer.strip()
    objection.status = Objection.Status.CLOSED
    objection.answered_by = actor
    objection.answered_at = timezone.now()
    objection.save()
    record_event(
        actor=actor,
        verb="objection.answer",
        target=objection,
        summary=f"{objection.notice.title}：{objection.get_finding_display()}",
    )
    if objection.submitted_by_id and not objection.is_anonymous:
        user = objection.submitted_by
        title = objection.notice.title
        transaction.on_commit(
            lambda: notify(
                kind="notice",
                recipients=[user],
                context={
                    "title": _("【异议答复】%(t)s") % {"t": title},
                    "content": objection.answer,
                },
            )
        )
    return objection
