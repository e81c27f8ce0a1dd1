"""Writes of 日常服务: each service checks, writes, keeps ``LastVisit`` in step and records the
audit event, in one transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.customers.models import RetailCustomer
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Person
from dangjian.platform.audit import record_event
from dangjian.platform.scoping import grants_for, model_label, user_can

from . import selectors
from .models import (
    Discussion,
    LastVisit,
    TailoredServiceType,
    Visit,
    VisitKind,
    VisitPhoto,
    VisitPlan,
)
from .photos import MAX_PHOTOS_PER_VISIT, reencode_image
from .rules import tier_range_problem

# A visit is recorded on the day or soon after; older ones are back-filled by an import.
EARLIEST_VISIT = dt.date(2000, 1, 1)


# ----------------------------------------------------------------------------- visits


def _check_visit_fields(
    *,
    customer: RetailCustomer,
    visited_on: dt.date,
    kind: VisitKind,
    service_type: TailoredServiceType | None,
    follow_up_on: dt.date | None,
    follow_up: str,
    today: dt.date,
) -> None:
    errors: dict[str, str] = {}
    if visited_on > today:
        errors["visited_on"] = _("走访日期不能晚于今天")
    elif visited_on < EARLIEST_VISIT:
        errors["visited_on"] = _("走访日期不能早于2000年")
    if not kind.is_active:
        errors["kind"] = _("该走访类型已停用")
    if kind.is_tailored:
        if service_type is None:
            errors["service_type"] = _("私人定制服务须选择服务项目")
        elif not getattr(customer, service_type.segment, False):
            errors["service_type"] = _("该客户不属于“%(segment)s”群体，不能提供此私人定制服务") % {
                "segment": service_type.get_segment_display()
            }
        elif not service_type.is_active:
            errors["service_type"] = _("该服务项目已停用")
    elif service_type is not None:
        errors["service_type"] = _("只有私人定制服务才选择服务项目")
    if follow_up_on is not None and not follow_up.strip():
        errors["follow_up"] = _("填写了跟进日期，请写明跟进事项")
    elif follow_up.strip() and follow_up_on is None:
        errors["follow_up_on"] = _("填写了跟进事项，请选择跟进日期")
    elif follow_up_on is not None and follow_up_on < visited_on:
        errors["follow_up_on"] = _("跟进日期不能早于走访日期")
    if errors:
        raise ValidationError(errors)


def _check_staff(actor, staff: Person) -> None:
    if not selectors.staff_in_reach(actor).filter(pk=staff.pk).exists():
        raise ValidationError({"staff": _("服务人员只能是您本人或您管理范围内的人员")})


def _prepare_photos(photos, *, existing: int = 0) -> list:
    """Validate and re-encode every photo before anything is written."""
    photos = list(photos)
    if existing + len(photos) > MAX_PHOTOS_PER_VISIT:
        raise ValidationError(
            {"photos": _("每条走访记录最多 %(n)s 张照片") % {"n": MAX_PHOTOS_PER_VISIT}}
        )
    prepared = []
    for stage, upload in photos:
        if stage not in VisitPhoto.Stage.values:
            raise ValidationError({"photos": _("照片类型不正确")})
        prepared.append((stage, reencode_image(upload)))
    return prepared


def _save_photos(visit: Visit, prepared) -> None:
    for stage, image in prepared:
        photo = VisitPhoto(visit=visit, stage=stage)
        photo.image.save(image.name, image, save=False)
        photo.save()


def _touch_last_visit(customer_id: int, visited_on: dt.date) -> None:
    row = LastVisit.objects.select_for_update().filter(customer_id=customer_id).first()
    if row is None:
        LastVisit.objects.create(customer_id=customer_id, visited_on=visited_on, visit_count=1)
        return
    row.visit_count += 1
    row.visited_on = max(row.visited_on, visited_on)
    row.save(update_fields=["visited_on", "visit_count"])


def _recompute_last_visit(customer_id: int) -> None:
    """After a date changed or a visit left: the latest date and count from the log (one
    index range of the customer's visits)."""
    found = Visit.objects.filter(customer_id=customer_id).aggregate(
        last=Max("visited_on"), n=Count("pk")
    )
    if found["last"] is None:
        LastVisit.objects.filter(customer_id=customer_id).delete()
    else:
        LastVisit.objects.update_or_create(
            customer_id=customer_id,
            defaults={"visited_on": found["last"], "visit_count": found["n"]},
        )


@transaction.atomic
def visit_record(
    *,
    actor,
    customer: RetailCustomer,
    staff: Person,
    visited_on: dt.date,
    kind: VisitKind,
    service_type: TailoredServiceType | None = None,
    notes: str = "",
    follow_up_on: dt.date | None = None,
    follow_up: str = "",
    photos=(),
    today: dt.date | None = None,
) -> Visit:
    """Record a visit to ``customer`` by ``staff`` with its photos ((stage, upload) pairs);
    the customer's last-visit date moves on."""
    today = today or timezone.localdate()
    if not selectors.customers_in_reach(actor, "add").filter(pk=customer.pk).exists():
        raise PermissionDenied(_("您不能为该客户记录走访"))
    _check_staff(actor, staff)
    _check_visit_fields(
        customer=customer,
        visited_on=visited_on,
        kind=kind,
        service_type=service_type,
        follow_up_on=follow_up_on,
        follow_up=follow_up,
        today=today,
    )
    prepared = _prepare_photos(photos)
    visit = Visit(
        customer=customer,
        unit_id=customer.unit_id,
        staff=staff,
        visited_on=visited_on,
        kind=kind,
        service_type=service_type if kind.is_tailored else None,
        notes=notes.strip(),
        follow_up_on=follow_up_on,
        follow_up=follow_up.strip(),
        created_by=actor,
    )
    visit._history_user = actor
    visit.save()
    _save_photos(visit, prepared)
    _touch_last_visit(customer.pk, visited_on)
    record_event(
        actor=actor,
        verb="visit.record",
        target=visit,
        summary=f"{customer.shop_name} {kind.name} {visited_on:%Y-%m-%d}",
    )
    return visit


def _may(actor, visit: Visit, action: str) -> bool:
    return Visit.objects.restrict(actor, action).filter(pk=visit.pk).exists()


@transaction.atomic
def visit_update(
    *,
    actor,
    visit: Visit,
    staff: Person,
    visited_on: dt.date,
    kind: VisitKind,
    service_type: TailoredServiceType | None = None,
    notes: str = "",
    follow_up_on: dt.date | None = None,
    follow_up: str = "",
    today: dt.date | None = None,
) -> Visit:
    """Correct a visit; the customer's last-visit date follows a changed date."""
    today = today or timezone.localdate()
    if not _may(actor, visit, "change"):
        raise PermissionDenied(_("您不能修改该走访记录"))
    if staff.pk != visit.staff_id:
        _check_staff(actor, staff)
    _check_visit_fields(
        customer=visit.customer,
        visited_on=visited_on,
        kind=kind,
        service_type=service_type,
        follow_up_on=follow_up_on,
        follow_up=follow_up,
        today=today,
    )
    date_changed = visited_on != visit.visited_on
    visit.staff = staff
    visit.visited_on = visited_on
    visit.kind = kind
    visit.service_type = service_type if kind.is_tailored else None
    visit.notes = notes.strip()
    visit.follow_up_on = follow_up_on
    visit.follow_up = follow_up.strip()
    if follow_up_on is None:
        visit.follow_up_done_on, visit.follow_up_result = None, ""
    visit._history_user = actor
    visit.save()
    if date_changed:
        _recompute_last_visit(visit.customer_id)
    record_event(actor=actor, verb="visit.update", target=visit, summary=str(visit))
    return visit


@transaction.atomic
def visit_delete(*, actor, visit: Visit) -> None:
    """Remove a visit recorded by mistake (with its photos)."""
    if not _may(actor, visit, "delete"):
        raise PermissionDenied(_("您不能删除该走访记录"))
    customer_id = visit.customer_id
    record_event(actor=actor, verb="visit.delete", target=visit, summary=str(visit))
    for photo in visit.photos.all():
        photo.image.delete(save=False)
    visit._history_user = actor
    visit.delete()
    _recompute_last_visit(customer_id)


@transaction.atomic
def visit_photos_add(*, actor, visit: Visit, photos) -> int:
    """Add (stage, upload) photos to a visit (display before / after)."""
    if not _may(actor, visit, "change"):
        raise PermissionDenied(_("您不能修改该走访记录"))
    photos = list(photos)
    if not photos:
        raise ValidationError({"photos": _("请选择照片")})
    _save_photos(visit, _prepare_photos(photos, existing=visit.photos.count()))
    record_event(
        actor=actor,
        verb="visit.photos",
        target=visit,
        summary=_("上传照片 %(n)s 张") % {"n": len(photos)},
    )
    return len(photos)


@transaction.atomic
def visit_follow_up_done(
    *, actor, visit: Visit, result: str, done_on: dt.date | None = None
) -> Visit:
    """Close a visit's follow-up with what was done."""
    done_on = done_on or timezone.localdate()
    if not _may(actor, visit, "change"):
        raise PermissionDenied(_("您不能修改该走访记录"))
    if not visit.follow_up_open:
        raise ValidationError({"result": _("该走访没有待办的跟进事项")})
    if not result.strip():
        raise ValidationError({"result": _("请填写跟进结果")})
    if done_on < visit.visited_on:
        raise ValidationError({"done_on": _("完成日期不能早于走访日期")})
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("完成日期不能晚于今天")})
    visit.follow_up_done_on = done_on
    visit.follow_up_result = result.strip()
    visit._history_user = actor
    visit.save(update_fields=["follow_up_done_on", "follow_up_result"])
    record_event(actor=actor, verb="visit.follow_up_done", target=visit, summary=result[:200])
    return visit


# ------------------------------------------------------------------------- catalogues


@transaction.atomic
def catalogue_save(*, actor, instance) -> object:
    """Save a visit kind, 私人定制 service type or visit plan (the office's reference data)."""
    model = type(instance)
    if model not in (VisitKind, TailoredServiceType, VisitPlan):
        raise TypeError(model)
    action = "add" if instance._state.adding else "change"
    if not user_can(actor, action, model):
        raise PermissionDenied(_("只有党建办可以维护该目录"))
    if isinstance(instance, VisitPlan):
        problem = tier_range_problem(instance.tier_min, instance.tier_max)
        if problem:
            raise ValidationError({"tier_max": problem})
    instance.full_clean()
    instance._history_user = actor
    instance.save()
    record_event(
        actor=actor,
        verb=f"{model._meta.model_name}.{action}",
        target=instance,
        summary=str(instance),
    )
    return instance


# ------------------------------------------------------------------------- discussions


def branches_in_reach(actor, action: str = "add"):
    """Branches whose "假如我是服务对象" discussions ``actor`` may ``action``."""
    branches = PartyOrg.objects.filter(kind=PartyOrg.Kind.BRANCH)
    if getattr(actor, "is_superuser", False):
        return branches
    label = model_label(Discussion)
    condition = None
    for grant in grants_for(actor):
        if not grant.allows(label, action) or label in grant.own_only:
            continue
        part = Q(pk__in=grant.subtree) if grant.tree == "party" else Q(units__in=grant.subtree)
        condition = part if condition is None else condition | part
    if condition is None:
        return branches.none()
    return branches.filter(pk__in=PartyOrg.objects.filter(condition).values("pk"))


def _check_discussion(branch: PartyOrg, held_on: dt.date, participants, topics, measures):
    errors = {}
    if held_on > timezone.localdate():
        errors["held_on"] = _("讨论日期不能晚于今天")
    if not topics.strip():
        errors["topics"] = _("请填写讨论议题")
    if not measures.strip():
        errors["measures"] = _("请填写改进措施")
    strangers = [p.name for p in participants if not _is_member_of(p, branch)]
    if strangers:
        errors["participants"] = _("以下人员不是本支部党员：%(names)s") % {
            "names": "、".join(strangers)
        }
    if errors:
        raise ValidationError(errors)


def _is_member_of(person: Person, branch: PartyOrg) -> bool:
    return Person.objects.filter(pk=person.pk, membership__branch=branch).exists()


@transaction.atomic
def discussion_record(
    *,
    actor,
    branch: PartyOrg,
    held_on: dt.date,
    topics: str,
    measures: str,
    findings: str = "",
    place: str = "",
    participants=(),
) -> Discussion:
    """Record a branch's "假如我是服务对象" discussion."""
    if not branches_in_reach(actor).filter(pk=branch.pk).exists():
        raise PermissionDenied(_("您不能为该支部记录讨论"))
    participants = list(participants)
    _check_discussion(branch, held_on, participants, topics, measures)
    discussion = Discussion(
        branch=branch,
        held_on=held_on,
        place=place.strip(),
        topics=topics.strip(),
        findings=findings.strip(),
        measures=measures.strip(),
        created_by=actor,
    )
    discussion._history_user = actor
    discussion.save()
    discussion.participants.set(participants)
    record_event(actor=actor, verb="discussion.record", target=discussion, summary=str(discussion))
    return discussion


@transaction.atomic
def discussion_update(
    *,
    actor,
    discussion: Discussion,
    held_on: dt.date,
    topics: str,
    measures: str,
    findings: str = "",
    place: str = "",
    participants=(),
) -> Discussion:
    if not Discussion.objects.restrict(actor, "change").filter(pk=discussion.pk).exists():
        raise PermissionDenied(_("您不能修改该讨论记录"))
    participants = list(participants)
    _check_discussion(discussion.branch, held_on, participants, topics, measures)
    discussion.held_on = held_on
    discussion.place = place.strip()
    discussion.topics = topics.strip()
    discussion.findings = findings.strip()
    discussion.measures = measures.strip()
    discussion._history_user = actor
    discussion.save()
    discussion.participants.set(participants)
    record_event(actor=actor, verb="discussion.update", target=discussion, summary=str(discussion))
    return discussion
