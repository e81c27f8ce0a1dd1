"""API: people and their party membership.

Personal fields (ID number, phone) are masked in every response; ``POST …/reveal`` shows one
in clear for a role that may, and logs it. Writes go through PersonForm / MembershipForm and
``services.person_save`` — the same checks and messages as the web form.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from dangjian.platform.api import (
    ErrorOut,
    PageParams,
    PayloadInvalid,
    RevealIn,
    RevealOut,
    add_model_errors,
    form_data,
    only_sent_fields,
    page,
    raise_form_errors,
    register_field_labels,
    reveal,
)
from dangjian.platform.scoping import get_restricted_or_404, user_can

from . import selectors, services
from .forms import MembershipForm, PersonForm
from .models import Membership, Person

router = Router(tags=["人员"])
register_field_labels("people", Person, Membership)

WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class PersonFilters(PageParams):
    q: str = Field("", description="姓名、拼音、首字母（zs 找到张三）、身份证号或手机号")
    branch: int | None = Field(None, description="所在支部 id")
    status: str = Field(
        "", description="member 党员 / probationary 预备党员 / full 正式党员 / none 非党员"
    )


class MembershipOut(Schema):
    branch_id: int
    branch_name: str
    group_id: int | None
    group_name: str | None
    status: str
    status_display: str
    standing: str
    standing_display: str
    standing_since: dt.date | None
    joined_on: dt.date
    full_member_on: dt.date | None
    party_years: int | None
    is_mobile: bool
    is_lost: bool


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    gender_display: str
    birth_date: dt.date
    age: int
    ethnicity: str
    education: str
    unit_id: int
    unit_name: str
    post: str
    title: str
    id_number_masked: str = Field(description="身份证号（脱敏）")
    phone_masked: str = Field(description="手机号码（脱敏）")
    employed_on: dt.date | None
    left_on: dt.date | None
    has_photo: bool
    membership: MembershipOut | None


class PersonPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PersonOut]


class MembershipIn(Schema):
    branch: int | None = Field(None, description="所在支部 id")
    group: int | None = Field(None, description="党小组 id")
    status: str | None = Field(None, description="probationary 预备党员 / full 正式党员")
    standing: str | None = Field(None, description="normal 正常 / suspended 停止 / reserved 保留")
    standing_since: dt.date | None = None
    joined_on: dt.date | None = None
    full_member_on: dt.date | None = None
    is_mobile: bool | None = None
    is_lost: bool | None = None


class PersonIn(Schema):
    """Fields left out keep their current value (on create: the default)."""

    name: str | None = None
    id_number: str | None = Field(None, description="18位身份证号")
    gender: str | None = Field(None, description="M 男 / F 女；留空按身份证号")
    birth_date: dt.date | None = Field(None, description="留空按身份证号")
    ethnicity: str | None = None
    education: str | None = None
    unit: int | None = Field(None, description="所在单位 id")
    post: str | None = None
    title: str | None = None
    phone: str | None = None
    employed_on: dt.date | None = None
    left_on: dt.date | None = None
    membership: MembershipIn | None = Field(
        None, description="党员信息；不传则不变，传 null 则删除党员信息"
    )


def _membership_out(m: Membership | None) -> dict | None:
    if m is None:
        return None
    return {
        "branch_id": m.branch_id,
        "branch_name": m.branch.name,
        "group_id": m.group_id,
        "group_name": m.group.name if m.group_id else None,
        "status": m.status,
        "status_display": str(m.get_status_display()),
        "standing": m.standing,
        "standing_display": str(m.get_standing_display()),
        "standing_since": m.standing_since,
        "joined_on": m.joined_on,
        "full_member_on": m.full_member_on,
        "party_years": m.party_years,
        "is_mobile": m.is_mobile,
        "is_lost": m.is_lost,
    }


def _person_out(p: Person) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "gender": p.gender,
        "gender_display": str(p.get_gender_display()),
        "birth_date": p.birth_date,
        "age": p.age,
        "ethnicity": p.ethnicity,
        "education": p.education,
        "unit_id": p.unit_id,
        "unit_name": p.unit.name,
        "post": p.post,
        "title": p.title,
        "id_number_masked": p.id_number_masked,
        "phone_masked": p.phone_masked,
        "employed_on": p.employed_on,
        "left_on": p.left_on,
        "has_photo": bool(p.photo),
        "membership": _membership_out(getattr(p, "membership", None)),
    }


def _people_out(people) -> list[dict]:
    return [_person_out(p) for p in people]


RELATED = ("unit", "membership__branch", "membership__group")


def _save(request, person: Person, payload: PersonIn, *, action: str) -> Person:
    """Validate with the web forms, save through the service, and stay inside the scope."""
    actor = request.auth
    sent = payload.model_dump(exclude_unset=True)
    membership = getattr(person, "membership", None) if person.pk else None
    form = PersonForm(
        form_data(person, PersonForm, sent, exclude=("photo",)), instance=person, actor=actor
    )
    if person.pk:
        only_sent_fields(form, sent)
    mform = None
    drop = "membership" in sent and sent["membership"] is None
    if sent.get("membership") is not None:
        mform = MembershipForm(
            form_data(membership or Membership(), MembershipForm, sent["membership"]),
            instance=membership,
            actor=actor,
        )
        if membership is not None:
            only_sent_fields(mform, sent["membership"])
    form.is_valid()
    if mform is not None:
        mform.is_valid()
    raise_form_errors((form, ""), (mform, "membership."))
    try:
        with transaction.atomic():
            saved = services.person_save(
                actor=actor,
                person=form.save(commit=False),
                membership=mform.save(commit=False) if mform is not None else None,
                drop_membership=drop,
            )
            # A record saved outside the actor's reach (e.g. a secretary creating a non-member
            # he could not see afterwards) is refused, and the transaction rolled back.
            if not Person.objects.restrict(actor, action).filter(pk=saved.pk).exists():
                raise PermissionDenied(_("保存后的人员不在您的权限范围内，请检查所在单位和支部"))
    except ValidationError as exc:
        add_model_errors(exc, form, mform)
        raise_form_errors((form, ""), (mform, "membership."))
        raise
    except PermissionDenied as exc:
        raise PayloadInvalid({"__all__": [str(exc)]}) from exc
    return saved


def _detail(actor, pk: int) -> dict:
    person = get_restricted_or_404(Person.objects.select_related(*RELATED), actor, "view", pk=pk)
    return _person_out(person)


@router.get("/people", response=PersonPage, summary="人员（含党员信息）列表")
def person_list(request, filters: Query[PersonFilters]):
    people = (
        selectors.person_list(
            request.auth, query=filters.q, branch=filters.branch, status=filters.status
        )
        .select_related(*RELATED)
        .order_by("name_pinyin", "pk")
    )
    return page(people, filters, _people_out)


@router.get("/people/{person_id}", response={200: PersonOut, 404: ErrorOut}, summary="人员详情")
def person_detail(request, person_id: int):
    return _detail(request.auth, person_id)


@router.post("/people", response={201: PersonOut, **WRITE_ERRORS}, summary="新增人员")
def person_create(request, payload: PersonIn):
    if not user_can(request.auth, "add", Person):
        raise PermissionDenied(_("您无权新增人员"))
    saved = _save(request, Person(), payload, action="add")
    return Status(201, _detail(request.auth, saved.pk))


@router.patch("/people/{person_id}", response={200: PersonOut, **WRITE_ERRORS}, summary="修改人员")
def person_update(request, person_id: int, payload: PersonIn):
    person = get_restricted_or_404(
        Person.objects.select_related("membership"), request.auth, "change", pk=person_id
    )
    saved = _save(request, person, payload, action="change")
    return _detail(request.auth, saved.pk)


@router.post(
    "/people/{person_id}/reveal",
    response={200: RevealOut, **WRITE_ERRORS},
    summary="显示身份证号或手机号明文（记入访问日志）",
)
def person_reveal(request, person_id: int, payload: RevealIn):
    return reveal(request, Person, person_id, payload.field)
