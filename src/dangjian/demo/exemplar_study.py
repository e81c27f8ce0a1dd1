"""Demo 比学习: a year of self-study and reflections for every member of the demo city.

The demo member has confirmed and pending self-study, an accepted reflection and one the
secretary returned with a comment. Most members studied; a few in each branch did not (the
branch view's 未学习). Last year's reflections exist too, and this year one member of the
secretary's branch handed in a near-copy of a member of another branch's reflection of last
year — submitted through the service, so the originality check catches it and the review
page shows both texts side by side.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.exemplar.study import originality, services
from dangjian.exemplar.study.models import (
    Reflection,
    ReflectionBand,
    ReflectionVersion,
    SelfStudy,
    StudyKind,
)
from dangjian.orglife.models import Meeting
from dangjian.people.models import Membership

from .loader import COMMITTEE_CODE, _demo_nodes

BOOKS = [
    "《习近平谈治国理政》第四卷",
    "《中国共产党章程》",
    "《中国共产党纪律处分条例》",
    "《中国共产党简史》",
    "《烟草专卖法》及实施条例",
    "《习近平新时代中国特色社会主义思想学习纲要》",
    "《苏区精神》读本",
    "《之江新语》",
]
ONLINE = [
    "网络学院：党的二十大精神专题",
    "网络学院：全面从严治党专题",
    "网络学院：烟草行业高质量发展",
    "网络学院：新时代党支部工作规范",
]
LECTURES = [
    "市公司党委书记专题党课",
    "红色讲解员讲苏区故事",
    "廉洁从业警示教育讲座",
    "营销数字化转型专题讲座",
]
APP = ["学习强国每日答题", "学习强国专题学习"]

# A reflection is one sentence of each group (a few groups twice): random pairs share little.
OPENINGS = [
    "通过参加{topic}，我对党员的责任有了更深的认识。",
    "{month}月，支部组织开展了{topic}，我认真参加并做了笔记。",
    "这次{topic}让我受到了一次深刻的思想洗礼。",
    "围绕{topic}，我结合本职岗位进行了认真思考。",
    "参加{topic}后，我对照党章党规查摆了自身的不足。",
    "作为一名{post}，{topic}给了我很多启发。",
    "在{topic}中，大家畅所欲言，我也谈了自己的体会。",
    "{topic}的内容贴近实际，让我收获颇丰。",
]
THEORY = [
    "坚持用党的创新理论武装头脑，是做好一切工作的根本前提。",
    "理论学习不能浮于表面，必须学深悟透、融会贯通。",
    "全面从严治党永远在路上，党员干部要时刻绷紧纪律这根弦。",
    "苏区干部好作风是我们宝贵的精神财富，要代代相传。",
    "高质量发展离不开高质量党建，党建和业务必须深度融合。",
    "初心易得，始终难守，党员要在平凡岗位上守住本色。",
    "学习的目的全在于运用，要把学习成果转化为推动工作的实际行动。",
    "党的群众路线是我们的生命线和根本工作路线。",
]
WORK = [
    "在走访零售客户时，我发现部分商户对新的订货政策还不熟悉，需要耐心讲解。",
    "专卖市场检查中，我们坚持依法行政、文明执法，把普法宣传融入每一次检查。",
    "物流配送工作看似简单，却直接关系客户对行业的评价，不能有半点马虎。",
    "窗口办证直接面对群众，一次性告知做得好不好，群众感受最直接。",
    "在财务管理岗位上，我始终坚持制度面前人人平等，严把审核关口。",
    "客户经理要当好商户的参谋，帮助他们规范经营、提升效益。",
    "片区里有几户行动不便的老年零售户，我们定期上门送证送服务。",
    "营销数据分析要沉下去，不能只看报表，还要听听一线商户的真实声音。",
]
SELF = [
    "对照先进典型，我感到自己在主动作为方面还有差距。",
    "反思过去一段时间，我的理论学习存在时紧时松的问题。",
    "有时候工作忙了，就放松了对自己的要求，这一点必须改正。",
    "我在服务客户时有时耐心不够，今后要多换位思考。",
    "我的业务技能还需要继续提升，特别是数字化工具的运用。",
    "在带头攻坚克难方面，我做得还不够，需要进一步增强担当意识。",
]
PLANS = [
    "下一步，我将每月至少读一本书，并坚持写读书笔记。",
    "今后我要把每一次走访都当作一次宣传党的政策的机会。",
    "我将主动参加岗位练兵，以过硬的本领服务好每一位客户。",
    "我会严格落实一岗双责，在岗位上亮身份、作表率。",
    "我将把学习体会转化为具体措施，列出清单逐项落实。",
    "我要带头遵守廉洁从业规定，做到干净干事、清白做人。",
]
CLOSINGS = [
    "我将以更加饱满的热情投入工作，为党旗增辉。",
    "以上是我的一点粗浅体会，请支部批评指正。",
    "做一名合格的共产党员，我还在路上。",
    "让党徽在岗位上闪光，这是我的承诺，也是我的行动。",
    "我相信，只要坚持学习、坚持实干，就一定能不负组织的培养。",
]
TITLES = [
    "学习{topic}心得体会",
    "{topic}学习体会",
    "坚定理想信念 做合格党员——{topic}心得",
    "学思践悟 知行合一",
    "在岗位上践行初心使命",
    "从{topic}中汲取奋进力量",
]


def compose(rng: random.Random, *, topic: str, post: str, month: int) -> tuple[str, str]:
    """A title and a reflection text of four to six paragraphs."""
    fill = {"topic": topic, "post": post or "党员", "month": month}
    parts = [
        rng.choice(OPENINGS).format(**fill) + rng.choice(THEORY),
        "".join(rng.sample(WORK, 2)),
        rng.choice(SELF) + rng.choice(THEORY),
        "".join(rng.sample(PLANS, 2)),
        rng.choice(CLOSINGS),
    ]
    return rng.choice(TITLES).format(**fill), "\n\n".join(parts)


def _day(rng, year, today, months=range(1, 13)):
    while True:
        month = rng.choice(list(months))
        day = dt.date(year, month, rng.randint(1, 28))
        if day < today:
            return day


def seed(rng: random.Random) -> None:
    today = timezone.localdate()
    year = today.year
    _company, _committee, own, _area = _demo_nodes()
    secretary = User.objects.get(username="secretary")
    member_user = User.objects.get(username="member")
    kinds = {k.code: k for k in StudyKind.objects.all()}
    topics_of = {
        k: v for k, v in (("book", BOOKS), ("online", ONLINE), ("lecture", LECTURES), ("app", APP))
    }
    memberships = list(
        Membership.objects.filter(
            branch__code__startswith=COMMITTEE_CODE, standing="normal"
        ).select_related("person", "branch")
    )
    meetings: dict[int, list[Meeting]] = {}
    for m in Meeting.objects.filter(
        status=Meeting.Status.HELD, branch__code__startswith=COMMITTEE_CODE
    ).order_by("held_on"):
        meetings.setdefault(m.branch_id, []).append(m)

    # ---- self-study: most members 2–6 entries this year; a few branches' members none.
    entries: list[SelfStudy] = []
    now = timezone.now()
    for ms in memberships:
        person = ms.person
        idle = rng.random() < 0.08 and person.user_id is None
        for _ in range(0 if idle else rng.randint(2, 6)):
            code = rng.choice(["book", "book", "online", "online", "lecture", "app"])
            hours = Decimal(rng.choice(["1", "1.5", "2", "2", "3", "4"]))
            studied = _day(rng, year, today)
            recent = (today - studied).days < 20
            status = (
                SelfStudy.Status.SUBMITTED
                if recent
                else rng.choice([SelfStudy.Status.CONFIRMED] * 9 + [SelfStudy.Status.REJECTED])
            )
            entries.append(
                SelfStudy(
                    person=person,
                    branch=ms.branch,
                    studied_on=studied,
                    topic=rng.choice(topics_of[code]),
                    kind=kinds[code],
                    hours=hours,
                    points=(hours * kinds[code].points_per_hour).quantize(Decimal("0.1")),
                    status=status,
                    review_note="请补充学习笔记或截图" if status == "rejected" else "",
                    reviewed_at=None if status == "submitted" else now,
                    created_at=now,
                )
            )
    SelfStudy.objects.bulk_create(entries, batch_size=2000)

    # ---- reflections: last year and this year, accepted mostly; bands for the check.
    reflections: list[Reflection] = []
    for ms in memberships:
        person = ms.person
        held = meetings.get(ms.branch_id, [])
        for ref_year in (year - 1, year):
            for _ in range(rng.randint(0, 2)):
                meeting = rng.choice(held) if held and ref_year == year else None
                topic = meeting.topic if meeting and meeting.topic else rng.choice(BOOKS)
                day = (
                    meeting.held_on + dt.timedelta(days=rng.randint(1, 6))
                    if meeting
                    else _day(rng, ref_year, today)
                )
                if day >= today:
                    day = today - dt.timedelta(days=1)
                title, text = compose(rng, topic=topic, post=person.post, month=day.month)
                submitted = timezone.make_aware(dt.datetime.combine(day, dt.time(20, 30)))
                pending = ref_year == year and (today - day).days < 15
                reflections.append(
                    Reflection(
                        person=person,
                        branch=ms.branch,
                        year=ref_year,
                        title=title,
                        text=text,
                        meeting=meeting,
                        status=Reflection.Status.SUBMITTED
                        if pending
                        else Reflection.Status.ACCEPTED,
                        submitted_at=submitted,
                        reviewed_at=None if pending else submitted + dt.timedelta(days=2),
                        checked_at=submitted,
                    )
                )
    Reflection.objects.bulk_create(reflections, batch_size=1000)
    created = list(Reflection.objects.filter(branch__code__startswith=COMMITTEE_CODE))
    ReflectionVersion.objects.bulk_create(
        [
            ReflectionVersion(
                reflection=r,
                number=1,
                title=r.title,
                text=r.text,
                submitted_at=r.submitted_at,
                outcome=r.status if r.status != Reflection.Status.SUBMITTED else "",
                reviewed_at=r.reviewed_at,
            )
            for r in created
        ],
        batch_size=1000,
    )
    ReflectionBand.objects.bulk_create(
        [
            ReflectionBand(reflection=r, band_no=no, band_hash=h)
            for r in created
            for no, h in originality.text_bands(r.text)
        ],
        batch_size=5000,
    )

    # ---- the demo member: a returned reflection (with the secretary's comment), pending study.
    member = member_user.person
    own_meetings = meetings.get(own.pk, [])
    if own_meetings:
        meeting = own_meetings[-1]
        _title, text = compose(rng, topic=meeting.topic or "主题党日", post=member.post, month=1)
        first = services.reflection_submit(
            actor=member_user,
            title=f"{meeting.topic or '主题党日'}心得",
            text=text.split("\n\n")[0] + "\n\n" + "这次活动很有意义，我收获很大。",
            meeting=meeting,
        )
        services.reflection_review(
            actor=secretary,
            reflection=first,
            accept=False,
            comment="内容过于简短，请结合客户经理岗位实际，谈谈下一步的具体打算。",
        )
    services.self_study_add(
        actor=member_user,
        studied_on=today - dt.timedelta(days=2),
        topic="网络学院：新时代党支部工作规范",
        kind=kinds["online"],
        hours=Decimal("2"),
    )

    # ---- the caught copy: a member of the secretary's branch hands in, lightly disguised,
    # what a member of another branch wrote last year.
    source = (
        Reflection.objects.filter(year=year - 1)
        .exclude(branch=own)
        .select_related("person")
        .order_by("pk")
        .first()
    )
    copier = next(
        (
            ms
            for ms in memberships
            if ms.branch_id == own.pk and ms.person.user_id is None and ms.person.pk != member.pk
        ),
        None,
    )
    if source is not None and copier is not None:
        copier_user = User.objects.create_user(
            f"demo_copier_{copier.person.pk}", display_name=copier.person.name
        )
        copier_user.set_unusable_password()
        copier_user.is_active = False  # exists only to submit through the service
        copier_user.save()
        copier.person.user = copier_user
        copier.person.save(update_fields=["user"])
        paragraphs = source.text.split("\n\n")
        disguised = "\n\n".join(
            [
                "近期支部组织了集中学习，我认真参加并撰写了这篇体会。",
                *[p.replace("，", "、", 2) for p in paragraphs[1:]],
            ]
        )
        services.reflection_submit(
            actor=copier_user, title="学思践悟 知行合一（学习体会）", text=disguised
        )
