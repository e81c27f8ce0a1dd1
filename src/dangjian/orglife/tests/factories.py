"""Meetings built through the services, as a secretary would."""

import datetime as dt

from dangjian.orglife import services
from dangjian.orglife.models import Meeting
from dangjian.people.models import Membership


def held_meeting(actor, branch, kind="committee_meeting", day=None, *, everyone="present", **extra):
    meeting = Meeting(
        branch=branch,
        kind=kind,
        held_on=day or dt.date(2026, 3, 10),
        place="党员活动室",
        lecturer=extra.pop("lecturer", "张三" if kind == "party_lecture" else ""),
        topic=extra.pop("topic", "学习贯彻党的二十大精神"),
        **extra,
    )
    if not meeting.study_hours:
        from dangjian.orglife.rules import DEFAULT_STUDY_HOURS

        meeting.study_hours = DEFAULT_STUDY_HOURS[kind]
    roll = Membership.objects.filter(branch=branch, standing="normal")
    entries = [services.AttendanceEntry(m.person_id, everyone) for m in roll]
    return services.meeting_record(
        actor=actor, meeting=meeting, attendance=entries, today=dt.date(2026, 12, 31)
    )
