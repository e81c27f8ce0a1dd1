"""Writes of organisational life: plan, record, notify, files, compliance reminders.

Each service checks the actor's scope, validates everything before writing, writes in one
transaction with an audit event, and sends notifications after commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.models import RoleGrant
from dangjian.accounts.roles import Role
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Membership, Person
from dangjian.platform.audit import record_event
from dangjian.rulebook.selectors import RuleBook, applied_rule

from . import rules
from .models import Attendance, BranchPlan, ComplianceReminder, Meeting, MeetingFile, MeetingKind


def _check(actor, action: str, model, **lookup):
    if not model.objects.restrict(actor, action).filter(**lookup).exists():
        raise PermissionDenied(_("您无权操作该党组织的组织生活记录"))


def _kind_label(kind: str) -> str:
    return str(dict(MeetingKind.choices).get(kind, kind))


# ----------------------------------------------------------------------------- the roll


def roll_for(org: PartyOrg):
    """The people who attend a meeting of ``org``: the members of the branch (of the
    branches under a party committee, for its 民主生活会), in normal standing."""
    members = Membership.objects.filter(standing=Membership.Standing.NORMAL)
    if org.kind == PartyOrg.Kind.BRANCH:
        members = members.filter(branch=org)
    else:
        members = members.filter(branch__path__startswith=org.path)
    return members.select_related("person").order_by("person__name_pinyin", "person_id")


# ----------------------------------------------------------------------------- plan


def plan_save(*, actor, branch: PartyOrg, year: int, theme_day_of_month: int, note: str = ""):
    """Create or update a branch's plan for a year (the fixed 主题党日)."""
    if not may_add(actor, branch, BranchPlan):
        raise PermissionDenied(_("您无权制定该党组织的组织生活计划"))
    if not 1 <= int(theme_day_of_month) <= 31:
        raise ValidationError({"theme_day_of_month": _("主题党日固定日应在 1–31 之间")})
    with transaction.atomic():
        plan, created = BranchPlan.objects.update_or_create(
            branch=branch,
            year=year,
            defaults={"theme_day_of_month": theme_day_of_month, "note": note, "created_by": actor},
        )
        record_event(
            actor=actor,
            verb="orglife.plan.create" if created else "orglife.plan.update",
            target=plan,
            summary=_("%(branch)s %(year)s 年组织生活计划") % {"branch": branch, "year": year},
        )
    return plan


# Which day of the period the generated plan proposes (the branch moves them as it likes).
PLAN_DAY = {
    rules.COMMITTEE_MEETING: 5,
    rules.GROUP_MEETING: 10,
    rules.GENERAL_MEETING: 20,
    rules.PARTY_LECTURE: 25,
    rules.ORG_LIFE_MEETING: 15,
    rules.HEART_TO_HEART_TALK: 10,
}


def plan_generate(*, actor, plan: BranchPlan) -> int:
    """Add a planned meeting for every required kind and period of the plan's year that has
    none yet (planned or held); returns how many were added. Dates follow the rule table:
    monthly kinds each month, 主题党日 on the fixed day, quarterly kinds in the period's last
    month, yearly kinds in the last month of the year (usually Q4)."""
    branch = plan.branch
    if not may_add(actor, branch):
        raise PermissionDenied(_("您无权为该党组织安排会议"))
    book = RuleBook.load()
    year = plan.year
    occupied = set()
    for kind, held_on, planned_on in (
        Meeting.objects.filter(branch=branch)
        .exclude(status=Meeting.Status.CANCELLED)
        .filter(Q(held_on__year=year) | Q(planned_on__year=year))
        .values_list("kind", "held_on", "planned_on")
    ):
        occupied.add((kind, held_on or planned_on))
    has_groups = branch.numchild > 0
    new = []
    for kind in rules.BRANCH_KINDS:
        if kind == rules.GROUP_MEETING and not has_groups:
            continue
        months = book.value(rules.period_key(kind), on=dt.date(year, 1, 1), org=branch)
        for start, end in rules.periods_of_year(year, months):
            if any(k == kind and start <= d <= end for k, d in occupied):
                continue
            if kind == rules.THEME_DAY:
                day = rules.theme_day_date(year, end.month, plan.theme_day_of_month)
            else:
                day = min(end, dt.date(end.year, end.month, PLAN_DAY.get(kind, 15)))
            new.append(
                Meeting(
                    branch=branch,
                    kind=kind,
                    status=Meeting.Status.PLANNED,
                    planned_on=day,
                    study_hours=rules.DEFAULT_STUDY_HOURS[kind],
                    created_by=actor,
                )
            )
    with transaction.atomic():
        Meeting.objects.bulk_create(new)
        record_event(
            actor=actor,
            verb="orglife.plan.generate",
            target=plan,
            summary=_("生成计划会议 %(n)s 次") % {"n": len(new)},
        )
    return len(new)


def meeting_plan(*, actor, meeting: Meeting) -> Meeting:
    """Save a planned meeting (new or changed) of a branch the actor may edit."""
    action = "change" if meeting.pk else "add"
    if action == "add" and not may_add(actor, meeting.branch):
        raise PermissionDenied(_("您无权为该党组织安排会议"))
    if action == "change":
        _check(actor, "change", Meeting, pk=meeting.pk)
    if not meeting.planned_on:
        raise ValidationError({"planned_on": _("请填写计划日期")})
    if not meeting.study_hours:
        meeting.study_hours = rules.DEFAULT_STUDY_HOURS[meeting.kind]
    with transaction.atomic():
        if not meeting.pk:
            meeting.created_by = actor
            meeting.status = Meeting.Status.PLANNED
        meeting._history_user = actor
        meeting.save()
        record_event(
            actor=actor,
            verb=f"orglife.meeting.{'plan' if action == 'add' else 'update'}",
            target=meeting,
            summary=str(meeting),
        )
    return meeting


def addable_orgs(actor, model=Meeting):
    """Party organisations where ``actor`` may add ``model`` rows (an ``add`` grant on the
    organisation or above it): one query, no loop over organisations."""
    from dangjian.platform.scoping import grants_for, model_label

    orgs = PartyOrg.objects.filter(is_active=True)
    if getattr(actor, "is_superuser", False):
        return orgs
    label = model_label(model)
    condition = None
    for grant in grants_for(actor):
        if grant.tree == "party" and grant.allows(label, "add"):
            part = Q(pk__in=grant.subtree)
            condition = part if condition is None else condition | part
    return orgs.none() if condition is None else orgs.filter(condition)


def may_add(actor, branch: PartyOrg, model=Meeting) -> bool:
    """Whether ``actor`` may add ``model`` rows for ``branch``."""
    return addable_orgs(actor, model).filter(pk=branch.pk).exists()


# ----------------------------------------------------------------------------- record


@dataclass
class AttendanceEntry:
    person_id: int
    status: str
    reason: str = ""


def meeting_record(
    *,
    actor,
    meeting: Meeting,
    attendance: list[AttendanceEntry],
    today: dt.date | None = None,
) -> Meeting:
    """Record a meeting as held with its attendance: every refusal says which field.

    Refused: a date in the future; a second 支部党员大会 on the same day for the branch; an
    attendance list longer than the roll or naming someone not on it; a 党课 without lecturer
    or topic; leave without a reason; a resolution when the quorum (``orglife.quorum.*``)
    is not met.
    """
    today = today or timezone.localdate()
    branch = meeting.branch
    if meeting.pk:
        _check(actor, "change", Meeting, pk=meeting.pk)
    elif not may_add(actor, branch):
        raise PermissionDenied(_("您无权为该党组织记录会议"))
    errors: dict[str, list[str]] = {}

    def err(field, message):
        errors.setdefault(field, []).append(message)

    if not meeting.held_on:
        err("held_on", _("请填写召开日期"))
    elif meeting.held_on > today:
        err(
            "held_on",
            _("召开日期 %(d)s 晚于今天，未召开的会议不能记录为已召开") % {"d": meeting.held_on},
        )
    if meeting.kind == rules.PARTY_LECTURE:
        if not meeting.lecturer.strip():
            err("lecturer", _("党课须填写授课人"))
        if not meeting.topic.strip():
            err("topic", _("党课须填写主题"))
    if (
        meeting.kind == rules.GENERAL_MEETING
        and meeting.held_on
        and Meeting.objects.filter(
            branch=branch,
            kind=rules.GENERAL_MEETING,
            status=Meeting.Status.HELD,
            held_on=meeting.held_on,
        )
        .exclude(pk=meeting.pk)
        .exists()
    ):
        err(
            "held_on",
            _("%(branch)s %(d)s 已记录过一次支部党员大会，同一天不能重复记录")
            % {"branch": branch, "d": meeting.held_on},
        )

    roll = {m.person_id: m for m in roll_for(branch)}
    if len(attendance) > len(roll):
        err(
            "attendance",
            _("出席名单有 %(n)s 人，超过本支部党员名册的 %(roll)s 人")
            % {"n": len(attendance), "roll": len(roll)},
        )
    seen = set()
    strangers = []
    for entry in attendance:
        if entry.person_id in seen:
            err("attendance", _("出席名单中有重复人员"))
        seen.add(entry.person_id)
        if entry.person_id not in roll:
            strangers.append(entry.person_id)
        if entry.status not in Attendance.Status.values:
            err("attendance", _("出席情况“%(s)s”无效") % {"s": entry.status})
        if entry.status == Attendance.Status.LEAVE and not entry.reason.strip():
            name = roll[entry.person_id].person.name if entry.person_id in roll else ""
            err("attendance", _("%(name)s 请假须填写请假事由") % {"name": name})
    if strangers:
        names = "、".join(
            Person.objects.filter(pk__in=strangers).values_list("name", flat=True)
        ) or "、".join(str(s) for s in strangers)
        err(
            "attendance",
            _("%(names)s 不是%(branch)s的党员，不能列入出席名单")
            % {"names": names, "branch": branch},
        )

    present = {e.person_id for e in attendance if e.status == Attendance.Status.PRESENT}
    if meeting.resolutions.strip() and not errors:
        quorum = _quorum_refusal(meeting, roll, present)
        if quorum:
            err("resolutions", quorum)
    if errors:
        raise ValidationError(errors)

    was = meeting.status
    meeting.status = Meeting.Status.HELD
    if not meeting.study_hours and meeting.study_hours != 0:
        meeting.study_hours = rules.DEFAULT_STUDY_HOURS[meeting.kind]
    try:
        with transaction.atomic():
            if not meeting.pk:
                meeting.created_by = actor
            meeting._history_user = actor
            meeting.save()
            meeting.attendances.exclude(person_id__in=seen).delete()
            current = {a.person_id: a for a in meeting.attendances.all()}
            for entry in attendance:
                row = current.get(entry.person_id)
                reason = entry.reason.strip() if entry.status == Attendance.Status.LEAVE else ""
                if row is None:
                    Attendance.objects.create(
                        meeting=meeting,
                        person_id=entry.person_id,
                        status=entry.status,
                        reason=reason,
                    )
                elif (row.status, row.reason) != (entry.status, reason):
                    row.status, row.reason = entry.status, reason
                    row._history_user = actor
                    row.save()
            record_event(
                actor=actor,
                verb="orglife.meeting.record"
                if was != Meeting.Status.HELD
                else "orglife.meeting.update",
                target=meeting,
                summary=str(meeting),
                data={"present": len(present), "roll": len(roll)},
            )
    except IntegrityError as exc:  # a concurrent second 党员大会 the same day
        raise ValidationError(
            {"held_on": [_("%(d)s 已记录过一次支部党员大会") % {"d": meeting.held_on}]}
        ) from exc
    return meeting


def _quorum_refusal(meeting: Meeting, roll: dict, present: set[int]) -> str:
    """Why a resolution cannot be recorded for this meeting ("" when it can)."""
    on = meeting.held_on
    if meeting.kind == rules.GENERAL_MEETING:
        voters = {
            pid for pid, m in roll.items() if m.status == Membership.Status.FULL
        }  # 预备党员 have no vote
        rule = applied_rule("orglife.quorum.general_meeting", on=on, org=meeting.branch)
        came = len(present & voters)
        if not rules.voting_quorum_met(came, len(voters), rule.value):
            return _(
                "有表决权的正式党员 %(voters)s 名，到会 %(came)s 名，未超过 %(frac)s，"
                "不足法定人数，不能形成决议（%(cite)s）"
            ) % {"voters": len(voters), "came": came, "frac": rule.value, "cite": rule.citation}
    if meeting.kind == rules.COMMITTEE_MEETING:
        committee = {pid for pid, m in roll.items() if rules.is_cadre(m.person.title)}
        if committee:
            rule = applied_rule("orglife.quorum.committee_meeting", on=on, org=meeting.branch)
            came = len(present & committee)
            if not rules.committee_quorum_met(came, len(committee), rule.value):
                return _(
                    "支委委员 %(n)s 名，到会 %(came)s 名，不足 %(frac)s，不能形成决议（%(cite)s）"
                ) % {
                    "n": len(committee),
                    "came": came,
                    "frac": rule.value,
                    "cite": rule.citation,
                }
    return ""


def meeting_cancel(*, actor, meeting: Meeting) -> Meeting:
    _check(actor, "change", Meeting, pk=meeting.pk)
    if meeting.status == Meeting.Status.HELD:
        raise ValidationError({"status": _("已召开的会议不能取消")})
    with transaction.atomic():
        meeting.status = Meeting.Status.CANCELLED
        meeting._history_user = actor
        meeting.save()
        record_event(
            actor=actor, verb="orglife.meeting.cancel", target=meeting, summary=str(meeting)
        )
    return meeting


# ----------------------------------------------------------------------------- notify


def meeting_notify(*, actor, meeting: Meeting) -> int:
    """Send the 会议提醒 (``meeting_reminder``) to every member on the roll with a login;
    returns how many were notified."""
    from dangjian.notifications.services import notify

    _check(actor, "change", Meeting, pk=meeting.pk)
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError({"status": _("只能通知尚未召开的计划会议")})
    if not meeting.planned_on:
        raise ValidationError({"planned_on": _("请先填写计划日期")})
    people = [m.person for m in roll_for(meeting.branch) if m.person.user_id]
    when = meeting.planned_on.strftime("%Y年%m月%d日").replace("年0", "年").replace("月0", "月")
    with transaction.atomic():
        for person in people:
            notify(
                kind="meeting_reminder",
                recipients=[person.user],
                context={
                    "name": person.name,
                    "branch": meeting.branch.name,
                    "when": when,
                    "place": meeting.place or _("另行通知的地点"),
                    "meeting": meeting.get_kind_display()
                    + (f"（{meeting.topic}）" if meeting.topic else ""),
                },
                actor=actor,
            )
        meeting.notified_at = timezone.now()
        meeting._history_user = actor
        meeting.save(update_fields=["notified_at", "updated_at"])
        record_event(
            actor=actor,
            verb="orglife.meeting.notify",
            target=meeting,
            summary=_("通知 %(n)s 人") % {"n": len(people)},
        )
    return len(people)


# ----------------------------------------------------------------------------- files

PHOTO_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
MAX_FILE_MB = 10


def _check_upload(upload, kind: str) -> str:
    """The content type to serve the file with; refuses a wrong type, size or content."""
    from pathlib import Path

    from PIL import Image, UnidentifiedImageError

    suffix = Path(upload.name).suffix.lower()
    allowed = PHOTO_TYPES if kind == MeetingFile.Kind.PHOTO else ATTACHMENT_TYPES
    if suffix not in allowed:
        raise ValidationError(
            {
                "file": _("文件类型 %(s)s 不允许，可上传：%(ok)s")
                % {"s": suffix or "？", "ok": "、".join(allowed)}
            }
        )
    if upload.size > MAX_FILE_MB * 1024 * 1024:
        raise ValidationError({"file": _("文件不能超过 %(mb)s MB") % {"mb": MAX_FILE_MB}})
    content_type = allowed[suffix]
    head = upload.read(8)
    upload.seek(0)
    if content_type.startswith("image/"):
        try:
            Image.open(upload).verify()
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
            raise ValidationError({"file": _("照片不是有效的图片文件")}) from exc
        finally:
            upload.seek(0)
    elif suffix == ".pdf" and not head.startswith(b"%PDF"):
        raise ValidationError({"file": _("文件内容不是 PDF")})
    elif suffix in (".docx", ".xlsx") and not head.startswith(b"PK"):
        raise ValidationError({"file": _("文件内容与扩展名 %(s)s 不符") % {"s": suffix}})
    return content_type


def meeting_file_add(*, actor, meeting: Meeting, upload, kind: str) -> MeetingFile:
    """Attach a photo or document to a meeting (validated; served only through a scoped view)."""
    _check(actor, "change", Meeting, pk=meeting.pk)
    if kind not in MeetingFile.Kind.values:
        raise ValidationError({"kind": _("请选择文件类型")})
    content_type = _check_upload(upload, kind)
    with transaction.atomic():
        row = MeetingFile(
            meeting=meeting,
            kind=kind,
            name=upload.name[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
        )
        row.file.save(upload.name, upload, save=False)
        row.save()
        record_event(actor=actor, verb="orglife.meeting.file_add", target=meeting, summary=row.name)
    return row


# ----------------------------------------------------------------------------- reminders


def _branch_officers(branch_ids) -> dict[int, list]:
    """The users holding a secretary or committee grant on each branch."""
    out: dict[int, list] = {}
    for grant in RoleGrant.objects.filter(
        party_org_id__in=branch_ids, role__in=[Role.SECRETARY, Role.COMMITTEE], user__is_active=True
    ).select_related("user"):
        out.setdefault(grant.party_org_id, []).append(grant.user)
    return out


def _superiors(branch: PartyOrg, grants: list[RoleGrant]) -> list:
    """Users with an office or secretary grant on an ancestor of ``branch`` (its superiors)."""
    return [
        g.user
        for g in grants
        if branch.path.startswith(g.party_org.path) and g.party_org.path != branch.path
    ]


REMINDER_KINDS = (rules.COMMITTEE_MEETING, rules.GROUP_MEETING, rules.THEME_DAY) + (
    rules.GENERAL_MEETING,
    rules.PARTY_LECTURE,
    rules.ORG_LIFE_MEETING,
    rules.HEART_TO_HEART_TALK,
)


def compliance_reminders_send(
    *, today: dt.date | None = None, days_before: int | None = None
) -> dict:
    """Remind each branch's secretary ``days_before`` days before a kind falls due, and
    escalate to the superiors (office / secretaries of the parent organisations) when the last
    period ended without the meeting. Each (branch, kind, period, stage) is sent once: the
    ComplianceReminder row is written first and its unique key stops a second sending.

    Queries: the branches, one GROUP BY of the meetings held in the two periods that matter,
    the officers and the superiors — not one per branch.
    """
    from django.conf import settings

    from dangjian.notifications.services import notify

    today = today or timezone.localdate()
    days_before = (
        getattr(settings, "ORGLIFE_REMINDER_DAYS", 7) if days_before is None else days_before
    )
    book = RuleBook.load()
    branches = list(PartyOrg.objects.filter(kind=PartyOrg.Kind.BRANCH, is_active=True))
    since = dt.date(today.year - 1, 1, 1)
    held = {
        (row["branch_id"], row["kind"], row["held_on"])
        for row in Meeting.objects.filter(status=Meeting.Status.HELD, held_on__gte=since)
        .values("branch_id", "kind", "held_on")
        .annotate(n=Count("id"))
    }
    held_by: dict[tuple[int, str], list[dt.date]] = {}
    for branch_id, kind, day in held:
        held_by.setdefault((branch_id, kind), []).append(day)
    sent_before = set(
        ComplianceReminder.objects.filter(period_end__gte=since).values_list(
            "branch_id", "kind", "period_start", "stage"
        )
    )
    officers = _branch_officers([b.pk for b in branches])
    superior_grants = list(
        RoleGrant.objects.filter(
            party_org__isnull=False, role__in=[Role.OFFICE, Role.SECRETARY], user__is_active=True
        ).select_related("user", "party_org")
    )
    counts = {"reminders": 0, "escalations": 0}
    for branch in branches:
        for kind in REMINDER_KINDS:
            if kind == rules.GROUP_MEETING and branch.numchild == 0:
                continue
            months = book.value(rules.period_key(kind), on=today, org=branch)
            days = held_by.get((branch.pk, kind), [])
            start, end = rules.period_bounds(today, months)
            label = _kind_label(kind)
            # Before the due date: a reminder to the branch's secretary.
            if (
                not any(start <= d <= end for d in days)
                and (end - today).days <= days_before
                and (branch.pk, kind, start, ComplianceReminder.Stage.REMINDER) not in sent_before
            ):
                users = officers.get(branch.pk, [])
                if users and _claim(
                    branch, kind, start, end, ComplianceReminder.Stage.REMINDER, len(users)
                ):
                    for user in users:
                        notify(
                            kind="notice",
                            recipients=[user],
                            context={
                                "title": _("【组织生活提醒】%(kind)s") % {"kind": label},
                                "content": _(
                                    "%(branch)s本期（%(start)s至%(end)s）的%(kind)s尚未记录，请于%(end)s前召开并记录。"
                                )
                                % {
                                    "branch": branch.name,
                                    "start": start,
                                    "end": end,
                                    "kind": label,
                                },
                            },
                        )
                    counts["reminders"] += 1
            # After the due date: escalate the last ended period to the superiors.
            prev_start, prev_end = rules.previous_period(today, months)
            if (
                prev_start.year >= since.year
                and not any(prev_start <= d <= prev_end for d in days)
                and (branch.pk, kind, prev_start, ComplianceReminder.Stage.ESCALATION)
                not in sent_before
            ):
                users = _superiors(branch, superior_grants)
                if users and _claim(
                    branch,
                    kind,
                    prev_start,
                    prev_end,
                    ComplianceReminder.Stage.ESCALATION,
                    len(users),
                ):
                    for user in users:
                        notify(
                            kind="task_overdue",
                            recipients=[user],
                            context={
                                "name": user.display_name or user.username,
                                "task": _("%(branch)s %(start)s至%(end)s的%(kind)s")
                                % {
                                    "branch": branch.name,
                                    "start": prev_start,
                                    "end": prev_end,
                                    "kind": label,
                                },
                                "due": str(prev_end),
                            },
                            urgent=False,
                        )
                    counts["escalations"] += 1
    return counts


def _claim(branch, kind, start, end, stage, recipients: int) -> bool:
    """Write the sent-once row; False when another run already wrote it."""
    try:
        with transaction.atomic():
            ComplianceReminder.objects.create(
                branch=branch,
                kind=kind,
                period_start=start,
                period_end=end,
                stage=stage,
                recipients=recipients,
            )
    except IntegrityError:
        return False
    return True
