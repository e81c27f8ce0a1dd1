"""Demo 党务公开 and 任前公示: a year of notices, one 任前公示 open now with objections."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.disclosure.models import Notice, Objection
from dangjian.disclosure.rules import public_period_end
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Person

from .loader import _demo_nodes

AFFAIRS = [
    (
        "{year}年第{q}季度党费收缴情况公开",
        "本支部{year}年第{q}季度应缴党费、实缴党费及上缴情况如下，请全体党员监督。",
    ),
    (
        "{year}年度发展党员计划公开",
        "根据上级党委下达的发展党员指导性计划，本支部{year}年度拟发展党员名额及培养对象情况公开如下。",
    ),
    ("支部委员会届中调整情况公开", "经支部党员大会选举并报上级党委批准，支部委员会分工调整如下。"),
    (
        "{year}年民主评议党员结果公开",
        "经个人自评、党员互评、民主测评和组织评定，{year}年度民主评议党员结果公开如下。",
    ),
]


def _notice(org, kind, title, content, starts_on, *, audience="subtree", days=5, **extra):
    end = public_period_end(starts_on, days)
    return Notice(
        kind=kind,
        title=title,
        content=content,
        issuing_org=org,
        audience=audience,
        working_days=days,
        starts_on=starts_on,
        ends_on=end.value,
        ends_on_provisional=end.provisional,
        provisional_reason=end.reason,
        **extra,
    )


def seed(rng: random.Random) -> None:
    _company, committee, branch, _area = _demo_nodes()
    today = timezone.localdate()
    now = timezone.now()
    office = User.objects.get(username="office")
    secretary = User.objects.get(username="secretary")
    member = User.objects.get(username="member")
    candidates = list(
        Person.objects.filter(membership__isnull=False, membership__status="full")
        .exclude(user__isnull=False)
        .order_by("pk")[:40]
    )
    picks = rng.sample(candidates, 4)
    notices: list[Notice] = []

    # 任前公示 by the committee, public, in its period now (started two days ago).
    live = _notice(
        committee,
        Notice.Kind.PRE_APPOINTMENT,
        f"关于{picks[0].name}等同志拟任职务的任前公示",
        f"经市公司党委研究，拟任用以下同志：\n\n{picks[0].name}，现任{picks[0].unit.name}"
        f"{picks[0].post or '职员'}，拟任{picks[0].unit.name}副经理；\n"
        f"{picks[1].name}，现任{picks[1].unit.name}{picks[1].post or '职员'}，拟任专卖稽查大队副大队长。\n\n"
        "公示期间，干部职工可通过来信、来电、来访或本页面反映情况。反映问题要实事求是，"
        "提倡署真实姓名。\n\n联系电话：0797-8888888（市公司党委组织部）",
        today - dt.timedelta(days=2),
        audience=Notice.Audience.PUBLIC,
        status=Notice.Status.PUBLISHED,
        published_at=now - dt.timedelta(days=2),
        created_by=office,
    )
    # 任前公示 closed last month, no objection.
    closed_pre = _notice(
        committee,
        Notice.Kind.PRE_APPOINTMENT,
        f"关于{picks[2].name}同志拟任职务的任前公示",
        f"经市公司党委研究，拟任用{picks[2].name}同志为{picks[2].unit.name}经理。",
        today - dt.timedelta(days=45),
        audience=Notice.Audience.PUBLIC,
        status=Notice.Status.CLOSED,
        result=Notice.Result.NO_OBJECTION,
        result_note="公示期满，未收到异议，按程序办理任职手续。",
        published_at=now - dt.timedelta(days=45),
        closed_at=now - dt.timedelta(days=35),
        created_by=office,
    )
    notices += [live, closed_pre]
    # The secretary's branch: a quarter's dues closed, a plan published now, a draft.
    year = today.year
    for q, starts in ((2, dt.date(year, 7, 6)), (3, dt.date(year, 10, 12))):
        title, content = AFFAIRS[0]
        notices.append(
            _notice(
                branch,
                Notice.Kind.PARTY_AFFAIRS,
                title.format(year=year, q=q),
                content.format(year=year, q=q),
                starts,
                status=Notice.Status.CLOSED
                if starts < today - dt.timedelta(days=10)
                else Notice.Status.PUBLISHED,
                result=Notice.Result.COMPLETED if starts < today - dt.timedelta(days=10) else "",
                created_by=secretary,
            )
        )
    notices.append(
        _notice(
            branch,
            Notice.Kind.PARTY_AFFAIRS,
            AFFAIRS[1][0].format(year=year),
            AFFAIRS[1][1].format(year=year),
            today - dt.timedelta(days=1),
            status=Notice.Status.PUBLISHED,
            published_at=now - dt.timedelta(days=1),
            created_by=secretary,
        )
    )
    notices.append(
        _notice(
            branch,
            Notice.Kind.PARTY_AFFAIRS,
            AFFAIRS[3][0].format(year=year),
            AFFAIRS[3][1].format(year=year),
            today + dt.timedelta(days=3),
            created_by=secretary,
        )
    )
    # Other branches publish too (a few, some closed).
    others = list(
        PartyOrg.objects.filter(kind=PartyOrg.Kind.BRANCH).exclude(pk=branch.pk).order_by("pk")
    )
    for org in rng.sample(others, min(6, len(others))):
        title, content = rng.choice(AFFAIRS)
        q = rng.randint(1, 3)
        starts = today - dt.timedelta(days=rng.randint(20, 200))
        notices.append(
            _notice(
                org,
                Notice.Kind.PARTY_AFFAIRS,
                title.format(year=year, q=q),
                content.format(year=year, q=q),
                starts,
                status=Notice.Status.CLOSED,
                result=Notice.Result.COMPLETED,
            )
        )
    Notice.objects.bulk_create(notices)
    # A committee decision addressed to chosen branches.
    chosen = _notice(
        committee,
        Notice.Kind.PARTY_AFFAIRS,
        "关于表彰优秀共产党员和优秀党务工作者的决定（公示）",
        "经各支部推荐、党委研究，拟表彰以下同志，现予公示。",
        today - dt.timedelta(days=90),
        audience=Notice.Audience.CHOSEN,
        status=Notice.Status.CLOSED,
        result=Notice.Result.OBJECTION_NOT_UPHELD,
        result_note="公示期内收到1条反映，经核实不影响表彰。",
        created_by=office,
    )
    chosen.save()
    chosen.audience_orgs.set([branch, *others[:3]])
    Objection.objects.create(
        notice=chosen,
        content="建议核实其中一名同志的年度考核情况。",
        is_anonymous=True,
        channel=Objection.Channel.MEMBER,
        submitted_at=now - dt.timedelta(days=88),
        status=Objection.Status.CLOSED,
        finding=Objection.Finding.NOT_UPHELD,
        answer="经核实，该同志年度考核为称职，符合表彰条件。",
        answered_by=office,
        answered_at=now - dt.timedelta(days=86),
    )
    # Objections on the live 任前公示: one named from the demo member (open), one anonymous
    # from the public page (answered).
    Objection.objects.bulk_create(
        [
            Objection(
                notice=live,
                content=f"{picks[1].name}同志到现岗位任职不满两年，请组织核实是否符合任职条件。",
                channel=Objection.Channel.MEMBER,
                submitted_by=member,
                submitted_at=now - dt.timedelta(days=1),
            ),
            Objection(
                notice=live,
                content="反映该同志在片区走访中工作作风较好，群众认可，表示支持。",
                is_anonymous=True,
                channel=Objection.Channel.PUBLIC,
                submitted_at=now - dt.timedelta(days=1, hours=3),
                status=Objection.Status.CLOSED,
                finding=Objection.Finding.OUT_OF_SCOPE,
                answer="感谢您的监督，所反映情况已记录。",
                answered_by=office,
                answered_at=now - dt.timedelta(hours=20),
            ),
        ]
    )
