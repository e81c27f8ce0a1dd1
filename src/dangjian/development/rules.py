"""The time rules of member development (RULES §1) as pure functions.

No database access: rule values come in as arguments (defaulting to the national values of
``rulebook.registry``), so every rule can be tested exhaustively. The services gather the
facts of a case (``Facts``), call ``check_step`` and turn each ``Violation`` into a refusal
citing the rule's source, or — where the rule allows an exception — into a flag that needs a
recorded reason.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from dangjian.platform import idcard
from dangjian.rulebook.registry import national

# ---------------------------------------------------------------------------------------
# The 5 stages and 25 steps
# ---------------------------------------------------------------------------------------

STAGES = {
    1: "申请入党",
    2: "入党积极分子的确定和培养教育",
    3: "发展对象的确定和考察",
    4: "预备党员的接收",
    5: "预备党员的教育考察和转正",
}

STEPS = {
    1: (1, "递交入党申请书"),
    2: (1, "党组织派人谈话"),
    3: (2, "推荐和确定入党积极分子"),
    4: (2, "报上级党委备案"),
    5: (2, "指定培养联系人"),
    6: (2, "培养教育考察"),
    7: (3, "确定发展对象"),
    8: (3, "报上级党委备案"),
    9: (3, "确定入党介绍人"),
    10: (3, "政治审查"),
    11: (3, "开展集中培训"),
    12: (4, "支部委员会审查"),
    13: (4, "上级党委预审"),
    14: (4, "填写入党志愿书"),
    15: (4, "支部大会讨论"),
    16: (4, "上级党委派人谈话"),
    17: (4, "上级党委审批"),
    18: (4, "再上一级党委组织部门备案"),
    19: (5, "编入党支部和党小组"),
    20: (5, "入党宣誓"),
    21: (5, "继续教育考察"),
    22: (5, "提出转正申请"),
    23: (5, "支部大会讨论"),
    24: (5, "上级党委审批"),
    25: (5, "材料归档"),
}

# Steps whose record carries a result (passed / not passed).
RESULT_STEPS = frozenset({10, 13, 15, 17, 23, 24})
VOTE_STEPS = frozenset({15, 23})
NOTICE_STEPS = frozenset({7, 15})  # a 公示 comes before these
ASSESSMENT_STEP = 6

# 转正 outcomes (step 23 proposes, step 24 approves).
OUTCOME_FULL, OUTCOME_EXTEND, OUTCOME_CANCEL = "full", "extend", "cancel"


def step_label(number: int) -> str:
    return f"第{number}步 {STEPS[number][1]}"


def stage_of_step(number: int) -> int:
    return STEPS[number][0]


# ---------------------------------------------------------------------------------------
# Calendar arithmetic
# ---------------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (clamped to the month's end: 1-31 + 1 month → 2-28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_on_application(id_number: str, applied_on: dt.date) -> int:
    """Age in full years on the application date, read from the ID number (GB 11643)."""
    birth, _gender = idcard.parse(id_number)
    return idcard.age_on(birth, applied_on)


def old_enough(id_number: str, applied_on: dt.date, min_age: int | None = None) -> bool:
    """Whether the applicant is at least ``dev.min_age`` (18) on the application date."""
    min_age = national("dev.min_age") if min_age is None else min_age
    return age_on_application(id_number, applied_on) >= min_age


def talk_deadline(applied_on: dt.date, months: int | None = None) -> dt.date:
    """Last day for the talk (step 2): ``dev.talk_within_months`` after the application."""
    months = national("dev.talk_within_months") if months is None else months
    return add_months(applied_on, months)


def earliest_candidate_date(activist_on: dt.date, min_months: int | None = None) -> dt.date:
    """确定发展对象 (step 7) only after at least ``dev.activist_min_months`` as activist."""
    min_months = national("dev.activist_min_months") if min_months is None else min_months
    return add_months(activist_on, min_months)


def next_assessment_due(
    activist_on: dt.date, assessments: list[dt.date], interval_months: int | None = None
) -> dt.date:
    """When the next half-year assessment (step 6) is due: ``interval`` after the last one
    (or after becoming an activist)."""
    interval_months = (
        national("dev.assessment_interval_months") if interval_months is None else interval_months
    )
    last = max([activist_on, *assessments])
    return add_months(last, interval_months)


def approval_deadlines(
    meeting_on: dt.date, within_months: int | None = None, max_months: int | None = None
) -> tuple[dt.date, dt.date]:
    """(normal deadline, absolute deadline) for 上级党委审批 after a 支部大会 (steps 17, 24):
    3 months, at most 6 with a recorded reason."""
    within_months = (
        national("dev.approval_within_months") if within_months is None else within_months
    )
    max_months = national("dev.approval_max_months") if max_months is None else max_months
    return add_months(meeting_on, within_months), add_months(meeting_on, max_months)


def probation_end(
    admitted_on: dt.date, months: int | None = None, extension_months: int = 0
) -> dt.date:
    """预备期 end: ``dev.probation_months`` (1 year) from the 支部大会 of step 15, plus any
    extension. The 转正 date (and so 党龄) is this day."""
    months = national("dev.probation_months") if months is None else months
    return add_months(admitted_on, months + extension_months)


def extension_problem(
    months: int,
    already_extended: bool,
    min_months: int | None = None,
    max_months: int | None = None,
) -> str:
    """Why an extension of the 预备期 is not allowed ("" when it is): once, 6–12 months."""
    min_months = national("dev.extension_min_months") if min_months is None else min_months
    max_months = national("dev.extension_max_months") if max_months is None else max_months
    if already_extended:
        return "预备期只能延长一次"
    if not min_months <= months <= max_months:
        return f"延长预备期应为 {min_months}–{max_months} 个月"
    return ""


def party_years(full_member_on: dt.date | None, today: dt.date) -> int | None:
    """党龄 in full years, counted from the 转正 date."""
    if full_member_on is None or today < full_member_on:
        return None if full_member_on is None else 0
    return idcard.age_on(full_member_on, today)


def training_sufficient(
    days: int | None, hours: int | None, min_days: int | None = None, min_hours: int | None = None
) -> bool:
    """集中培训 of at least 3 days or 24 学时."""
    min_days = national("dev.training_min_days") if min_days is None else min_days
    min_hours = national("dev.training_min_hours") if min_hours is None else min_hours
    return (days or 0) >= min_days or (hours or 0) >= min_hours


@dataclass(frozen=True)
class VoteResult:
    passes: bool
    error: str = ""  # the counts are inconsistent: nothing may be recorded
    needed: int = 0  # yes votes needed to pass


def vote_passes(
    entitled: int,
    present: int,
    yes: int,
    no: int,
    abstain: int,
    written_yes: int = 0,
    written_no: int = 0,
    written_abstain: int = 0,
) -> VoteResult:
    """支部大会 (steps 15, 23): passes when the yes votes — including written opinions of
    absent members — are more than half of the full members with a vote who should attend.

    Inconsistent counts (yes > present, present > entitled, written opinions from more
    people than were absent …) give ``error`` and never pass.
    """
    counts = (entitled, present, yes, no, abstain, written_yes, written_no, written_abstain)
    needed = entitled // 2 + 1
    if any(c < 0 for c in counts):
        return VoteResult(False, "票数不能为负数", needed)
    if entitled <= 0:
        return VoteResult(False, "应到会有表决权的正式党员人数须大于 0", needed)
    if present > entitled:
        return VoteResult(False, "实到人数不能多于应到人数", needed)
    if yes > present:
        return VoteResult(False, "赞成票不能多于实到人数", needed)
    if yes + no + abstain > present:
        return VoteResult(False, "赞成、反对、弃权票合计不能多于实到人数", needed)
    if written_yes + written_no + written_abstain > entitled - present:
        return VoteResult(False, "书面意见不能多于未到会人数", needed)
    return VoteResult(yes + written_yes > entitled / 2, "", needed)


# ---------------------------------------------------------------------------------------
# Checking one step against the case's facts
# ---------------------------------------------------------------------------------------


@dataclass
class NoticeFacts:
    ends_on: dt.date
    unresolved_objections: int = 0


@dataclass
class Facts:
    """What the rules need to know about a case (built by the services from the records)."""

    id_number: str
    dates: dict[int, dt.date] = field(default_factory=dict)  # effective date of each step
    assessments: list[dt.date] = field(default_factory=list)
    results: dict[int, bool] = field(default_factory=dict)  # step → passed
    mentors: int = 0
    sponsors: int = 0
    full_sponsors: int = 0
    notices: dict[int, NoticeFacts] = field(default_factory=dict)  # before step → notice
    leaving_on: dt.date | None = None
    extension_months: int = 0
    outcome: str = ""  # proposed at step 23
    last_step: int = 0
    rounds: int = 1  # 转正 rounds (2 after an extension)


@dataclass(frozen=True)
class Violation:
    key: str  # the rule (rulebook key) or "dev.order"
    message: str
    exception_allowed: bool = False  # accepted with a recorded reason, and flagged
    field: str = "occurred_on"  # the form field the message belongs to


def rule_values(**overrides) -> dict:
    keys = [
        "dev.min_age",
        "dev.talk_within_months",
        "dev.mentors_min",
        "dev.mentors_max",
        "dev.assessment_interval_months",
        "dev.activist_min_months",
        "dev.sponsors_required",
        "dev.training_min_days",
        "dev.training_min_hours",
        "dev.notice_working_days",
        "dev.approval_within_months",
        "dev.approval_max_months",
        "dev.probation_months",
        "dev.extension_min_months",
        "dev.extension_max_months",
        "dev.leaving_warning_months",
        "dev.application_min_months",
        "dev.mentor_within_months",
        "dev.review_within_months",
        "dev.review_valid_months",
    ]
    values = {k: national(k) for k in keys}
    values.update({k.replace("__", "."): v for k, v in overrides.items()})
    return values


def expected_steps(facts: Facts) -> list[int]:
    """The step numbers that may be recorded next."""
    last = facts.last_step
    if last == 0:
        return [1]
    if last == 6:
        return [6, 7]  # further half-year assessments until 确定发展对象
    if last == 24 and facts.outcome == OUTCOME_EXTEND and facts.rounds == 1:
        return [22]  # second round after the extension
    if last == 25 or (last == 24 and facts.outcome == OUTCOME_CANCEL):
        return []
    if last == 24 and facts.results.get(24) is False:
        return [23]  # not approved: the 支部大会 discusses again
    if last in (10, 13, 15, 17) and facts.results.get(last) is False:
        return []  # a negative result ends the case
    return [last + 1]


def check_step(
    number: int,
    on: dt.date,
    facts: Facts,
    rules: dict | None = None,
    *,
    passed: bool | None = None,
    training_days: int | None = None,
    training_hours: int | None = None,
    vote: VoteResult | None = None,
    outcome: str = "",
    extension_months: int | None = None,
    today: dt.date | None = None,
) -> list[Violation]:
    """Every rule the record of step ``number`` on ``on`` breaks, given the earlier steps."""
    r = rules or rule_values()
    out: list[Violation] = []
    d = facts.dates
    if number not in expected_steps(facts):
        allowed = "、".join(str(n) for n in expected_steps(facts)) or "无（流程已结束）"
        out.append(Violation("dev.order", f"步骤须按顺序进行：当前可记录第 {allowed} 步"))
        return out
    if today is not None and on > today:
        out.append(Violation("dev.order", "日期不能晚于今天"))
    earlier = [v for k, v in d.items() if k < number or (number == 22 and facts.rounds > 1)]
    if number == 6 and facts.assessments:
        earlier.append(max(facts.assessments))
    if earlier and on < max(earlier):
        out.append(
            Violation("dev.order", f"日期不能早于上一步骤的日期（{max(earlier).isoformat()}）")
        )

    def months_rule(key: str) -> int | None:
        return r.get(key)

    if number == 1:
        try:
            if not old_enough(facts.id_number, on, r["dev.min_age"]):
                out.append(
                    Violation(
                        "dev.min_age", f"申请入党时须年满 {r['dev.min_age']} 周岁（按身份证号计算）"
                    )
                )
        except Exception:  # noqa: BLE001 — an unreadable ID number is its own refusal
            out.append(Violation("dev.min_age", "身份证号无效，无法核对申请时的年龄"))
    elif number == 2:
        limit = talk_deadline(d[1], r["dev.talk_within_months"])
        if on > limit:
            out.append(
                Violation(
                    "dev.talk_within_months",
                    f"应在收到入党申请书后 {r['dev.talk_within_months']} 个月内（{limit.isoformat()} 前）派人谈话",
                )
            )
    elif number == 3:
        months = months_rule("dev.application_min_months")
        if months and on < add_months(d[1], months):
            out.append(
                Violation(
                    "dev.application_min_months",
                    f"递交申请满 {months} 个月后方可确定为入党积极分子（最早 {add_months(d[1], months).isoformat()}）",
                )
            )
    elif number == 5:
        if not r["dev.mentors_min"] <= facts.mentors <= r["dev.mentors_max"]:
            out.append(
                Violation(
                    "dev.mentors_min",
                    f"须指定 {r['dev.mentors_min']}–{r['dev.mentors_max']} 名正式党员作为培养联系人（现有 {facts.mentors} 名）",
                )
            )
        months = months_rule("dev.mentor_within_months")
        if months and 3 in d and on > add_months(d[3], months):
            out.append(
                Violation(
                    "dev.mentor_within_months",
                    f"确定积极分子后 {months} 个月内应指定培养联系人",
                )
            )
    elif number == 7:
        earliest = earliest_candidate_date(d[3], r["dev.activist_min_months"])
        if on < earliest:
            out.append(
                Violation(
                    "dev.activist_min_months",
                    f"经过 {r['dev.activist_min_months']} 个月以上培养教育和考察方可确定为发展对象（最早 {earliest.isoformat()}）",
                )
            )
        out += _notice_violations(7, on, facts)
    elif number == 9:
        if (
            facts.full_sponsors != r["dev.sponsors_required"]
            or facts.sponsors != facts.full_sponsors
        ):
            out.append(
                Violation(
                    "dev.sponsors_required",
                    f"须有 {r['dev.sponsors_required']} 名正式党员作入党介绍人（现有正式党员介绍人 {facts.full_sponsors} 名）",
                )
            )
    elif number == 10:
        months = months_rule("dev.review_within_months")
        if months and on > add_months(d[7], months):
            out.append(
                Violation(
                    "dev.review_within_months", f"确定发展对象后 {months} 个月内应完成政治审查"
                )
            )
        if passed is None:
            out.append(
                Violation("dev.order", "请填写政治审查结论（合格 / 不合格）", field="passed")
            )
    elif number == 11:
        if not training_sufficient(
            training_days, training_hours, r["dev.training_min_days"], r["dev.training_min_hours"]
        ):
            out.append(
                Violation(
                    "dev.training_min_days",
                    f"集中培训时间一般不少于 {r['dev.training_min_days']} 天或 {r['dev.training_min_hours']} 学时",
                    field="training_days",
                )
            )
    elif number == 12:
        out += _review_violations(on, facts, r)
    elif number == 13:
        if passed is None:
            out.append(Violation("dev.order", "请填写预审结论（通过 / 未通过）", field="passed"))
    elif number == 14:
        if facts.results.get(13) is not True:
            out.append(Violation("dev.order", "上级党委预审通过后方可填写入党志愿书"))
    elif number == 15:
        out += _review_violations(on, facts, r)
        out += _notice_violations(15, on, facts)
        if vote is None:
            out.append(Violation("dev.order", "请填写支部大会表决情况", field="entitled"))
        elif vote.error:
            out.append(Violation("dev.order", vote.error, field="votes_yes"))
        if facts.leaving_on is not None:
            warn_until = add_months(on, r["dev.leaving_warning_months"])
            if facts.leaving_on <= warn_until:
                out.append(
                    Violation(
                        "dev.leaving_warning_months",
                        f"发展对象将于 {facts.leaving_on.isoformat()} 离开工作单位（{r['dev.leaving_warning_months']} 个月内），一般不予发展",
                        exception_allowed=True,
                    )
                )
    elif number in (17, 24):
        meeting = d[15] if number == 17 else d[23]
        normal, absolute = approval_deadlines(
            meeting, r["dev.approval_within_months"], r["dev.approval_max_months"]
        )
        if on > absolute:
            out.append(
                Violation(
                    "dev.approval_max_months",
                    f"上级党委审批最长不超过支部大会后 {r['dev.approval_max_months']} 个月（{absolute.isoformat()}）",
                )
            )
        elif on > normal:
            out.append(
                Violation(
                    "dev.approval_within_months",
                    f"上级党委应在支部大会后 {r['dev.approval_within_months']} 个月内（{normal.isoformat()} 前）审批；超期须记录特殊情况理由",
                    exception_allowed=True,
                )
            )
        if passed is None:
            out.append(Violation("dev.order", "请填写审批结论（批准 / 不批准）", field="passed"))
        if number == 17:
            out += _review_violations(on, facts, r)
    elif number == 23:
        end = probation_end(d[15], r["dev.probation_months"], facts.extension_months)
        if on < end:
            out.append(
                Violation(
                    "dev.probation_months",
                    f"预备期（至 {end.isoformat()}）满后方可讨论转正",
                )
            )
        if vote is None:
            out.append(Violation("dev.order", "请填写支部大会表决情况", field="entitled"))
        elif vote.error:
            out.append(Violation("dev.order", vote.error, field="votes_yes"))
        if outcome not in (OUTCOME_FULL, OUTCOME_EXTEND, OUTCOME_CANCEL):
            out.append(
                Violation(
                    "dev.order",
                    "请选择讨论结果：按期转正、延长预备期或取消预备党员资格",
                    field="outcome",
                )
            )
        elif outcome == OUTCOME_FULL and vote is not None and not vote.error and not vote.passes:
            out.append(Violation("dev.order", "表决未获通过，不能按期转正", field="outcome"))
        elif outcome == OUTCOME_EXTEND:
            problem = extension_problem(
                extension_months or 0,
                facts.extension_months > 0,
                r["dev.extension_min_months"],
                r["dev.extension_max_months"],
            )
            if problem:
                out.append(Violation("dev.extension_max_months", problem, field="extension_months"))
    return out


def _notice_violations(step: int, on: dt.date, facts: Facts) -> list[Violation]:
    notice = facts.notices.get(step)
    if notice is None:
        return [Violation("dev.notice_working_days", f"第{step}步前须进行公示")]
    out = []
    if on <= notice.ends_on:
        out.append(
            Violation(
                "dev.notice_working_days",
                f"公示期至 {notice.ends_on.isoformat()} 结束，期满后方可进行本步骤",
            )
        )
    if notice.unresolved_objections:
        out.append(
            Violation(
                "dev.notice_working_days",
                f"公示期间收到的 {notice.unresolved_objections} 条反映尚未处理完毕",
            )
        )
    return out


def _review_violations(on: dt.date, facts: Facts, r: dict) -> list[Violation]:
    if facts.results.get(10) is not True:
        return [Violation("dev.order", "未经政治审查或政治审查不合格的，不能发展入党")]
    months = r.get("dev.review_valid_months")
    if months and on > add_months(facts.dates[10], months):
        return [
            Violation(
                "dev.review_valid_months", f"政治审查结论超过 {months} 个月有效期，须重新审查"
            )
        ]
    return []


@dataclass(frozen=True)
class Deadline:
    key: str
    label: str
    due_on: dt.date


def deadlines(facts: Facts, rules: dict | None = None) -> list[Deadline]:
    """What the case must do next and by when (talk, assessment, approval, 预备期 end …)."""
    r = rules or rule_values()
    d = facts.dates
    last = facts.last_step
    out: list[Deadline] = []
    if last == 1:
        out.append(Deadline("talk", "派人谈话", talk_deadline(d[1], r["dev.talk_within_months"])))
    if 3 <= last <= 6:
        due = next_assessment_due(d[3], facts.assessments, r["dev.assessment_interval_months"])
        out.append(Deadline(f"assessment:{due.isoformat()}", "半年培养考察", due))
    if last in (15, 16) and facts.results.get(15):
        out.append(
            Deadline(
                "approval17",
                "上级党委审批（接收预备党员）",
                approval_deadlines(d[15], r["dev.approval_within_months"])[0],
            )
        )
    extended = last == 24 and facts.outcome == OUTCOME_EXTEND and facts.rounds == 1
    if (17 <= last <= 22 and facts.results.get(17) and 15 in d) or extended:
        end = probation_end(d[15], r["dev.probation_months"], facts.extension_months)
        if last == 22:
            out.append(Deadline(f"probation:{end.isoformat()}", "预备期满，讨论转正", end))
        else:
            out.append(Deadline(f"application:{end.isoformat()}", "提出转正申请", end))
    if last == 23 and 23 in d:
        out.append(
            Deadline(
                "approval24",
                "上级党委审批（转正）",
                approval_deadlines(d[23], r["dev.approval_within_months"])[0],
            )
        )
    return out
