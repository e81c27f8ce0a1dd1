"""Demo 三亮: a card for every member of the demo city (portrait placeholders drawn here),
党员示范岗 on about one card in seven, last year's commitments reviewed and this year's
written by most members (left for the year-end review the secretary does in the demo)."""

from __future__ import annotations

import datetime as dt
import io
import random

from django.core.files.base import ContentFile
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from dangjian.accounts.models import User
from dangjian.exemplar.showcase.models import Commitment, MemberCard
from dangjian.people.models import Person

from .loader import COMMITTEE_CODE

MODEL_POSTS = {
    "客户经理": "优质服务示范岗",
    "专卖稽查员": "规范执法示范岗",
    "送货员": "温馨配送示范岗",
    "窗口人员": "文明窗口示范岗",
    "市场经理": "市场服务示范岗",
}
PROMISES = {
    "客户经理": [
        "全年走访零售客户不少于{n}户，做到“一户一策”",
        "帮助{k}户困难零售客户解决经营难题",
        "客户满意度保持在95%以上",
        "每月开展一次卷烟陈列指导",
    ],
    "专卖稽查员": [
        "坚持规范执法、文明执法，全年零投诉",
        "每月开展市场检查不少于{k}次",
        "向零售客户宣传专卖法规不少于{n}户次",
    ],
    "送货员": [
        "送货准时率达到99%以上",
        "做到“送货到柜、服务到心”，全年零差错",
        "主动收集零售客户意见建议不少于{k}条",
    ],
    "窗口人员": [
        "办证“一次性告知”，做到群众少跑腿",
        "微笑服务，全年无有效投诉",
        "上门为行动不便的客户办证不少于{k}次",
    ],
}
COMMON = [
    "全年学习不少于{h}学时，按时撰写心得体会",
    "按时足额交纳党费，积极参加组织生活",
    "参加志愿服务活动不少于{k}次",
    "带头遵守廉洁从业规定",
]
EVIDENCE = {
    "kept": "经支部核实，承诺事项均已完成：{detail}。",
    "partly": "大部分承诺已完成（{detail}），个别事项因岗位调整未完全兑现，已纳入下年度承诺。",
    "not_kept": "承诺事项完成不理想（{detail}），已进行提醒谈话，要求限期改进。",
}
COLORS = [(178, 34, 34), (60, 90, 150), (70, 120, 90), (120, 80, 140), (150, 110, 60)]


def portrait(rng: random.Random, gender: str) -> bytes:
    """A simple head-and-shoulders placeholder (the demo has no real photos)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 320), (236, 238, 242))
    draw = ImageDraw.Draw(image)
    coat = rng.choice(COLORS)
    draw.ellipse((30, 200, 210, 420), fill=coat)
    draw.polygon([(100, 205), (140, 205), (120, 260)], fill=(250, 250, 250))
    draw.ellipse((70, 70, 170, 190), fill=(238, 205, 175))
    hair = (40, 30, 25)
    if gender == "F":
        draw.pieslice((62, 58, 178, 170), 180, 360, fill=hair)
        draw.rectangle((62, 110, 78, 200), fill=hair)
        draw.rectangle((162, 110, 178, 200), fill=hair)
    else:
        draw.pieslice((66, 60, 174, 150), 180, 360, fill=hair)
    draw.ellipse((196, 228, 214, 246), fill=(230, 190, 40))  # the party badge
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _promise(rng: random.Random, person: Person) -> str:
    pool = PROMISES.get(person.post, [])
    picked = rng.sample(pool, min(len(pool), rng.randint(1, 2))) + rng.sample(COMMON, 2)
    cadre = "书记" in (person.title or "") or "委员" in (person.title or "")
    return "\n".join(
        p.format(n=rng.choice([200, 300, 360]), k=rng.randint(2, 6), h=56 if cadre else 32)
        for p in picked
    )


def seed(rng: random.Random) -> None:
    today = timezone.localdate()
    office = User.objects.get(username="office")
    secretary = User.objects.get(username="secretary")
    people = list(
        Person.objects.filter(membership__branch__code__startswith=COMMITTEE_CODE)
        .select_related("unit", "membership")
        .order_by("pk")
    )
    demo_member = User.objects.get(username="member").person
    for person in people:
        if rng.random() < 0.85 or person == demo_member:
            person.photo.save(f"demo-{person.pk}.jpg", ContentFile(portrait(rng, person.gender)))
    cards = []
    for person in people:
        badge = person.post in MODEL_POSTS and (rng.random() < 0.15 or person == demo_member)
        cards.append(
            MemberCard(
                person=person,
                department=person.unit.name[:50],
                is_model_post=badge,
                model_post_name=MODEL_POSTS.get(person.post, "") if badge else "",
                is_published=rng.random() > 0.03 or person == demo_member,
            )
        )
    cards = bulk_create_with_history(cards, MemberCard, batch_size=500, default_user=office)
    cards = list(MemberCard.objects.filter(person__in=people).select_related("person"))
    commitments = []
    reviewed_at = timezone.make_aware(dt.datetime(today.year, 1, 10, 10, 0))
    for card in cards:
        person = card.person
        # Last year: written in January, reviewed at the year end.
        if rng.random() < 0.9:
            result = rng.choices(["kept", "partly", "not_kept"], weights=[72, 22, 6])[0]
            commitments.append(
                Commitment(
                    card=card,
                    year=today.year - 1,
                    text=_promise(rng, person),
                    result=result,
                    evidence=EVIDENCE[result].format(
                        detail=f"走访客户{rng.randint(180, 380)}户，学习{rng.randint(30, 60)}学时"
                    ),
                    reviewed_by=secretary,
                    reviewed_at=reviewed_at,
                    created_by=person.user or secretary,
                    created_at=timezone.make_aware(dt.datetime(today.year - 1, 1, 15, 9, 0)),
                )
            )
        if rng.random() < 0.82 or person == demo_member:
            commitments.append(
                Commitment(
                    card=card,
                    year=today.year,
                    text=_promise(rng, person),
                    created_by=person.user or secretary,
                    created_at=timezone.make_aware(
                        dt.datetime(today.year, rng.randint(1, 3), rng.randint(1, 28), 9, 0)
                    ),
                )
            )
    bulk_create_with_history(commitments, Commitment, batch_size=500, default_user=secretary)
