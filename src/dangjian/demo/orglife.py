"""A year of organisational life for the demo city.

The secretary's branch (GZ-DEMO-P-B12) held every meeting the rules ask for this year, with
attendance and minutes; this month only the 支委会 is recorded so far — the 党小组会 and the
主题党日 are planned, for the secretary to record and see the month turn green. The other
branches show a realistic mix: most keep up, a few skipped last month (late, red) and one
has not held its quarterly 党员大会.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from dangjian.accounts.models import User
from dangjian.orglife import rules
from dangjian.orglife.models import Attendance, BranchPlan, Meeting
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Membership

from .loader import COMMITTEE_CODE, _demo_nodes

TOPICS = {
    rules.GENERAL_MEETING: [
        "讨论发展党员及预备党员转正事项",
        "审议支部年度工作计划",
        "民主评议党员工作部署",
        "选举出席上级党代会代表候选人",
        "通报党费收缴情况并审议",
    ],
    rules.COMMITTEE_MEETING: [
        "研究本月党建与营销重点工作",
        "讨论入党积极分子培养情况",
        "研究“党建+”示范岗评选工作",
        "部署主题党日活动",
        "研究困难党员帮扶事项",
    ],
    rules.GROUP_MEETING: [
        "学习《中国共产党章程》",
        "交流客户服务工作心得",
        "学习专卖法律法规",
        "开展批评与自我批评",
    ],
    rules.PARTY_LECTURE: [
        "学习贯彻习近平新时代中国特色社会主义思想",
        "传承红色基因 弘扬苏区精神",
        "以高质量党建引领烟草高质量发展",
        "牢记初心使命 做合格共产党员",
    ],
    rules.THEME_DAY: [
        "重温入党誓词",
        "走访帮扶困难零售户",
        "瑞金红色教育基地参观学习",
        "志愿服务进社区",
        "学习先进典型事迹",
    ],
    rules.ORG_LIFE_MEETING: ["年度组织生活会暨民主评议党员"],
    rules.HEART_TO_HEART_TALK: ["支委与党员谈心谈话"],
}
PLACES = ["党员活动室", "三楼会议室", "县局会议室", "红色教育基地"]
LECTURERS = ["支部书记", "党委委员", "县局党组书记", "市委党校讲师"]
MINUTES = (
    "会议由{host}主持，应到{roll}人，实到{present}人。会议围绕“{topic}”展开学习讨论，"
    "与会党员结合岗位工作谈认识、找差距、提措施。"
)
PLAN_DAY = {
    rules.COMMITTEE_MEETING: 5,
    rules.GROUP_MEETING: 10,
    rules.GENERAL_MEETING: 20,
    rules.PARTY_LECTURE: 25,
    rules.ORG_LIFE_MEETING: 15,
    rules.HEART_TO_HEART_TALK: 12,
}
THEME_DAY = 15


def _day(year: int, month: int, kind: str, theme_day: int) -> dt.date:
    if kind == rules.THEME_DAY:
        return rules.theme_day_date(year, month, theme_day)
    return dt.date(year, month, PLAN_DAY[kind])


def _schedule(year: int, months: range, kind: str) -> list[int]:
    """The months of ``year`` in which a kind is held (its period's last month)."""
    period = {rules.GENERAL_MEETING: 3, rules.PARTY_LECTURE: 3}.get(kind, 1)
    if kind in (rules.ORG_LIFE_MEETING, rules.HEART_TO_HEART_TALK):
        return [12] if 12 in months else []
    return [m for m in months if m % period == 0 or period == 1]


def seed(rng: random.Random) -> None:
    today = timezone.localdate()
    year = today.year
    _company, _committee, own, _area = _demo_nodes()
    office = User.objects.filter(username="office").first()
    secretary = User.objects.filter(username="secretary").first()
    branches = list(
        PartyOrg.objects.filter(
            kind=PartyOrg.Kind.BRANCH, code__startswith=COMMITTEE_CODE
        ).order_by("path")
    )
    rolls: dict[int, list[Membership]] = {}
    for m in (
        Membership.objects.filter(branch__in=branches, standing="normal")
        .select_related("person")
        .order_by("person_id")
    ):
        rolls.setdefault(m.branch_id, []).append(m)
    others = [b for b in branches if b.pk != own.pk]
    late = {b.pk for b in others[1::4]}  # about a quarter skipped last month
    no_general = {b.pk for b in others[2::7]}  # and a few never held this quarter's 党员大会

    plans = [
        BranchPlan(branch=b, year=year, theme_day_of_month=THEME_DAY, created_by=office)
        for b in branches
    ]
    bulk_create_with_history(plans, BranchPlan, default_user=office)

    meetings: list[Meeting] = []
    attendance_for: list[tuple[int, list[Membership]]] = []
    for branch in branches:
        roll = rolls.get(branch.pk, [])
        if not roll:
            continue
        mine = branch.pk == own.pk
        diligence = 1.0 if mine else rng.choice([0.97, 0.93, 0.85])
        kinds = [k for k in rules.BRANCH_KINDS if k != rules.GROUP_MEETING or branch.numchild]
        for kind in kinds:
            for month in _schedule(year, range(1, 13), kind):
                day = _day(year, month, kind, THEME_DAY)
                this_month = month == today.month
                last_month = month == today.month - 1
                skipped = (
                    (branch.pk in late and last_month and kind != rules.GENERAL_MEETING)
                    or (branch.pk in no_general and kind == rules.GENERAL_MEETING and last_month)
                    or (not mine and month < today.month and rng.random() > diligence)
                )
                if this_month and mine:
                    # The secretary's month: 支委会 held early, the rest left to record.
                    held = kind == rules.COMMITTEE_MEETING
                    day = min(today, dt.date(year, month, 3)) if held else day
                else:
                    held = day <= today and not skipped and month <= today.month
                if skipped and day < today:
                    continue
                meeting = _meeting(
                    rng, branch, kind, day, held, roll, secretary if mine else office
                )
                meetings.append(meeting)
                if held:
                    attendance_for.append((len(meetings) - 1, roll))
    meetings = bulk_create_with_history(meetings, Meeting, batch_size=1000, default_user=office)
    if meetings and meetings[0].pk is None:  # backends that do not return ids
        meetings = list(Meeting.objects.filter(branch__in=branches).order_by("pk")[: len(meetings)])
    rows = []
    for index, roll in attendance_for:
        meeting = meetings[index]
        for membership in roll:
            roll_dice = rng.random()
            if roll_dice < 0.88:
                status, reason = Attendance.Status.PRESENT, ""
            elif roll_dice < 0.97:
                status, reason = (
                    Attendance.Status.LEAVE,
                    rng.choice(["出差", "病假", "外出培训", "值班"]),
                )
            else:
                status, reason = Attendance.Status.ABSENT, ""
            rows.append(
                Attendance(
                    meeting=meeting, person_id=membership.person_id, status=status, reason=reason
                )
            )
    Attendance.objects.bulk_create(rows, batch_size=2000)


def _meeting(rng, branch, kind, day, held, roll, actor) -> Meeting:
    topic = rng.choice(TOPICS[kind])
    host = roll[0].person
    recorder = roll[1].person if len(roll) > 1 else host
    meeting = Meeting(
        branch=branch,
        kind=kind,
        status=Meeting.Status.HELD if held else Meeting.Status.PLANNED,
        planned_on=day,
        held_on=day if held else None,
        place=rng.choice(PLACES),
        topic=topic,
        study_hours=rules.DEFAULT_STUDY_HOURS[kind],
        created_by=actor,
    )
    if kind == rules.PARTY_LECTURE:
        meeting.lecturer = rng.choice(LECTURERS)
        meeting.study_hours = Decimal("4")
    if held:
        meeting.host = host
        meeting.recorder = recorder
        meeting.agenda = f"一、{topic}\n二、交流发言\n三、书记总结"
        meeting.minutes = MINUTES.format(
            host=host.name, roll=len(roll), present=max(1, len(roll) - 1), topic=topic
        )
        if kind == rules.GENERAL_MEETING:
            meeting.resolutions = "会议经表决，同意支部年度工作安排。"
    return meeting
