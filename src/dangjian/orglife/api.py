"""API: meetings of organisational life (三会一课 etc.), read-only, scoped like the web views."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema

from dangjian.orgs.models import PartyOrg
from dangjian.platform.api import ErrorOut, PageParams, page
from dangjian.platform.scoping import get_restricted_or_404

from . import selectors
from .models import Meeting

router = Router(tags=["组织生活"])


class MeetingFilters(PageParams):
    q: str = Field("", description="主题、地点或党组织名称")
    branch: int | None = Field(None, description="党组织 id（含下级）")
    kind: str = Field(
        "",
        description="general_meeting 支部党员大会 / committee_meeting 支委会 / group_meeting "
        "党小组会 / party_lecture 党课 / theme_day 主题党日 / org_life_meeting 组织生活会 / "
        "leadership_life_meeting 民主生活会 / heart_to_heart_talk 谈心谈话",
    )
    status: str = Field("", description="planned 已计划 / held 已召开 / cancelled 已取消")
    year: int | None = Field(None, description="年度")


class MeetingOut(Schema):
    id: int
    branch_id: int
    branch_name: str
    kind: str
    kind_display: str
    status: str
    planned_on: dt.date | None
    held_on: dt.date | None
    place: str
    topic: str
    lecturer: str
    host_name: str | None
    study_hours: Decimal


class AttendanceOut(Schema):
    person_id: int
    name: str
    status: str
    reason: str


class MeetingDetailOut(MeetingOut):
    recorder_name: str | None
    agenda: str
    minutes: str
    resolutions: str
    attendance: list[AttendanceOut]


class MeetingPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MeetingOut]


def _out(m: Meeting) -> dict:
    return {
        "id": m.pk,
        "branch_id": m.branch_id,
        "branch_name": m.branch.name,
        "kind": m.kind,
        "kind_display": str(m.get_kind_display()),
        "status": m.status,
        "planned_on": m.planned_on,
        "held_on": m.held_on,
        "place": m.place,
        "topic": m.topic,
        "lecturer": m.lecturer,
        "host_name": m.host.name if m.host_id else None,
        "study_hours": m.study_hours,
    }


@router.get("/orglife/meetings", response=MeetingPage, summary="会议列表")
def meeting_list(request, filters: Query[MeetingFilters]):
    branch = None
    if filters.branch is not None:
        branch = PartyOrg.objects.restrict(request.auth, "view").filter(pk=filters.branch).first()
        if branch is None:
            return page(Meeting.objects.none(), filters, lambda rows: [])
    meetings = selectors.meeting_list(
        request.auth,
        query=filters.q,
        branch=branch,
        kind=filters.kind,
        status=filters.status,
        year=filters.year,
    ).order_by("-planned_on", "-held_on", "-pk")
    return page(meetings, filters, lambda rows: [_out(m) for m in rows])


@router.get(
    "/orglife/meetings/{meeting_id}",
    response={200: MeetingDetailOut, 404: ErrorOut},
    summary="会议详情（含出席情况）",
)
def meeting_detail(request, meeting_id: int):
    m = get_restricted_or_404(
        Meeting.objects.select_related("branch", "host", "recorder"),
        request.auth,
        "view",
        pk=meeting_id,
    )
    data = _out(m)
    data.update(
        {
            "recorder_name": m.recorder.name if m.recorder_id else None,
            "agenda": m.agenda,
            "minutes": m.minutes,
            "resolutions": m.resolutions,
            "attendance": [
                {
                    "person_id": a.person_id,
                    "name": a.person.name,
                    "status": a.status,
                    "reason": a.reason,
                }
                for a in m.attendances.select_related("person").order_by("person__name_pinyin")
            ],
        }
    )
    return data
