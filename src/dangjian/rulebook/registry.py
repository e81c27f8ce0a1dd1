"""The rules the platform enforces (RULES.md), as definitions with their national values.

A definition says what a rule is (label, unit, kind of value), where it comes from (source
document, article label) and which way is *stricter*: for a ``min`` rule a larger value is
stricter (至少 N 天), for a ``max`` rule a smaller one (N 个月内), and a ``fixed`` rule cannot be
changed by a local supplement at all (the dues brackets, the 预备期). The values here are the
national defaults; the party office records newer national versions or stricter local
supplements as ``Rule`` rows, and ``selectors.rule_value`` picks the one that applies.

Pure data: no database access, so rule functions and their tests can read defaults directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

DEV = "《中国共产党发展党员工作细则》（2014）"
BRANCH = "《中国共产党支部工作条例（试行）》（2018）"
DUES = "《关于中国共产党党费收缴、使用和管理的规定》（中组部，2008）"
APPRAISAL = "《关于党员民主评议的有关规定》"
TRANSFER = "《中国共产党党员组织关系转接有关规定》"
CADRE = "《党政领导干部选拔任用工作条例》（2019）"

MIN, MAX, FIXED = "min", "max", "fixed"
INT, DECIMAL, FRACTION, BRACKETS = "int", "decimal", "fraction", "brackets"


@dataclass(frozen=True)
class RuleDef:
    key: str
    group: str  # development / orglife / dues / appraisal / transfer
    label: str
    kind: str  # INT, DECIMAL, FRACTION, BRACKETS
    direction: str  # MIN, MAX, FIXED
    default: Any  # the national value; None: no national rule (a local supplement may add one)
    source: str
    article: str = ""
    unit: str = ""
    note: str = ""

    def parse(self, raw) -> Any:
        """The typed value of a stored (JSON) value; None stays None."""
        if raw is None:
            return None
        if self.kind == INT:
            return int(raw)
        if self.kind == DECIMAL:
            return Decimal(str(raw))
        if self.kind == FRACTION:
            return Fraction(str(raw))
        if self.kind == BRACKETS:
            return tuple(
                (None if upper is None else Decimal(str(upper)), Decimal(str(rate)))
                for upper, rate in raw
            )
        raise ValueError(self.kind)

    def display(self, value) -> str:
        """A value as people read it: 「12 个月」, 「1/2」, 「≤3000 元 0.5%；…」, 「未规定」."""
        if value is None:
            return "未规定"
        if self.kind == BRACKETS:
            parts = []
            for upper, rate in value:
                bound = f"≤{upper:,.0f} 元" if upper is not None else "以上"
                parts.append(f"{bound} {(rate * 100).normalize():f}%")
            return "；".join(parts)
        text = f"{value:f}" if isinstance(value, Decimal) else str(value)
        return f"{text} {self.unit}".strip()

    @property
    def national(self) -> Any:
        return self.parse(self.default)

    def stricter_or_equal(self, candidate, reference) -> bool:
        """Whether ``candidate`` is at least as strict as ``reference`` (typed values)."""
        if reference is None:
            return True  # no national rule: any local rule only adds strictness
        if candidate is None:
            return False
        if self.direction == MIN:
            return candidate >= reference
        if self.direction == MAX:
            return candidate <= reference
        return candidate == reference

    def strictest(self, values):
        values = [v for v in values if v is not None]
        if not values:
            return None
        if self.direction == MIN:
            return max(values)
        if self.direction == MAX:
            return min(values)
        return values[0]


_defs = [
    # ---------------------------------------------------------------- 发展党员 (RULES §1)
    RuleDef("dev.min_age", "development", "申请入党年龄下限", INT, MIN, 18, DEV, "第五条", "岁"),
    RuleDef(
        "dev.talk_within_months",
        "development",
        "收到申请后派人谈话期限",
        INT,
        MAX,
        1,
        DEV,
        "第八条",
        "个月",
    ),
    RuleDef(
        "dev.mentors_min", "development", "培养联系人人数下限", INT, FIXED, 1, DEV, "第十三条", "名"
    ),
    RuleDef(
        "dev.mentors_max", "development", "培养联系人人数上限", INT, FIXED, 2, DEV, "第十三条", "名"
    ),
    RuleDef(
        "dev.assessment_interval_months",
        "development",
        "积极分子考察间隔",
        INT,
        MAX,
        6,
        DEV,
        "第十四条",
        "个月",
        "每半年考察一次，缺少即为逾期",
    ),
    RuleDef(
        "dev.activist_min_months",
        "development",
        "确定发展对象前任积极分子时长",
        INT,
        MIN,
        12,
        DEV,
        "第十五条",
        "个月",
    ),
    RuleDef(
        "dev.sponsors_required",
        "development",
        "入党介绍人人数",
        INT,
        FIXED,
        2,
        DEV,
        "第十八条",
        "名",
    ),
    RuleDef(
        "dev.training_min_days",
        "development",
        "集中培训天数下限",
        INT,
        MIN,
        3,
        DEV,
        "第二十条",
        "天",
    ),
    RuleDef(
        "dev.training_min_hours",
        "development",
        "集中培训学时下限",
        INT,
        MIN,
        24,
        DEV,
        "第二十条",
        "学时",
    ),
    RuleDef(
        "dev.notice_working_days",
        "development",
        "发展对象、预备党员公示期",
        INT,
        MIN,
        5,
        DEV,
        "第十六条、第二十四条",
        "个工作日",
    ),
    RuleDef(
        "dev.approval_within_months",
        "development",
        "上级党委审批期限",
        INT,
        MAX,
        3,
        DEV,
        "第二十九条",
        "个月",
    ),
    RuleDef(
        "dev.approval_max_months",
        "development",
        "审批特殊情况最长期限（须记录理由）",
        INT,
        MAX,
        6,
        DEV,
        "第二十九条",
        "个月",
    ),
    RuleDef(
        "dev.probation_months", "development", "预备期", INT, FIXED, 12, DEV, "第三十一条", "个月"
    ),
    RuleDef(
        "dev.extension_min_months",
        "development",
        "延长预备期下限",
        INT,
        FIXED,
        6,
        DEV,
        "第三十五条",
        "个月",
    ),
    RuleDef(
        "dev.extension_max_months",
        "development",
        "延长预备期上限",
        INT,
        FIXED,
        12,
        DEV,
        "第三十五条",
        "个月",
    ),
    RuleDef(
        "dev.leaving_warning_months",
        "development",
        "发展对象调离预警期",
        INT,
        MIN,
        3,
        DEV,
        "第二十六条",
        "个月",
        "发展对象在该期限内将离开工作单位的，一般不予发展",
    ),
    RuleDef(
        "dev.application_min_months",
        "development",
        "申请满多久方可列为积极分子（地方补充）",
        INT,
        MIN,
        None,
        DEV,
        "",
        "个月",
        "国家未规定；常见地方补充为 6 个月",
    ),
    RuleDef(
        "dev.mentor_within_months",
        "development",
        "确定积极分子后指定培养联系人期限（地方补充）",
        INT,
        MAX,
        None,
        DEV,
        "",
        "个月",
        "国家未规定；常见地方补充为 1 个月",
    ),
    RuleDef(
        "dev.review_within_months",
        "development",
        "政治审查完成期限（地方补充）",
        INT,
        MAX,
        None,
        DEV,
        "",
        "个月",
    ),
    RuleDef(
        "dev.review_valid_months",
        "development",
        "政治审查结论有效期（地方补充）",
        INT,
        MAX,
        None,
        DEV,
        "",
        "个月",
        "常见地方补充为 12 个月",
    ),
    RuleDef(
        "dev.quota_required",
        "development",
        "年度发展计划指标（地方补充）",
        INT,
        MIN,
        None,
        DEV,
        "",
        "名",
        "支部年度发展党员计划数的下限；国家未规定",
    ),
    # ---------------------------------------------------------------- 组织生活 (RULES §2)
    RuleDef(
        "orglife.period.general_meeting",
        "orglife",
        "支部党员大会召开周期",
        INT,
        MAX,
        3,
        BRANCH,
        "第十七条",
        "个月",
        "至少每季度一次",
    ),
    RuleDef(
        "orglife.period.committee_meeting",
        "orglife",
        "支委会召开周期",
        INT,
        MAX,
        1,
        BRANCH,
        "第十七条",
        "个月",
        "至少每月一次",
    ),
    RuleDef(
        "orglife.period.group_meeting",
        "orglife",
        "党小组会召开周期",
        INT,
        MAX,
        1,
        BRANCH,
        "第十七条",
        "个月",
        "至少每月一次",
    ),
    RuleDef(
        "orglife.period.party_lecture",
        "orglife",
        "支部党课周期",
        INT,
        MAX,
        3,
        BRANCH,
        "第十七条",
        "个月",
        "默认每季度一次",
    ),
    RuleDef(
        "orglife.period.secretary_lecture",
        "orglife",
        "党委书记讲党课周期",
        INT,
        MAX,
        12,
        BRANCH,
        "第十七条",
        "个月",
        "每年至少一次",
    ),
    RuleDef(
        "orglife.period.theme_day",
        "orglife",
        "主题党日周期",
        INT,
        MAX,
        1,
        BRANCH,
        "第十八条",
        "个月",
        "每月固定一天",
    ),
    RuleDef(
        "orglife.period.org_life_meeting",
        "orglife",
        "组织生活会周期",
        INT,
        MAX,
        12,
        BRANCH,
        "第十九条",
        "个月",
        "每年至少一次，一般在第四季度，开展民主评议党员",
    ),
    RuleDef(
        "orglife.period.leadership_life_meeting",
        "orglife",
        "民主生活会周期",
        INT,
        MAX,
        12,
        BRANCH,
        "",
        "个月",
        "领导班子每年至少一次",
    ),
    RuleDef(
        "orglife.period.heart_to_heart_talk",
        "orglife",
        "谈心谈话周期",
        INT,
        MAX,
        12,
        BRANCH,
        "第二十条",
        "个月",
        "每年至少一次",
    ),
    RuleDef(
        "orglife.quorum.general_meeting",
        "orglife",
        "党员大会法定人数（超过有表决权党员的比例）",
        FRACTION,
        MIN,
        "1/2",
        BRANCH,
        "第十七条",
        "",
        "到会人数须超过该比例",
    ),
    RuleDef(
        "orglife.quorum.committee_meeting",
        "orglife",
        "支委会法定人数（不少于委员的比例）",
        FRACTION,
        MIN,
        "1/2",
        BRANCH,
        "第十七条",
        "",
    ),
    RuleDef(
        "orglife.study_hours.member",
        "orglife",
        "党员年度学习学时下限",
        INT,
        MIN,
        32,
        BRANCH,
        "",
        "学时",
    ),
    RuleDef(
        "orglife.study_hours.cadre",
        "orglife",
        "支部书记、支委年度学习学时下限",
        INT,
        MIN,
        56,
        BRANCH,
        "",
        "学时",
    ),
    RuleDef(
        "orglife.branch.min_full_members",
        "orglife",
        "成立党支部的正式党员人数下限",
        INT,
        FIXED,
        3,
        BRANCH,
        "第五条",
        "名",
    ),
    RuleDef(
        "orglife.branch.max_members",
        "orglife",
        "党支部党员人数一般上限",
        INT,
        FIXED,
        50,
        BRANCH,
        "第五条",
        "名",
    ),
    RuleDef(
        "orglife.branch.committee_threshold",
        "orglife",
        "设立支委会的正式党员人数",
        INT,
        FIXED,
        7,
        BRANCH,
        "第八条",
        "名",
    ),
    # ---------------------------------------------------------------- 党费 (RULES §3)
    RuleDef(
        "dues.brackets.employed",
        "dues",
        "在职党员党费比例（按月工资收入，整额适用）",
        BRACKETS,
        FIXED,
        [["3000", "0.005"], ["5000", "0.01"], ["10000", "0.015"], [None, "0.02"]],
        DUES,
        "第一条",
        "",
        "每档上限归入本档；金额四舍五入到分",
    ),
    RuleDef(
        "dues.brackets.retired",
        "dues",
        "离退休党员党费比例（按养老金总额）",
        BRACKETS,
        FIXED,
        [["5000", "0.005"], [None, "0.01"]],
        DUES,
        "第三条",
    ),
    RuleDef(
        "dues.fixed.student",
        "dues",
        "学生党员每月党费",
        DECIMAL,
        FIXED,
        "0.20",
        DUES,
        "第四条",
        "元",
    ),
    RuleDef(
        "dues.fixed.relief",
        "dues",
        "下岗失业、领取最低生活保障党员每月党费",
        DECIMAL,
        FIXED,
        "0.20",
        DUES,
        "第四条",
        "元",
    ),
    RuleDef(
        "dues.farmer.min",
        "dues",
        "农民党员每月党费下限",
        DECIMAL,
        FIXED,
        "0.20",
        DUES,
        "第二条",
        "元",
    ),
    RuleDef(
        "dues.farmer.max",
        "dues",
        "农民党员每月党费上限",
        DECIMAL,
        FIXED,
        "1.00",
        DUES,
        "第二条",
        "元",
    ),
    RuleDef(
        "dues.back_payment_max_months",
        "dues",
        "补交党费一般不超过",
        INT,
        MAX,
        6,
        DUES,
        "第十一条",
        "个月",
        "更早的欠缴须有支部记录在案的决定",
    ),
    RuleDef(
        "dues.arrears_flag_months",
        "dues",
        "连续未交党费提请处置",
        INT,
        MAX,
        6,
        DUES,
        "第十二条",
        "个月",
        "无正当理由连续六个月不交纳党费，按自行脱党处理程序提交支部研究",
    ),
    # ---------------------------------------------------------------- 民主评议 (RULES §4)
    RuleDef(
        "appraisal.excellent_max_fraction",
        "appraisal",
        "评为优秀的党员比例上限",
        FRACTION,
        MAX,
        "1/3",
        APPRAISAL,
        "",
        "",
        "预备党员不评优秀",
    ),
    # ---------------------------------------------------------------- 组织关系转接 (RULES §5)
    RuleDef(
        "transfer.away_months",
        "transfer",
        "外出满多久须转接组织关系",
        INT,
        FIXED,
        6,
        TRANSFER,
        "",
        "个月",
        "不满该期限的作为流动党员登记",
    ),
    RuleDef(
        "transfer.letter_validity_months",
        "transfer",
        "介绍信有效期（省内）",
        INT,
        MAX,
        3,
        TRANSFER,
        "",
        "个月",
    ),
    RuleDef(
        "transfer.letter_validity_months_cross_province",
        "transfer",
        "介绍信有效期（跨省）",
        INT,
        MAX,
        6,
        TRANSFER,
        "",
        "个月",
    ),
    RuleDef(
        "transfer.untransferred_flag_months",
        "transfer",
        "未转接组织关系提示期限",
        INT,
        MAX,
        6,
        TRANSFER,
        "",
        "个月",
    ),
]

# ------------------------------------------------------------------- 党务公开 / 任前公示
_defs.append(
    RuleDef(
        "disclosure.pre_appointment_min_working_days",
        "disclosure",
        "任前公示期下限",
        INT,
        MIN,
        5,
        CADRE,
        "",
        "个工作日",
    )
)

# ------------------------------------------------------------------- 烟草专卖许可 (RULES §7)
LICENSING = "《中华人民共和国行政许可法》"
TOBACCO_LICENCE = "《烟草专卖许可证管理办法》"
_defs.extend(
    [
        RuleDef(
            "licence.notice_workdays",
            "licence",
            "材料不全一次性告知期限",
            INT,
            MAX,
            5,
            LICENSING,
            "第三十二条",
            "个工作日",
            "逾期不告知的，自收到申请材料之日起即为受理",
        ),
        RuleDef(
            "licence.decision_workdays",
            "licence",
            "作出许可决定期限",
            INT,
            MAX,
            20,
            LICENSING,
            "第四十二条",
            "个工作日",
        ),
        RuleDef(
            "licence.extension_workdays",
            "licence",
            "经负责人批准可延长的期限",
            INT,
            MAX,
            10,
            LICENSING,
            "第四十二条",
            "个工作日",
        ),
        RuleDef(
            "licence.delivery_workdays",
            "licence",
            "决定后颁发、送达许可证期限",
            INT,
            MAX,
            10,
            LICENSING,
            "第四十四条",
            "个工作日",
        ),
        RuleDef(
            "licence.renewal_min_days",
            "licence",
            "延续申请须在有效期届满前提出的天数",
            INT,
            MIN,
            30,
            LICENSING,
            "第五十条",
            "天",
        ),
        RuleDef(
            "licence.validity_years",
            "licence",
            "零售许可证有效期",
            INT,
            MAX,
            5,
            TOBACCO_LICENCE,
            "",
            "年",
        ),
        RuleDef(
            "licence.inspection_min_staff",
            "licence",
            "实地核查人员下限",
            INT,
            MIN,
            2,
            TOBACCO_LICENCE,
            "",
            "名",
        ),
        RuleDef(
            "licence.expiry_warning_days",
            "licence",
            "许可证到期提醒提前天数",
            INT,
            MIN,
            60,
            TOBACCO_LICENCE,
            "",
            "天",
            "到期前该天数内列入到期名单并提醒客户经理",
        ),
    ]
)

RULES: dict[str, RuleDef] = {d.key: d for d in _defs}

GROUPS = {
    "development": "发展党员",
    "orglife": "组织生活",
    "dues": "党费收缴",
    "appraisal": "民主评议党员",
    "transfer": "组织关系转接",
    "disclosure": "党务公开",
    "licence": "烟草专卖许可",
}


def definition(key: str) -> RuleDef:
    try:
        return RULES[key]
    except KeyError as exc:
        raise KeyError(f"unknown rule {key!r}") from exc


def national(key: str):
    """The built-in national value of a rule (typed) — for pure functions and their tests."""
    return definition(key).national
