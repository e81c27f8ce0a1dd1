"""Scale data for 比学习 on top of ``demo.scale``: about a million reflections over ``years``
years (a third of the scale members write each month or so), each indexed for the
originality check (32 LSH bands → 32 M band rows), one in a hundred a near-copy of an earlier
one (flagged, with its match), plus self-study entries and 比业绩 events for the bench
secretary's branch.

Texts are random sequences of words from a vocabulary with a stock phrase or two (what real
reflections share), so unrelated texts overlap about as little as real ones. Big batches
through ``scale.insert_objects`` (COPY on PostgreSQL) and ``TableWriter`` for the bands (a
composite primary key: no id to reserve); no history rows, no versions (scale data).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from dangjian.exemplar.contests.models import Contest, Participant
from dangjian.exemplar.study import originality
from dangjian.exemplar.study.models import (
    OriginalityMatch,
    Reflection,
    ReflectionBand,
    SelfStudy,
    StudyKind,
)
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Membership
from dangjian.platform.bulk_write import TableWriter

from .scale import PREFIX, insert_objects

BATCH = 20_000
COPY_SHARE = 0.01
WORDS = [
    "学习",
    "贯彻",
    "落实",
    "党建",
    "引领",
    "发展",
    "服务",
    "客户",
    "零售",
    "终端",
    "营销",
    "专卖",
    "物流",
    "管理",
    "监督",
    "检查",
    "规范",
    "经营",
    "市场",
    "卷烟",
    "品牌",
    "订单",
    "货源",
    "投放",
    "价格",
    "诚信",
    "合规",
    "廉洁",
    "作风",
    "纪律",
    "担当",
    "作为",
    "奉献",
    "初心",
    "使命",
    "理想",
    "信念",
    "宗旨",
    "群众",
    "基层",
    "支部",
    "党员",
    "干部",
    "组织",
    "生活",
    "会议",
    "讨论",
    "交流",
    "批评",
    "自我",
    "整改",
    "问题",
    "清单",
    "措施",
    "责任",
    "岗位",
    "示范",
    "标兵",
    "先锋",
    "模范",
    "榜样",
    "典型",
    "经验",
    "做法",
    "成效",
    "提升",
    "改进",
    "创新",
    "融合",
    "协同",
    "推进",
    "部署",
    "安排",
    "计划",
    "目标",
    "任务",
    "考核",
    "评价",
    "激励",
    "约束",
    "制度",
    "机制",
    "流程",
    "标准",
    "质量",
    "效率",
    "效益",
    "数据",
    "分析",
    "信息",
    "系统",
    "平台",
    "数字",
    "智能",
    "转型",
    "升级",
    "走访",
    "调研",
    "倾听",
    "帮扶",
    "解难",
    "送证",
    "上门",
    "便民",
    "窗口",
    "办证",
    "许可",
    "审批",
    "告知",
    "一次",
    "材料",
    "时限",
    "承诺",
    "兑现",
    "满意",
    "投诉",
    "建议",
    "回访",
    "跟踪",
    "闭环",
    "乡村",
    "振兴",
    "扶贫",
    "志愿",
    "公益",
    "社区",
    "家庭",
    "困难",
    "老人",
    "残疾",
    "关爱",
    "温暖",
    "真情",
    "用心",
    "耐心",
    "细心",
    "热心",
    "诚心",
    "安全",
    "生产",
    "隐患",
    "排查",
    "防范",
    "风险",
    "防控",
    "应急",
    "演练",
    "培训",
    "技能",
    "比武",
    "竞赛",
    "练兵",
    "知识",
    "理论",
    "政策",
    "法规",
    "条例",
    "章程",
    "准则",
    "精神",
    "思想",
    "觉悟",
    "修养",
    "党性",
    "锤炼",
    "淬炼",
    "磨砺",
    "成长",
    "进步",
    "提高",
    "认识",
    "体会",
    "感悟",
    "收获",
    "启发",
    "思考",
    "反思",
    "对照",
    "查摆",
    "差距",
    "不足",
    "短板",
    "弱项",
    "补齐",
    "加强",
    "巩固",
    "拓展",
    "深化",
    "细化",
    "实化",
    "量化",
    "具体",
    "扎实",
    "务实",
    "求实",
    "踏实",
    "认真",
    "严格",
    "严谨",
    "周密",
    "细致",
    "全面",
    "系统",
    "重点",
    "难点",
    "热点",
    "焦点",
    "关键",
    "核心",
    "根本",
    "基础",
    "前提",
    "保障",
    "支撑",
    "动力",
    "活力",
    "能力",
    "水平",
    "素质",
    "本领",
    "队伍",
    "人才",
    "骨干",
    "青年",
    "新兵",
    "师傅",
    "徒弟",
    "传帮带",
    "结对",
    "互助",
    "合作",
    "团结",
    "和谐",
    "氛围",
    "文化",
    "阵地",
    "宣传",
    "教育",
    "引导",
    "示范岗",
    "责任区",
    "先锋岗",
    "攻坚",
    "克难",
    "突破",
    "亮点",
    "特色",
    "品牌化",
    "标准化",
    "规范化",
    "精细化",
    "信息化",
    "常态化",
    "长效化",
]
STOCK = [
    "习近平新时代中国特色社会主义思想",
    "不忘初心牢记使命",
    "全心全意为人民服务",
    "全面从严治党永远在路上",
    "以高质量党建引领高质量发展",
    "党建和业务深度融合",
    "学思用贯通知信行统一",
    "苏区干部好作风",
    "在岗位上亮身份作表率",
    "做一名合格的共产党员",
    "坚持以人民为中心的发展思想",
    "把学习成果转化为工作实效",
]
PUNCT = "，，，，。、；"


def _text(rng: random.Random, n_words: int) -> str:
    parts: list[str] = []
    for i in range(n_words):
        parts.append(rng.choice(WORDS))
        if i % rng.randint(4, 9) == 0:
            parts.append(rng.choice(PUNCT))
    for _ in range(rng.randint(1, 2)):
        parts.insert(rng.randrange(len(parts) + 1), "，" + rng.choice(STOCK) + "，")
    return "".join(parts).strip("，、；") + "。"


def _near_copy(rng: random.Random, source: str) -> str:
    """60–100 % of the source, lightly disguised, with some words of one's own."""
    keep = rng.uniform(0.6, 1.0)
    start = rng.randint(0, int(len(source) * (1 - keep)))
    copied = source[start : start + int(len(source) * keep)].replace("，", " ", 3)
    return _text(rng, rng.randint(5, 20)) + copied


def generate(*, years: int = 5, seed: int = 13, total: int | None = None, log=print) -> dict:
    """Add ``total`` reflections (bands, flagged copies) and a year of self-study and
    events to the scale members; returns counts. ``total`` defaults to about seven
    reflections per member and year, at most a million (the national bench)."""
    rng = random.Random(seed)
    started = time.monotonic()
    today = timezone.localdate()
    members = list(
        Membership.objects.filter(branch__code__startswith=f"{PREFIX}-")
        .order_by("person_id")
        .values_list("person_id", "branch_id")
    )
    if not members:
        return {"reflections": 0}
    if total is None:
        total = min(1_000_000, len(members) * 7 * years)
    bench = PartyOrg.objects.filter(code=f"{PREFIX}-O0-0-0-0").values_list("pk", flat=True).first()
    bench_roll = [m for m in members if m[1] == bench]
    band_writer = TableWriter(ReflectionBand)
    counts = {"reflections": 0, "reflection_bands": 0, "copies": 0, "self_study": 0}
    sources: list[tuple[int, str]] = []  # a reservoir of earlier texts to copy from
    per_year = total // years
    for year in range(today.year - years + 1, today.year + 1):
        last_day = min(dt.date(year, 12, 31), today - dt.timedelta(days=1))
        span = (last_day - dt.date(year, 1, 1)).days
        for start in range(0, per_year, BATCH):
            size = min(BATCH, per_year - start)
            rows: list[Reflection] = []
            copies: list[int | None] = []
            for _ in range(size):
                person_id, branch_id = rng.choice(members)
                day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, span))
                source = rng.choice(sources) if sources and rng.random() < COPY_SHARE else None
                text = _near_copy(rng, source[1]) if source else _text(rng, rng.randint(50, 110))
                recent = (today - day).days < 30
                status = (
                    rng.choice(["submitted", "submitted", "returned"]) if recent else "accepted"
                )
                submitted = timezone.make_aware(dt.datetime.combine(day, dt.time(20)))
                rows.append(
                    Reflection(
                        person_id=person_id,
                        branch_id=branch_id,
                        year=year,
                        title=f"{year}年学习心得体会（{rng.choice(STOCK)[:8]}）",
                        text=text,
                        status=status,
                        submitted_at=submitted,
                        reviewed_at=None if status == "submitted" else submitted,
                        checked_at=submitted,
                    )
                )
                copies.append(source[0] if source else None)
            bands: list[list[tuple[int, int]]] = [originality.text_bands(r.text) for r in rows]
            texts = dict(sources)
            figures: dict[int, tuple[float, float]] = {}
            for index, (r, source_id) in enumerate(zip(rows, copies, strict=True)):
                if source_id is None:
                    continue
                mine = originality.shingles(originality.normalise(r.text))
                theirs = originality.shingles(originality.normalise(texts[source_id]))
                figures[index] = (
                    originality.jaccard(mine, theirs),
                    originality.containment(mine, theirs),
                )
                r.similarity = round(figures[index][1], 4)
                r.flagged = r.similarity >= 0.5
                if rng.random() < 0.05 and bench_roll:  # some land in the bench branch
                    r.person_id, r.branch_id = rng.choice(bench_roll)
            with transaction.atomic():
                insert_objects(Reflection, rows, batch=BATCH)
                counts["reflection_bands"] += band_writer.write(
                    (
                        {"reflection_id": r.pk, "band_no": no, "band_hash": h}
                        for r, rb in zip(rows, bands, strict=True)
                        for no, h in rb
                    ),
                    batch=BATCH * 32,
                )
                insert_objects(
                    OriginalityMatch,
                    [
                        OriginalityMatch(
                            reflection_id=rows[index].pk,
                            version=1,
                            source_id=copies[index],
                            jaccard=round(jaccard, 4),
                            containment=round(containment, 4),
                            flagged=containment >= 0.5,
                        )
                        for index, (jaccard, containment) in figures.items()
                    ],
                )
            counts["copies"] += len(figures)
            counts["reflections"] += len(rows)
            # Keep a sample of texts (not all: a million texts do not fit comfortably in memory).
            for r in rows[:: max(1, len(rows) // 500)]:
                if len(sources) < 20_000:
                    sources.append((r.pk, r.text))
                else:
                    sources[rng.randrange(len(sources))] = (r.pk, r.text)
            log(
                f"[{time.monotonic() - started:7.1f}s] {year}: {counts['reflections']} "
                f"reflections, {counts['reflection_bands']} bands, {counts['copies']} copies"
            )
    counts.update(_self_study_and_contests(rng, members, today))
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            for model in (Reflection, ReflectionBand, OriginalityMatch, SelfStudy):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return counts


def _self_study_and_contests(rng, members, today) -> dict:
    """This year's self-study for every tenth member, and 比业绩 events of the bench branch."""
    kinds = list(StudyKind.objects.exclude(code="collective"))
    entries = []
    for person_id, branch_id in members[::10]:
        for _ in range(rng.randint(1, 5)):
            kind = rng.choice(kinds)
            hours = Decimal(rng.choice(["1", "2", "3"]))
            entries.append(
                SelfStudy(
                    person_id=person_id,
                    branch_id=branch_id,
                    studied_on=today - dt.timedelta(days=rng.randint(1, 300)),
                    topic=rng.choice(STOCK),
                    kind=kind,
                    hours=hours,
                    points=hours * kind.points_per_hour,
                    status=rng.choice(["confirmed", "confirmed", "submitted"]),
                )
            )
    insert_objects(SelfStudy, entries)
    branch = PartyOrg.objects.filter(code=f"{PREFIX}-O0-0-0-0").first()
    contests = participants = 0
    if branch is not None:
        roll = [p for p, b in members if b == branch.pk]
        events = [
            Contest(
                kind=rng.choice(["drill", "contest"]),
                name=f"规模测试岗位练兵{i + 1}",
                organiser=branch,
                business_line=rng.choice(["sales", "monopoly", "logistics"]),
                held_on=today - dt.timedelta(days=30 * i + 5),
                status="published",
            )
            for i in range(24)
        ]
        insert_objects(Contest, events)
        rows = []
        for event in events:
            for rank, person_id in enumerate(rng.sample(roll, min(len(roll), 12)), start=1):
                rows.append(
                    Participant(
                        contest=event,
                        person_id=person_id,
                        branch=branch,
                        score=Decimal(100 - rank * 3),
                        rank=rank,
                        award=event.award_for(rank),
                    )
                )
        insert_objects(Participant, rows)
        contests, participants = len(events), len(rows)
    return {"self_study": len(entries), "contests": contests, "participants": participants}


STATIC_CASES: list[tuple[str, str, str]] = [
    ("比学习 心得体会 列表", "office", "/exemplar/study/reflections/"),
    ("比学习 心得体会 疑似抄袭", "office", "/exemplar/study/reflections/?flagged=on"),
    ("比学习 心得体会 支部书记", "secretary", "/exemplar/study/reflections/"),
    ("比学习 我的学习", "member", "/exemplar/study/"),
    ("比学习 自学确认", "secretary", "/exemplar/study/self/"),
    ("比学习 支部列表", "office", "/exemplar/study/branches/"),
    ("比业绩 列表", "office", "/exemplar/contests/"),
    ("比业绩 我的参赛", "member", "/exemplar/contests/mine/"),
    ("比学习 API 心得体会列表", "office", "/api/v1/study/reflections"),
]


class _Cases:
    """``BENCH_CASES``: the static pages and those of the bench branch (the review page of a
    flagged reflection, the branch's study and contest views), ids found when iterated."""

    def __iter__(self):
        yield from STATIC_CASES
        branch = PartyOrg.objects.filter(code=f"{PREFIX}-O0-0-0-0").first()
        if branch is None:
            return
        yield ("比学习 支部学习情况", "secretary", f"/exemplar/study/branches/{branch.pk}/")
        yield ("比业绩 支部成绩", "secretary", f"/exemplar/contests/branches/{branch.pk}/")
        flagged = Reflection.objects.filter(branch=branch, flagged=True).order_by("-pk").first()
        if flagged is not None:
            url = f"/exemplar/study/reflections/{flagged.pk}/"
            yield ("比学习 审阅页 疑似抄袭（并排对照）", "secretary", url)
            yield ("比学习 审阅页 疑似抄袭（党建办）", "office", url)
        contest = Contest.objects.filter(organiser=branch).order_by("-held_on").first()
        if contest is not None:
            yield ("比业绩 成绩详情", "secretary", f"/exemplar/contests/{contest.pk}/")


BENCH_CASES = _Cases()
