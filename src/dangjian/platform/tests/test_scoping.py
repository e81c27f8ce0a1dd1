"""The one scoping mechanism: subtree reach, deny by default, own-only roles."""

import datetime as dt

import pytest
from django.db.models import Q

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.customers.models import RetailCustomer
from dangjian.orgs.models import PartyOrg, Unit
from dangjian.people.models import Membership, Person


def names(qs):
    return sorted(str(x) for x in qs)


def test_office_sees_the_whole_company(cast):
    assert Person.objects.restrict(cast.office).count() == Person.objects.count()
    assert RetailCustomer.objects.restrict(cast.office).count() == 3


def test_secretary_sees_only_his_branch_members(cast):
    people = Person.objects.restrict(cast.secretary)
    assert names(people) == ["单雄信", "张三", "李四"]


def test_outsider_sees_nothing_of_the_other_branch(cast):
    assert not Person.objects.restrict(cast.outsider).filter(pk=cast.people.member.pk).exists()
    assert (
        not RetailCustomer.objects.restrict(cast.outsider)
        .filter(pk=cast.customers.east.pk)
        .exists()
    )
    assert names(RetailCustomer.objects.restrict(cast.outsider)) == [str(cast.customers.west)]


def test_member_sees_only_himself(cast):
    assert names(Person.objects.restrict(cast.member)) == ["李四"]
    assert Membership.objects.restrict(cast.member).get().person == cast.people.member


def test_account_manager_sees_customers_of_his_area_only(cast):
    assert names(RetailCustomer.objects.restrict(cast.manager)) == [str(cast.customers.east)]
    assert not Person.objects.restrict(cast.manager).exists()


def test_auditor_reads_but_cannot_change(cast):
    assert RetailCustomer.objects.restrict(cast.auditor).count() == 3
    assert not RetailCustomer.objects.restrict(cast.auditor, "change").exists()
    assert not Person.objects.restrict(cast.auditor, "reveal").exists()


def test_user_without_grants_gets_nothing(cast):
    nobody = User.objects.create_user("nobody", password="x")
    assert not Unit.objects.restrict(nobody).exists()
    assert not PartyOrg.objects.restrict(nobody).exists()
    assert not Person.objects.restrict(nobody).exists()


def test_anonymous_gets_nothing(cast):
    from django.contrib.auth.models import AnonymousUser

    assert not RetailCustomer.objects.restrict(AnonymousUser()).exists()


def test_secretary_sees_the_units_his_branch_covers(cast):
    assert names(Unit.objects.restrict(cast.secretary)) == sorted(["东湖城区片区", "东湖县局"])


def test_subtree_filter_is_one_query(cast, django_assert_num_queries):
    user = User.objects.get(pk=cast.manager.pk)
    with django_assert_num_queries(2):  # grants, then the restricted list
        list(RetailCustomer.objects.restrict(user))


# --- Grants across the branch↔unit link: resolved to literal ids, reaching the same rows ----


def _reach_through_joins(user, action, model):
    """What ``restrict`` returned before links were resolved to ids: ``<path>__in=<subtree>``
    per grant (joins through the link table), de-duplicated."""
    from dangjian.platform.scoping import grants_for, model_label

    label, scope = model_label(model), model.scope
    condition = None
    for grant in grants_for(user):
        if not grant.allows(label, action):
            continue
        if label in grant.own_only:
            part = Q(**{scope.own: user}) if scope.own else None
        else:
            path = scope.unit if grant.tree == "unit" else scope.party
            part = Q(**{f"{path}__in": grant.subtree}) if path else None
        if part is not None:
            condition = part if condition is None else condition | part
    if condition is None:
        return set()
    return set(model._base_manager.filter(condition).values_list("pk", flat=True))


def _linked_models():
    from dangjian.warmth.tickets.models import Ticket
    from dangjian.warmth.visits.models import Discussion
    from dangjian.workcalendar.models import LocalDay

    return [RetailCustomer, Unit, PartyOrg, Ticket, LocalDay, Discussion]


def _linked_rows(cast):
    """A ticket in each bureau and its area, and a 东湖 discussion (a branch → units link)."""
    from dangjian.warmth.tickets import services as ticket_services
    from dangjian.warmth.tickets.models import TicketCategory
    from dangjian.warmth.visits.models import Discussion

    category = TicketCategory.objects.first()
    for unit in (cast.city.east, cast.city.east_area, cast.city.west, cast.city.west_area):
        ticket_services.ticket_create(
            actor=cast.office,
            channel="phone",
            kind="complaint",
            category=category,
            unit=unit,
            contact_name="王小明",
            contact_phone="13800000000",
            subject=f"{unit.name}诉求",
            text="内容",
        )
    from dangjian.workcalendar.models import LocalDay

    for branch in (cast.city.east_branch, cast.city.west_branch):
        Discussion.objects.create(
            branch=branch, held_on=dt.date(2026, 11, 2), topics="恳谈", measures="改进"
        )
    for unit in (cast.city.east, cast.city.west_area, cast.city.company):
        LocalDay.objects.create(unit=unit, date=dt.date(2026, 12, 1), name=f"{unit.name}值班")


@pytest.mark.parametrize("who", ["office", "auditor", "secretary", "member", "manager", "outsider"])
def test_linked_grants_reach_the_same_rows_as_the_joins_did(cast, who):
    _linked_rows(cast)
    user = User.objects.get(pk=getattr(cast, who).pk)
    for model in _linked_models():
        for action in ("view", "change"):
            expected = _reach_through_joins(user, action, model)
            got = set(model.objects.restrict(user, action).values_list("pk", flat=True))
            assert got == expected, (who, model.__name__, action)


def test_a_branch_grant_filters_on_the_literal_list_of_its_units(cast):
    from dangjian.warmth.tickets.models import Ticket

    _linked_rows(cast)
    user = User.objects.get(pk=cast.secretary.pk)
    for model in (RetailCustomer, Ticket):
        sql = str(model.objects.restrict(user).query)
        assert "orgs_partyorg_units" not in sql and "orgs_partyorg" not in sql
        assert f"IN ({cast.city.east.pk}, {cast.city.east_area.pk})" in sql or (
            f"IN ({cast.city.east_area.pk}, {cast.city.east.pk})" in sql
        )
    subjects = sorted(Ticket.objects.restrict(user).values_list("subject", flat=True))
    assert subjects == ["东湖县局诉求", "东湖城区片区诉求"]


def test_the_branch_units_are_resolved_once_per_request(cast, django_assert_num_queries):
    from dangjian.warmth.tickets.models import Ticket

    user = User.objects.get(pk=cast.secretary.pk)
    with django_assert_num_queries(3):  # grants, the branch's units, the list
        list(RetailCustomer.objects.restrict(user))
    with django_assert_num_queries(2):  # the same grant object: two lists, no new lookup
        list(Ticket.objects.restrict(user))
        list(Unit.objects.restrict(user))


def test_many_linked_units_stay_a_subquery_with_the_same_rows(cast, monkeypatch):
    from dangjian.platform import scoping

    monkeypatch.setattr(scoping, "LINKED_IDS_LIMIT", 1)  # 东湖's branch covers two units
    user = User.objects.get(pk=cast.secretary.pk)
    qs = RetailCustomer.objects.restrict(user)
    assert "orgs_partyorg_units" in str(qs.query)
    assert names(qs) == sorted([str(cast.customers.east), str(cast.customers.east_bureau)])
    assert set(qs.values_list("pk", flat=True)) == _reach_through_joins(
        user, "view", RetailCustomer
    )


def test_a_grant_on_the_party_root_is_not_resolved_to_ids(cast, django_assert_num_queries):
    committee = User.objects.create_user("committee_only", password="x")
    RoleGrant.objects.create(user=committee, role=Role.OFFICE, party_org=cast.city.committee)
    with django_assert_num_queries(2):  # grants, the list (the link stays a subquery)
        got = set(RetailCustomer.objects.restrict(committee).values_list("pk", flat=True))
    assert got == _reach_through_joins(committee, "view", RetailCustomer)
    assert len(got) == 3


# ---------------------------------------------------------------------------------------
# Every URL in the URL map, walked: anonymous → login (401 on the API), an outsider (the
# other branch) → 404 or nothing of 东湖, the owner → 200. A URL missing from COVERAGE fails.
# ---------------------------------------------------------------------------------------

import io  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

from django.core.files.base import ContentFile  # noqa: E402
from django.urls import URLResolver, get_resolver, reverse  # noqa: E402

from dangjian.accounts.models import ApiToken, RoleGrant  # noqa: E402

EAST_MARKERS = ("东湖", "张三", "李四", "单雄信", "曾小贤", "360101000001")

# Reachable without logging in, on purpose.
PUBLIC = {
    "healthz",
    "login/",
    "logout/",
    "i18n/setlang/",
    "api/v1/openapi.json",
    "api/v1/docs",
    "api/v1/auth/token",
}


def _routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


@dataclass
class Case:
    """One URL with the cast's expectations.

    ``url``: builds the path from the cast (east objects); ``owner``: the user who must get
    ``owner_status``; ``outsider``: 404, or "absent" (200 without any 东湖 data), or a status.
    """

    url: Any
    owner: str = "office"
    owner_status: int = 200
    outsider: Any = 404
    method: str = "get"
    data: Any = None
    setup: Any = None


def _photo(cast):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buf, "JPEG")
    cast.people.member.photo.save("p.jpg", ContentFile(buf.getvalue()))


def _east_grant(cast):
    return RoleGrant.objects.get(user=cast.secretary).pk


def r(name, *args):
    return lambda cast: reverse(name, args=[a(cast) if callable(a) else a for a in args])


def pk_of(path):
    def get(cast):
        obj = cast
        for part in path.split("."):
            obj = getattr(obj, part)
        return obj.pk

    return get


east_unit = pk_of("city.east")
east_branch = pk_of("city.east_branch")
east_person = pk_of("people.member")
east_customer = pk_of("customers.east")

COVERAGE: dict[str, list[Case]] = {
    "": [Case(r("home:index"), outsider="absent")],
    "orgs/units/": [Case(r("orgs:unit_tree"), outsider="absent")],
    "orgs/party/": [Case(r("orgs:party_tree"), outsider="absent")],
    "orgs/<str:tree>/export/": [
        Case(r("orgs:export", "unit"), outsider=404),
        Case(r("orgs:export", "party"), owner="auditor", owner_status=404, outsider=404),
    ],
    "orgs/<str:tree>/<int:pk>/": [
        Case(r("orgs:detail", "unit", east_unit), owner="secretary"),
        Case(r("orgs:detail", "party", east_branch), owner="member"),
    ],
    "orgs/<str:tree>/<int:pk>/children/": [
        Case(r("orgs:children", "unit", east_unit), owner="secretary"),
        Case(r("orgs:children", "party", east_branch), owner="secretary"),
    ],
    "orgs/<str:tree>/<int:pk>/edit/": [
        Case(r("orgs:edit", "party", east_branch), owner="secretary"),
        Case(r("orgs:edit", "unit", east_unit), owner="office"),
    ],
    "orgs/<str:tree>/<int:pk>/move/": [Case(r("orgs:move", "unit", east_unit))],
    "orgs/<str:tree>/<int:pk>/add/": [Case(r("orgs:add_child", "party", east_branch))],
    "people/": [Case(r("people:list"), owner="secretary", outsider="absent")],
    "people/export/": [Case(r("people:export"), owner="secretary", outsider="absent")],
    "people/new/": [Case(r("people:create"), owner="secretary", outsider="absent")],
    "people/me/": [Case(r("people:me"), owner="member", owner_status=302, outsider=302)],
    "people/<int:pk>/": [Case(r("people:detail", east_person), owner="member")],
    "people/<int:pk>/edit/": [Case(r("people:edit", east_person), owner="secretary")],
    "people/<int:pk>/photo/": [
        Case(r("people:photo", east_person), owner="member", setup=_photo),
    ],
    "people/<int:pk>/reveal/<str:field>/": [
        Case(r("people:reveal", east_person, "id_number"), owner="member", method="post"),
    ],
    "customers/": [Case(r("customers:list"), owner="manager", outsider="absent")],
    "customers/export/": [Case(r("customers:export"), owner="manager", outsider="absent")],
    "customers/new/": [Case(r("customers:create"), owner="manager", outsider="absent")],
    "customers/<int:pk>/": [Case(r("customers:detail", east_customer), owner="manager")],
    "customers/<int:pk>/edit/": [Case(r("customers:edit", east_customer), owner="manager")],
    "customers/<int:pk>/reveal/<str:field>/": [
        Case(r("customers:reveal", east_customer, "phone"), owner="manager", method="post"),
    ],
    "accounts/grants/": [Case(r("accounts:grants"), owner="auditor")],
    "accounts/grants/new/": [Case(r("accounts:grant_create"))],
    "accounts/grants/<int:pk>/": [Case(r("accounts:grant_detail", _east_grant))],
    "accounts/grants/<int:pk>/revoke/": [
        Case(r("accounts:grant_revoke", _east_grant), method="post", owner_status=302)
    ],
    "accounts/access-log/": [Case(r("accounts:access_log"), owner="auditor")],
    # The API: bearer token, 401 without one.
    "api/v1/": [Case(lambda c: "/api/v1/", owner_status=200, outsider=200)],
    "api/v1/units": [Case(lambda c: "/api/v1/units", owner="secretary", outsider="absent")],
    "api/v1/units/<unit_id>": [
        Case(lambda c: f"/api/v1/units/{c.city.east.pk}", owner="secretary")
    ],
    "api/v1/party-orgs": [
        Case(lambda c: "/api/v1/party-orgs", owner="secretary", outsider="absent")
    ],
    "api/v1/party-orgs/<org_id>": [
        Case(lambda c: f"/api/v1/party-orgs/{c.city.east_branch.pk}", owner="secretary")
    ],
    "api/v1/people": [Case(lambda c: "/api/v1/people", owner="secretary", outsider="absent")],
    "api/v1/people/<person_id>": [
        Case(lambda c: f"/api/v1/people/{c.people.member.pk}", owner="member")
    ],
    "api/v1/people/<person_id>/reveal": [
        Case(
            lambda c: f"/api/v1/people/{c.people.member.pk}/reveal",
            owner="member",
            method="post",
            data={"field": "id_number"},
        )
    ],
    "api/v1/customers": [Case(lambda c: "/api/v1/customers", owner="manager", outsider="absent")],
    "api/v1/customers/<customer_id>": [
        Case(lambda c: f"/api/v1/customers/{c.customers.east.pk}", owner="manager")
    ],
    "api/v1/customers/<customer_id>/reveal": [
        Case(
            lambda c: f"/api/v1/customers/{c.customers.east.pk}/reveal",
            owner="manager",
            method="post",
            data={"field": "phone"},
        )
    ],
}


# --- rows for the URLs other modules added (imports, jobs, notifications, calendar) -------


def _notification(cast):
    from dangjian.notifications.models import Message, Notification

    message = Message.objects.create(kind="test", subject="东湖支部会议通知", body="请准时参加")
    return Notification.objects.create(user=cast.member, message=message).pk


def _target(cast):
    from dangjian.notifications.models import NotificationTarget

    return NotificationTarget.objects.create(
        name="东湖县局值班群",
        channel="webhook",
        address="http://127.0.0.1:9/hook",
        unit=cast.city.east,
    ).pk


def _delivery(cast):
    from dangjian.notifications.models import Delivery, Message

    message = Message.objects.create(kind="test", subject="东湖支部会议通知", body="x")
    return Delivery.objects.create(
        message=message, user=cast.member, channel="console", status="failed"
    ).pk


def _template(cast):
    from dangjian.notifications.models import MessageTemplate

    return MessageTemplate.objects.get_or_create(
        kind="scoping-test", defaults={"name": "东湖测试模板", "subject": "s", "body": "b"}
    )[0].pk


def _job(cast):
    from dangjian.platform.jobs import job_attach_file
    from dangjian.platform.models import Job

    job = Job.objects.create(kind="test", title="东湖客户导入", started_by=cast.secretary)
    path = job_attach_file(job, "result.csv", download_name="结果.csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("ok")
    job.save()
    return job.pk


def _local_day(cast):
    import datetime as dt

    from dangjian.workcalendar.models import LocalDay

    return LocalDay.objects.create(
        unit=cast.city.east, date=dt.date(2026, 5, 6), name="东湖县庆"
    ).pk


def _url(template, make):
    return lambda cast: template.format(make(cast))


COVERAGE.update(
    {
        "customers/import/": [Case(r("customers:import"), outsider=404)],
        "customers/import/template/": [Case(r("customers:import_template"), outsider=404)],
        "orgs/<str:tree>/import/": [
            Case(r("orgs:import", "unit"), outsider=404),
            Case(r("orgs:import", "party"), outsider=404),
        ],
        "jobs/": [Case(r("platform:job_list"), owner="secretary", outsider="absent")],
        "jobs/<int:pk>/": [Case(_url("/jobs/{}/", _job), owner="secretary")],
        "jobs/<int:pk>/download/": [Case(_url("/jobs/{}/download/", _job), owner="secretary")],
        "notifications/": [Case(r("notifications:inbox"), owner="member", outsider="absent")],
        "notifications/bell/": [Case(r("notifications:bell"), owner="member", outsider=200)],
        "notifications/<int:pk>/read/": [
            Case(
                _url("/notifications/{}/read/", _notification),
                owner="member",
                owner_status=302,
                method="post",
            )
        ],
        "notifications/read-all/": [
            Case(
                r("notifications:mark_all_read"),
                owner="member",
                owner_status=302,
                outsider=302,
                method="post",
            )
        ],
        "notifications/preferences/": [
            Case(r("notifications:preferences"), owner="member", outsider=200)
        ],
        "notifications/deliveries/": [
            Case(r("notifications:delivery_log"), setup=_delivery, outsider=404)
        ],
        "notifications/deliveries/<int:pk>/retry/": [
            Case(
                _url("/notifications/deliveries/{}/retry/", _delivery),
                owner_status=302,
                method="post",
            )
        ],
        "notifications/targets/": [
            Case(r("notifications:target_list"), setup=_target, outsider=404)
        ],
        "notifications/targets/new/": [Case(r("notifications:target_create"), outsider=404)],
        "notifications/targets/<int:pk>/": [Case(_url("/notifications/targets/{}/", _target))],
        "notifications/targets/<int:pk>/test/": [
            Case(_url("/notifications/targets/{}/test/", _target), owner_status=302, method="post")
        ],
        "notifications/reminders/": [Case(r("notifications:reminder_list"), outsider=404)],
        "notifications/reminders/new/": [Case(r("notifications:reminder_create"), outsider=404)],
        "notifications/templates/": [Case(r("notifications:template_list"), outsider=404)],
        "notifications/templates/<int:pk>/": [
            Case(_url("/notifications/templates/{}/", _template))
        ],
        "calendar/": [Case(r("workcalendar:month"), owner="secretary", outsider=200)],
        "calendar/pdf/": [
            Case(lambda c: f"/calendar/pdf/?unit={c.city.east.pk}", owner="secretary")
        ],
        "calendar/units/<int:unit_pk>/days/new/": [Case(r("workcalendar:day_add", east_unit))],
        "calendar/units/<int:unit_pk>/hours/": [Case(r("workcalendar:hours_edit", east_unit))],
        "calendar/days/<int:pk>/delete/": [
            Case(_url("/calendar/days/{}/delete/", _local_day), owner_status=302, method="post")
        ],
    }
)


def _east_rule(cast):
    from dangjian.rulebook.models import Rule

    Rule.objects.create(
        key="dev.activist_min_months",
        value=18,
        level="local",
        party_org=cast.city.east_branch,
        effective_from="2026-01-01",
        source_document="东湖县局党支部补充规定",
    )


COVERAGE.update(
    {
        "rules/": [Case(r("rulebook:list"), owner="member", setup=_east_rule, outsider="absent")],
        "rules/<str:key>/": [
            Case(
                r("rulebook:detail", "dev.activist_min_months"),
                owner="member",
                setup=_east_rule,
                outsider="absent",
            )
        ],
        "rules/<str:key>/new/": [Case(r("rulebook:version_create", "dev.min_age"))],
    }
)


def _dues(cast):
    """A base, a paid month and an open arrears flag for the east member."""
    import datetime as dt

    from dangjian.dues.models import ArrearsFlag, DuesBase, DuesPayment

    person = cast.people.member
    DuesBase.objects.create(
        person=person, effective_month=dt.date(2024, 1, 1), category="employed", amount=4000
    )
    DuesPayment.objects.create(
        person=person,
        month=dt.date(2024, 1, 1),
        due=40,
        amount=40,
        paid_on=dt.date(2024, 1, 5),
        method="cash",
    )
    return ArrearsFlag.objects.create(
        person=person, first_unpaid_month=dt.date(2024, 2, 1), months=6, flagged_on=dt.date.today()
    )


def _dues_flag(cast):
    return _dues(cast).pk


def _dues_payment(cast):
    return _dues(cast).person.dues_payments.get().pk


COVERAGE.update(
    {
        "dues/": [Case(r("dues:index"), owner_status=302, outsider=302)],
        "dues/mine/": [Case(r("dues:mine"), owner="member", setup=_dues, outsider="absent")],
        "dues/calculator/": [Case(r("dues:calculator"), owner="member", outsider="absent")],
        "dues/arrears/": [Case(r("dues:arrears"), setup=_dues, outsider="absent")],
        "dues/arrears/export/": [Case(r("dues:arrears_export"), setup=_dues, outsider="absent")],
        "dues/payment/<int:pk>/correct/": [
            Case(_url("/dues/payment/{}/correct/", _dues_payment), owner="secretary")
        ],
        "dues/flags/": [Case(r("dues:flags"), owner="secretary", setup=_dues, outsider="absent")],
        "dues/flags/<int:pk>/resolve/": [
            Case(
                _url("/dues/flags/{}/resolve/", _dues_flag),
                owner="secretary",
                owner_status=302,
                method="post",
                data={"resolution": "已补交"},
            )
        ],
        "dues/import/": [Case(r("dues:import"), owner="secretary", outsider="absent")],
        "dues/import/template/": [
            Case(r("dues:import_template"), owner="secretary", outsider="absent")
        ],
        "dues/branch/<int:pk>/": [Case(r("dues:branch", east_branch), owner="secretary")],
        "dues/branch/<int:pk>/export/": [
            Case(r("dues:branch_export", east_branch), owner="secretary", setup=_dues)
        ],
        "dues/branch/<int:pk>/entry/": [
            Case(r("dues:bulk_entry", east_branch), owner="secretary", setup=_dues)
        ],
        "dues/branch/<int:pk>/arrears/": [
            Case(r("dues:branch_arrears", east_branch), owner="secretary", setup=_dues)
        ],
        "dues/member/<int:pk>/": [Case(r("dues:member", east_person), owner="member", setup=_dues)],
        "dues/member/<int:pk>/base/": [Case(r("dues:base_create", east_person), owner="secretary")],
        "dues/member/<int:pk>/pay/": [
            Case(r("dues:payment_create", east_person), owner="secretary", setup=_dues)
        ],
        "dues/member/<int:pk>/extra/": [
            Case(r("dues:extra_create", east_person), owner="secretary")
        ],
        "dues/member/<int:pk>/consent/": [
            Case(r("dues:consent_create", east_person), owner="secretary")
        ],
        "dues/member/<int:pk>/decision/": [
            Case(r("dues:decision_create", east_person), owner="secretary")
        ],
        "api/v1/dues/calculator": [
            Case(
                lambda c: "/api/v1/dues/calculator?base=3000&category=employed",
                owner="member",
                outsider="absent",
            )
        ],
        "api/v1/dues/payments": [
            Case(
                lambda c: "/api/v1/dues/payments", owner="secretary", setup=_dues, outsider="absent"
            )
        ],
    }
)


def _dev_case(cast):
    import datetime as dt

    from dangjian.development.tests.factories import open_case, walk

    case = walk(open_case(cast), cast, 6)
    from dangjian.development import services

    services.notice_publish(
        actor=cast.secretary, case=case, before_step=7, starts_on=dt.date(2023, 6, 5)
    )
    return case


def _dev_case_pk(cast):
    from dangjian.development.models import DevelopmentCase

    case = DevelopmentCase.objects.first() or _dev_case(cast)
    return case.pk


def _dev_step_pk(cast):
    from dangjian.development.models import DevelopmentStep

    _dev_case_pk(cast)
    return DevelopmentStep.objects.get(number=2).pk


def _dev_notice_pk(cast):
    from dangjian.development.models import PublicNotice

    _dev_case_pk(cast)
    return PublicNotice.objects.get().pk


def _dev_objection_pk(cast):
    import datetime as dt

    from dangjian.development.models import NoticeObjection, PublicNotice

    _dev_case_pk(cast)
    return NoticeObjection.objects.get_or_create(
        notice=PublicNotice.objects.get(),
        defaults={
            "received_on": dt.date(2023, 6, 6),
            "content": "反映",
            "recorded_by": cast.office,
        },
    )[0].pk


def _dev_attachment_pk(cast):
    from dangjian.development.models import StepAttachment

    _dev_case_pk(cast)
    return StepAttachment.objects.first().pk


COVERAGE.update(
    {
        "development/": [
            Case(r("development:case_list"), owner="secretary", setup=_dev_case, outsider="absent")
        ],
        "development/new/": [Case(r("development:case_create"), owner="secretary", outsider=200)],
        "development/suggest/branch/": [
            Case(
                lambda c: "/development/suggest/branch/?branch_q=东湖",
                owner="secretary",
                outsider="absent",
            )
        ],
        "development/pipeline/": [
            Case(r("development:pipeline"), setup=_dev_case, outsider="absent")
        ],
        "development/balance/": [
            Case(r("development:balance"), owner="secretary", setup=_dev_case, outsider="absent")
        ],
        "development/plans/": [
            Case(r("development:plan_list"), owner="secretary", outsider="absent")
        ],
        "development/<int:pk>/": [
            Case(r("development:case_detail", _dev_case_pk), owner="secretary")
        ],
        "development/<int:pk>/steps/": [
            Case(
                r("development:step_add", _dev_case_pk),
                owner="secretary",
                owner_status=422,
                method="post",
            )
        ],
        "development/<int:pk>/contacts/": [
            Case(
                r("development:contact_add", _dev_case_pk),
                owner="secretary",
                owner_status=422,
                method="post",
            )
        ],
        "development/<int:pk>/notices/": [
            Case(
                r("development:notice_add", _dev_case_pk),
                owner="secretary",
                owner_status=422,
                method="post",
            )
        ],
        "development/<int:pk>/move/": [
            Case(r("development:case_move", _dev_case_pk), owner="secretary")
        ],
        "development/steps/<int:pk>/correct/": [
            Case(r("development:step_correct", _dev_step_pk), owner="secretary")
        ],
        "development/notices/<int:pk>/objections/": [
            Case(
                r("development:objection_add", _dev_notice_pk),
                owner="secretary",
                owner_status=422,
                method="post",
            )
        ],
        "development/objections/<int:pk>/resolve/": [
            Case(
                r("development:objection_resolve", _dev_objection_pk),
                owner="secretary",
                owner_status=422,
                method="post",
            )
        ],
        "development/attachments/<int:pk>/": [
            Case(r("development:attachment", _dev_attachment_pk), owner="secretary")
        ],
        "api/v1/development/cases": [
            Case(
                lambda c: "/api/v1/development/cases",
                owner="secretary",
                setup=_dev_case,
                outsider="absent",
            )
        ],
        "api/v1/development/cases/<case_id>": [
            Case(lambda c: f"/api/v1/development/cases/{_dev_case_pk(c)}", owner="secretary")
        ],
    }
)

# --- 党务公开 / 任前公示 and 组织关系转接 (disclosure, transfers) ----------------------------


def _east_notice(cast, *, status="published"):
    import datetime as dt

    from dangjian.disclosure.models import Notice

    today = dt.date.today()
    return Notice.objects.create(
        kind="pre_appointment",
        title="东湖县局党支部任前公示",
        content="李四同志拟任东湖县局营销部主任",
        issuing_org=cast.city.east_branch,
        audience="subtree",
        working_days=5,
        starts_on=today,
        ends_on=today + dt.timedelta(days=7),
        status=status,
    )


def _east_draft(cast):
    return _east_notice(cast, status="draft").pk


def _east_published(cast):
    return _east_notice(cast).pk


def _east_objection(cast):
    from dangjian.disclosure.models import Objection

    notice = _east_notice(cast)
    return Objection.objects.create(
        notice=notice, content="东湖有异议", channel="member", submitted_by=cast.member
    ).pk


def _east_attachment(cast):
    from dangjian.disclosure.models import Attachment

    attachment = Attachment(notice=_east_notice(cast), name="东湖公示.txt")
    attachment.file.save("a.txt", ContentFile(b"east"), save=False)
    attachment.save()
    return attachment.pk


def _east_transfer(cast):
    import datetime as dt

    from dangjian.transfers.models import Transfer

    transfer = Transfer.objects.create(
        number="2026-0001",
        person=cast.people.member,
        member_status="full",
        joined_on=dt.date(2010, 7, 1),
        full_member_on=dt.date(2011, 7, 1),
        from_org=cast.city.east_branch,
        from_org_name=cast.city.east_branch.name,
        to_org_name="深圳市某公司党支部",
        reason="job",
        issued_on=dt.date.today(),
        valid_months=3,
        valid_until=dt.date.today() + dt.timedelta(days=89),
    )
    transfer.orgs.set([cast.city.east_branch])
    return transfer.pk


def _east_mobile(cast):
    import datetime as dt

    from dangjian.transfers.models import MobileMember

    return MobileMember.objects.create(
        person=cast.people.member,
        branch=cast.city.east_branch,
        destination="广东省深圳市",
        since=dt.date.today() - dt.timedelta(days=30),
    ).pk


PUBLIC.update(
    {
        "disclosure/public/",
        "disclosure/public/<int:pk>/",
        "disclosure/public/<int:pk>/objections/",
        "disclosure/public/attachments/<int:pk>/",
    }
)

COVERAGE.update(
    {
        "disclosure/": [
            Case(r("disclosure:list"), owner="member", setup=_east_notice, outsider="absent")
        ],
        "disclosure/export/": [
            Case(r("disclosure:export"), owner="secretary", setup=_east_notice, outsider="absent")
        ],
        # The audience picker lists every organisation's name (no member data).
        "disclosure/new/": [Case(r("disclosure:create"), owner="secretary", outsider="absent")],
        "disclosure/suggest/<slug:field>/": [
            Case(
                lambda c: "/disclosure/suggest/audience_orgs/?audience_orgs_q=东湖",
                owner="secretary",
                outsider="absent",
            )
        ],
        "disclosure/<int:pk>/": [Case(_url("/disclosure/{}/", _east_published), owner="member")],
        "disclosure/<int:pk>/edit/": [
            Case(_url("/disclosure/{}/edit/", _east_draft), owner="secretary")
        ],
        "disclosure/<int:pk>/attachments/": [
            Case(
                _url("/disclosure/{}/attachments/", _east_draft),
                owner="secretary",
                owner_status=302,
                method="post",
            )
        ],
        "disclosure/<int:pk>/publish/": [
            Case(
                _url("/disclosure/{}/publish/", _east_draft),
                owner="secretary",
                owner_status=302,
                method="post",
            )
        ],
        "disclosure/<int:pk>/close/": [
            Case(_url("/disclosure/{}/close/", _east_published), owner="secretary")
        ],
        "disclosure/<int:pk>/objections/": [
            Case(
                _url("/disclosure/{}/objections/", _east_published),
                owner="member",
                owner_status=302,
                method="post",
            )
        ],
        "disclosure/objections/<int:pk>/answer/": [
            Case(
                _url("/disclosure/objections/{}/answer/", _east_objection),
                owner="secretary",
                owner_status=302,
                method="post",
            )
        ],
        "disclosure/attachments/<int:pk>/": [
            Case(_url("/disclosure/attachments/{}/", _east_attachment), owner="member")
        ],
        "api/v1/disclosure/notices": [
            Case(
                lambda c: "/api/v1/disclosure/notices",
                owner="member",
                setup=_east_notice,
                outsider="absent",
            )
        ],
        "api/v1/disclosure/notices/<notice_id>": [
            Case(_url("/api/v1/disclosure/notices/{}", _east_published), owner="member")
        ],
        "transfers/": [
            Case(r("transfers:list"), owner="secretary", setup=_east_transfer, outsider="absent")
        ],
        "transfers/export/": [
            Case(r("transfers:export"), owner="secretary", setup=_east_transfer, outsider="absent")
        ],
        # Every branch may be a destination: the picker lists branch names (no member data).
        "transfers/new/": [Case(r("transfers:create"), owner="secretary", outsider="absent")],
        "transfers/suggest/<slug:kind>/": [
            Case(
                lambda c: "/transfers/suggest/member/?person_q=张",
                owner="secretary",
                outsider="absent",
            )
        ],
        "transfers/incoming/new/": [
            Case(r("transfers:create_incoming"), owner="secretary", outsider="absent")
        ],
        "transfers/<int:pk>/": [Case(_url("/transfers/{}/", _east_transfer), owner="member")],
        "transfers/<int:pk>/receive/": [
            Case(
                _url("/transfers/{}/receive/", _east_transfer),
                owner="secretary",
                owner_status=302,
                method="post",
            )
        ],
        "transfers/<int:pk>/cancel/": [
            Case(
                _url("/transfers/{}/cancel/", _east_transfer),
                owner="secretary",
                owner_status=302,
                method="post",
            )
        ],
        "transfers/<int:pk>/letter.pdf": [
            Case(_url("/transfers/{}/letter.pdf", _east_transfer), owner="secretary")
        ],
        "transfers/mobile/": [
            Case(
                r("transfers:mobile_list"),
                owner="secretary",
                setup=_east_mobile,
                outsider="absent",
            )
        ],
        "transfers/mobile/export/": [
            Case(
                r("transfers:mobile_export"),
                owner="secretary",
                setup=_east_mobile,
                outsider="absent",
            )
        ],
        "transfers/mobile/new/": [
            Case(r("transfers:mobile_create"), owner="secretary", outsider="absent")
        ],
        "transfers/mobile/<int:pk>/": [
            Case(_url("/transfers/mobile/{}/", _east_mobile), owner="member")
        ],
        "transfers/mobile/<int:pk>/end/": [
            Case(
                _url("/transfers/mobile/{}/end/", _east_mobile),
                owner="secretary",
                owner_status=302,
                method="post",
            )
        ],
        "api/v1/transfers": [
            Case(
                lambda c: "/api/v1/transfers",
                owner="secretary",
                setup=_east_transfer,
                outsider="absent",
            )
        ],
        "api/v1/transfers/<transfer_id>": [
            Case(_url("/api/v1/transfers/{}", _east_transfer), owner="member")
        ],
        "api/v1/mobile-members": [
            Case(
                lambda c: "/api/v1/mobile-members",
                owner="secretary",
                setup=_east_mobile,
                outsider="absent",
            )
        ],
        "api/v1/mobile-members/<record_id>": [
            Case(_url("/api/v1/mobile-members/{}", _east_mobile), owner="member")
        ],
    }
)

# --- 组织生活 (orglife) ------------------------------------------------------------------


def _east_meeting(cast):
    import datetime as dt

    from dangjian.orglife.models import Meeting

    return Meeting.objects.get_or_create(
        branch=cast.city.east_branch,
        kind="theme_day",
        planned_on=dt.date(2026, 11, 20),
        defaults={"topic": "东湖主题党日", "study_hours": 3},
    )[0].pk


def _east_meeting_file(cast):
    from django.core.files.base import ContentFile

    from dangjian.orglife.models import Meeting, MeetingFile

    row = MeetingFile(
        meeting=Meeting.objects.get(pk=_east_meeting(cast)),
        kind="attachment",
        name="东湖会议纪要.pdf",
        content_type="application/pdf",
        size=8,
    )
    row.file.save("x.pdf", ContentFile(b"%PDF-1.4"), save=False)
    row.save()
    return row.pk


COVERAGE.update(
    {
        "orglife/": [
            # One branch in reach (a secretary): sent to his branch's calendar.
            Case(r("orglife:matrix"), owner="secretary", owner_status=302, outsider=302),
            Case(lambda c: f"/orglife/?unit={c.city.east.pk}", outsider="absent"),
        ],
        "orglife/suggest/<slug:field>/": [
            Case(
                lambda c: "/orglife/suggest/branch/?branch_q=东湖",
                owner="secretary",
                outsider="absent",
            )
        ],
        "orglife/export/": [Case(r("orglife:matrix_export"), owner="secretary", outsider="absent")],
        "orglife/branches/<int:pk>/": [Case(r("orglife:branch", east_branch), owner="member")],
        "orglife/branches/<int:pk>/plan/": [
            Case(r("orglife:plan", east_branch), owner="secretary")
        ],
        "orglife/branches/<int:pk>/study-hours/": [
            Case(r("orglife:study_hours", east_branch), owner="member")
        ],
        "orglife/meetings/": [
            Case(r("orglife:meeting_list"), owner="member", setup=_east_meeting, outsider="absent")
        ],
        "orglife/meetings/export/": [
            Case(
                r("orglife:meeting_export"),
                owner="secretary",
                setup=_east_meeting,
                outsider="absent",
            )
        ],
        "orglife/meetings/new/": [
            Case(r("orglife:meeting_create"), owner="secretary", outsider="absent")
        ],
        "orglife/meetings/<int:pk>/": [
            Case(r("orglife:meeting_detail", _east_meeting), owner="member")
        ],
        "orglife/meetings/<int:pk>/edit/": [
            Case(r("orglife:meeting_edit", _east_meeting), owner="secretary")
        ],
        "orglife/meetings/<int:pk>/record/": [
            Case(r("orglife:meeting_record", _east_meeting), owner="secretary")
        ],
        "orglife/meetings/<int:pk>/notify/": [
            Case(
                r("orglife:meeting_notify", _east_meeting),
                owner="secretary",
                method="post",
                owner_status=302,
            )
        ],
        "orglife/meetings/<int:pk>/cancel/": [
            Case(
                r("orglife:meeting_cancel", _east_meeting),
                owner="secretary",
                method="post",
                owner_status=302,
            )
        ],
        "orglife/meetings/<int:pk>/files/": [
            Case(
                r("orglife:meeting_file_upload", _east_meeting),
                owner="secretary",
                method="post",
                owner_status=302,
            )
        ],
        "orglife/files/<int:pk>/": [
            Case(r("orglife:meeting_file", _east_meeting_file), owner="member")
        ],
        "api/v1/orglife/meetings": [
            Case(
                lambda c: "/api/v1/orglife/meetings",
                owner="member",
                setup=_east_meeting,
                outsider="absent",
            )
        ],
        "api/v1/orglife/meetings/<meeting_id>": [
            Case(_url("/api/v1/orglife/meetings/{}", _east_meeting), owner="member")
        ],
    }
)


# --- 日常服务 (warmth.visits) -------------------------------------------------------------


def _east_visit(cast):
    import datetime as dt

    from dangjian.warmth.visits.catalogue import ensure_catalogue
    from dangjian.warmth.visits.models import VisitKind
    from dangjian.warmth.visits.services import visit_record

    ensure_catalogue()
    return visit_record(
        actor=cast.manager,
        customer=cast.customers.east,
        staff=cast.people.manager,
        visited_on=dt.date.today(),
        kind=VisitKind.objects.get(code="routine"),
        notes="东湖店面走访",
        follow_up_on=dt.date.today(),
        follow_up="东湖补货",
    ).pk


def _east_visit_photo(cast):
    from PIL import Image

    from dangjian.warmth.visits.models import VisitPhoto

    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buf, "JPEG")
    photo = VisitPhoto(visit_id=_east_visit(cast), stage="before")
    photo.image.save("v.jpg", ContentFile(buf.getvalue()))
    return photo.pk


def _east_discussion(cast):
    import datetime as dt

    from dangjian.warmth.visits.services import discussion_record

    return discussion_record(
        actor=cast.secretary,
        branch=cast.city.east_branch,
        held_on=dt.date.today(),
        topics="东湖假如我是服务对象",
        measures="东湖改进",
        participants=[cast.people.member],
    ).pk


def _visit_kind(cast):
    from dangjian.warmth.visits.catalogue import ensure_catalogue

    ensure_catalogue()
    from dangjian.warmth.visits.models import VisitKind

    return VisitKind.objects.order_by("pk").first().pk


def _service_type(cast):
    from dangjian.warmth.visits.catalogue import ensure_catalogue

    ensure_catalogue()
    from dangjian.warmth.visits.models import TailoredServiceType

    return TailoredServiceType.objects.order_by("pk").first().pk


def _visit_plan(cast):
    from dangjian.warmth.visits.catalogue import ensure_catalogue

    ensure_catalogue()
    from dangjian.warmth.visits.models import VisitPlan

    return VisitPlan.objects.order_by("pk").first().pk


COVERAGE.update(
    {
        "warmth/visits/": [
            Case(r("visits:list"), owner="manager", setup=_east_visit, outsider="absent"),
            Case(r("visits:list"), owner="secretary", setup=_east_visit, outsider="absent"),
        ],
        "warmth/visits/export/": [
            Case(r("visits:export"), owner="office", setup=_east_visit, outsider="absent")
        ],
        "warmth/visits/new/": [
            Case(
                lambda c: f"/warmth/visits/new/?customer={c.customers.east.pk}",
                owner="manager",
                outsider="absent",
            )
        ],
        "warmth/visits/mine/": [
            Case(r("visits:mine"), owner="manager", owner_status=302, outsider=302)
        ],
        "warmth/visits/suggest/<slug:field>/": [
            Case(
                lambda c: "/warmth/visits/suggest/customer/?customer_q=3601",
                owner="manager",
                outsider="absent",
            ),
            Case(
                lambda c: "/warmth/visits/suggest/participants/?participants_q=li",
                owner="secretary",
                outsider="absent",
            ),
        ],
        "warmth/visits/<int:pk>/": [
            Case(_url("/warmth/visits/{}/", _east_visit), owner="manager"),
            Case(_url("/warmth/visits/{}/", _east_visit), owner="secretary"),
        ],
        "warmth/visits/<int:pk>/edit/": [
            Case(_url("/warmth/visits/{}/edit/", _east_visit), owner="manager")
        ],
        "warmth/visits/<int:pk>/delete/": [
            Case(
                _url("/warmth/visits/{}/delete/", _east_visit),
                method="post",
                owner_status=302,
            )
        ],
        "warmth/visits/<int:pk>/photos/": [
            Case(
                _url("/warmth/visits/{}/photos/", _east_visit),
                owner="manager",
                method="post",
                owner_status=302,
            )
        ],
        "warmth/visits/<int:pk>/follow-up/": [
            Case(
                _url("/warmth/visits/{}/follow-up/", _east_visit),
                owner="manager",
                method="post",
                data={"result": "已补货"},
                owner_status=302,
            )
        ],
        "warmth/visits/photos/<int:pk>/": [
            Case(_url("/warmth/visits/photos/{}/", _east_visit_photo), owner="manager")
        ],
        "warmth/visits/customer/<int:pk>/": [
            Case(r("visits:customer", east_customer), owner="manager", setup=_east_visit)
        ],
        "warmth/visits/staff/<int:pk>/": [
            Case(r("visits:staff", pk_of("people.manager")), owner="manager", setup=_east_visit)
        ],
        "warmth/visits/follow-ups/": [
            Case(r("visits:follow_ups"), owner="manager", setup=_east_visit, outsider="absent")
        ],
        "warmth/visits/due/": [
            Case(r("visits:due"), owner="manager", outsider="absent"),
            Case(
                lambda c: f"/warmth/visits/due/?unit={c.city.east_area.pk}",
                owner="secretary",
                outsider="absent",
            ),
        ],
        "warmth/visits/overdue/": [Case(r("visits:overdue"), owner="secretary", outsider="absent")],
        "warmth/visits/coverage/": [Case(r("visits:coverage"), owner="manager", outsider="absent")],
        "warmth/visits/kinds/": [Case(r("visits:kinds"), owner="office", outsider="absent")],
        "warmth/visits/kinds/<int:pk>/": [Case(r("visits:kind_edit", _visit_kind))],
        "warmth/visits/service-types/": [
            Case(r("visits:service_types"), owner="manager", outsider="absent")
        ],
        "warmth/visits/service-types/<int:pk>/": [
            Case(r("visits:service_type_edit", _service_type))
        ],
        "warmth/visits/plans/": [Case(r("visits:plans"), owner="auditor", outsider="absent")],
        "warmth/visits/plans/<int:pk>/": [Case(r("visits:plan_edit", _visit_plan))],
        "warmth/visits/discussions/": [
            Case(
                r("visits:discussions"),
                owner="member",
                setup=_east_discussion,
                outsider="absent",
            )
        ],
        "warmth/visits/discussions/new/": [
            Case(r("visits:discussion_create"), owner="secretary", outsider="absent")
        ],
        "warmth/visits/discussions/<int:pk>/": [
            Case(_url("/warmth/visits/discussions/{}/", _east_discussion), owner="member")
        ],
        "warmth/visits/discussions/<int:pk>/edit/": [
            Case(_url("/warmth/visits/discussions/{}/edit/", _east_discussion), owner="secretary")
        ],
        "api/v1/visits": [
            Case(
                lambda c: "/api/v1/visits",
                owner="manager",
                setup=_east_visit,
                outsider="absent",
            )
        ],
        "api/v1/visits/<visit_id>": [
            Case(_url("/api/v1/visits/{}", _east_visit), owner="secretary")
        ],
    }
)

# --- 三亮 (exemplar.showcase) and 比作风 (exemplar.conduct) -------------------------------


def _east_card(cast):
    from dangjian.exemplar.showcase.models import MemberCard

    return MemberCard.objects.get_or_create(person=cast.people.member)[0]


def _east_card_pk(cast):
    return _east_card(cast).pk


def _east_card_with_photo(cast):
    _photo(cast)
    return _east_card(cast).pk


def _east_commitment(cast):
    from dangjian.exemplar.showcase.models import Commitment

    return Commitment.objects.get_or_create(
        card=_east_card(cast), year=2026, defaults={"text": "东湖走访客户300户"}
    )[0].pk


def _east_commitment_file(cast):
    from dangjian.exemplar.showcase.models import Commitment, CommitmentFile

    row = CommitmentFile(
        commitment=Commitment.objects.get(pk=_east_commitment(cast)),
        name="东湖走访.pdf",
        content_type="application/pdf",
        size=8,
    )
    row.file.save("a.pdf", ContentFile(b"%PDF-1.4"), save=False)
    row.save()
    return row.pk


def _east_inspection(cast):
    from dangjian.exemplar.conduct.models import SelfInspection

    return SelfInspection.objects.get_or_create(
        person=cast.people.member, year=2026, defaults={"branch": cast.city.east_branch}
    )[0]


def _east_inspection_pk(cast):
    return _east_inspection(cast).pk


def _east_measure(cast):
    import datetime as dt

    from dangjian.exemplar.conduct.models import Problem, ProblemCategory, Rectification

    inspection = _east_inspection(cast)
    existing = Rectification.objects.filter(inspection=inspection).first()
    if existing is not None:
        return existing
    problem = Problem.objects.create(
        inspection=inspection,
        category=ProblemCategory.objects.order_by("pk").first(),
        description="东湖走访不深入",
    )
    return Rectification.objects.create(
        problem=problem,
        inspection=inspection,
        branch=cast.city.east_branch,
        measure="每月走访25户",
        owner=cast.people.member,
        deadline=dt.date(2026, 1, 31),
    )


def _east_measure_pk(cast):
    return _east_measure(cast).pk


def _east_problem_pk(cast):
    return _east_measure(cast).problem_id


def _east_measure_file(cast):
    from dangjian.exemplar.conduct.models import RectificationFile

    row = RectificationFile(
        rectification=_east_measure(cast),
        name="东湖整改.pdf",
        content_type="application/pdf",
        size=8,
    )
    row.file.save("a.pdf", ContentFile(b"%PDF-1.4"), save=False)
    row.save()
    return row.pk


PUBLIC.update({"exemplar/cards/p/<str:token>/", "exemplar/cards/p/<str:token>/photo/"})

COVERAGE.update(
    {
        "exemplar/cards/": [
            Case(r("showcase:list"), owner="member", setup=_east_card, outsider="absent")
        ],
        "exemplar/cards/export/": [
            Case(r("showcase:export"), owner="secretary", setup=_east_card, outsider="absent")
        ],
        "exemplar/cards/me/": [Case(r("showcase:me"), owner="member", outsider="absent")],
        "exemplar/cards/print/": [
            Case(r("showcase:print"), owner="secretary", setup=_east_card, outsider="absent")
        ],
        # No branch chosen: back to the print page with a message (the branch choices are
        # scoped; a branch out of reach is refused, see showcase/tests/test_views.py).
        "exemplar/cards/print/ensure/": [
            Case(
                r("showcase:ensure"),
                owner="secretary",
                method="post",
                owner_status=302,
                outsider=302,
            )
        ],
        "exemplar/cards/<int:pk>/": [Case(r("showcase:detail", _east_card_pk), owner="member")],
        "exemplar/cards/<int:pk>/edit/": [
            Case(r("showcase:edit", _east_card_pk), owner="secretary")
        ],
        "exemplar/cards/<int:pk>/photo/": [
            Case(r("showcase:photo", _east_card_with_photo), owner="member")
        ],
        "exemplar/cards/<int:pk>/postcard.pdf": [
            Case(r("showcase:postcard", _east_card_pk), owner="secretary")
        ],
        "exemplar/cards/<int:pk>/commitment/": [
            Case(
                r("showcase:commitment", _east_card_pk),
                owner="member",
                method="post",
                owner_status=422,
            )
        ],
        "exemplar/cards/commitments/<int:pk>/review/": [
            Case(
                r("showcase:review", _east_commitment),
                owner="secretary",
                method="post",
                owner_status=422,
            )
        ],
        "exemplar/cards/commitments/<int:pk>/files/": [
            Case(
                r("showcase:file_add", _east_commitment),
                owner="member",
                method="post",
                owner_status=302,
            )
        ],
        "exemplar/cards/files/<int:pk>/": [
            Case(r("showcase:file", _east_commitment_file), owner="member")
        ],
        # The office sees several branches (a one-branch secretary is sent to his branch).
        "exemplar/conduct/": [Case(r("conduct:overview"), owner="office", outsider=302)],
        "exemplar/conduct/branches/<int:pk>/": [
            Case(r("conduct:branch", east_branch), owner="secretary", setup=_east_inspection)
        ],
        "exemplar/conduct/me/": [
            Case(r("conduct:me"), owner="member", setup=_east_inspection, outsider="absent")
        ],
        "exemplar/conduct/inspections/": [
            Case(r("conduct:list"), owner="member", setup=_east_measure, outsider="absent")
        ],
        "exemplar/conduct/inspections/export/": [
            Case(r("conduct:export"), owner="secretary", setup=_east_measure, outsider="absent")
        ],
        # No year given: back to "my inspections" with a message; the member is chosen by
        # the scoped service (see conduct/tests).
        "exemplar/conduct/inspections/new/": [
            Case(r("conduct:start"), owner="member", method="post", owner_status=302, outsider=302)
        ],
        "exemplar/conduct/inspections/<int:pk>/": [
            Case(r("conduct:detail", _east_inspection_pk), owner="member")
        ],
        "exemplar/conduct/inspections/<int:pk>/problems/": [
            Case(
                r("conduct:problem_add", _east_inspection_pk),
                owner="member",
                method="post",
                owner_status=422,
            )
        ],
        "exemplar/conduct/inspections/<int:pk>/submit/": [
            Case(
                r("conduct:submit", _east_inspection_pk),
                owner="member",
                method="post",
                owner_status=422,
            )
        ],
        "exemplar/conduct/inspections/<int:pk>/review/": [
            Case(
                r("conduct:review", _east_inspection_pk),
                owner="secretary",
                method="post",
                owner_status=422,
            )
        ],
        "exemplar/conduct/problems/<int:pk>/measures/": [
            Case(
                r("conduct:measure_add", _east_problem_pk),
                owner="member",
                method="post",
                owner_status=422,
            )
        ],
        "exemplar/conduct/measures/": [
            Case(r("conduct:measures"), owner="member", setup=_east_measure, outsider="absent")
        ],
        "exemplar/conduct/measures/export/": [
            Case(
                r("conduct:measure_export"),
                owner="secretary",
                setup=_east_measure,
                outsider="absent",
            )
        ],
        "exemplar/conduct/measures/<int:pk>/done/": [
            Case(
                r("conduct:measure_done", _east_measure_pk),
                owner="member",
                method="post",
                owner_status=422,
            )
        ],
        "exemplar/conduct/measures/<int:pk>/close/": [
            Case(
                r("conduct:measure_close", _east_measure_pk),
                owner="secretary",
                method="post",
                owner_status=422,
            )
        ],
        "exemplar/conduct/measures/<int:pk>/files/": [
            Case(
                r("conduct:measure_file_add", _east_measure_pk),
                owner="member",
                method="post",
                owner_status=302,
            )
        ],
        "exemplar/conduct/files/<int:pk>/": [
            Case(r("conduct:file", _east_measure_file), owner="member")
        ],
    }
)

# --- 三评结果·民主评议 and 意见箱 (appraisal.grading, appraisal.suggestions) ----------------


def _h4_campaign(cast):
    import datetime as dt

    from dangjian.appraisal.models import Campaign

    campaign = Campaign.objects.filter(name="东湖支部年度三评").first()
    if campaign is None:
        campaign = Campaign.objects.create(
            name="东湖支部年度三评",
            year=2026,
            party_org=cast.city.east_branch,
            starts_on=dt.date(2026, 11, 1),
            ends_on=dt.date(2026, 11, 20),
            status="closed",
        )
    return campaign


def _h4_campaign_pk(cast):
    return _h4_campaign(cast).pk


def _h4_result(cast):
    from dangjian.appraisal.grading.computation import compute_results
    from dangjian.appraisal.grading.models import MemberResult

    campaign = _h4_campaign(cast)
    if not MemberResult.objects.filter(campaign=campaign).exists():
        compute_results(campaign)
    return MemberResult.objects.get(campaign=campaign, person=cast.people.member)


def _h4_result_pk(cast):
    return _h4_result(cast).pk


def _h4_flag_pk(cast):
    from dangjian.appraisal.grading.models import LeniencyFlag

    return LeniencyFlag.objects.create(
        campaign=_h4_campaign(cast), kind="peer", rater=cast.people.member, sheets=3, score=80
    ).pk


def _h4_plan(cast):
    import datetime as dt

    from dangjian.appraisal.grading.models import GradeDecision, ImprovementPlan

    decision = GradeDecision.objects.create(
        result=_h4_result(cast),
        grade="basically_qualified",
        body="committee",
        decided_on=dt.date(2026, 11, 21),
        reason="东湖支委会评定",
    )
    return ImprovementPlan.objects.create(
        decision=decision, measures="东湖：按时参加组织生活", due_on=dt.date(2027, 3, 1)
    ).pk


def _h4_discipline(cast):
    import datetime as dt

    from dangjian.appraisal.grading.models import DisciplinaryRecord

    return DisciplinaryRecord.objects.create(
        person=cast.people.member, kind="warning", decided_on=dt.date(2026, 1, 5), summary="东湖"
    ).pk


def _h4_box(cast):
    from dangjian.appraisal.suggestions.models import SuggestionBox

    return SuggestionBox.objects.get_or_create(branch=cast.city.east_branch)[0]


def _h4_suggestion_pk(cast):
    from dangjian.appraisal.suggestions.models import Suggestion

    return Suggestion.objects.create(
        box=_h4_box(cast),
        content="东湖营业厅服务很好",
        is_anonymous=False,
        contact_name="曾小贤",
        contact_phone="13900000000",
    ).pk


PUBLIC.update(
    {
        "suggestions/b/<str:key>/",
        "suggestions/b/<str:key>/send/",
        "suggestions/t/",
        "suggestions/t/<str:code>/",
    }
)

COVERAGE.update(
    {
        "appraisal/results/": [
            Case(r("grading:index"), owner="member", setup=_h4_campaign, outsider="absent")
        ],
        "appraisal/results/<int:pk>/": [
            Case(r("grading:campaign", _h4_campaign_pk), owner="member", setup=_h4_result)
        ],
        "appraisal/results/<int:pk>/compute/": [
            Case(r("grading:compute", _h4_campaign_pk), method="post", owner_status=302)
        ],
        "appraisal/results/<int:pk>/export/": [
            Case(r("grading:export", _h4_campaign_pk), owner="secretary", setup=_h4_result)
        ],
        "appraisal/results/<int:pk>/report/": [
            Case(
                r("grading:report", _h4_campaign_pk),
                owner="secretary",
                method="post",
                owner_status=302,
            )
        ],
        "appraisal/results/<int:pk>/policy/": [Case(r("grading:policy", _h4_campaign_pk))],
        "appraisal/results/<int:pk>/leniency/": [
            Case(r("grading:flags", _h4_campaign_pk), owner="secretary")
        ],
        "appraisal/results/<int:pk>/nominations/": [
            Case(r("grading:nominations", _h4_campaign_pk), owner="secretary")
        ],
        "appraisal/results/leniency/<int:pk>/decide/": [
            Case(
                r("grading:flag_decide", _h4_flag_pk),
                method="post",
                data={"action": "keep", "reason": "评分属实"},
                owner_status=302,
            )
        ],
        "appraisal/results/member/<int:pk>/": [
            Case(r("grading:result", _h4_result_pk), owner="member")
        ],
        "appraisal/results/member/<int:pk>/decide/": [
            Case(
                r("grading:decide", _h4_result_pk),
                owner="secretary",
                method="post",
                owner_status=302,
            )
        ],
        "appraisal/results/member/<int:pk>/nominate/": [
            Case(
                r("grading:nominate", _h4_result_pk),
                owner="secretary",
                method="post",
                owner_status=302,
            )
        ],
        "appraisal/results/plans/": [
            Case(r("grading:plans"), owner="member", setup=_h4_plan, outsider="absent")
        ],
        "appraisal/results/plans/<int:pk>/close/": [
            Case(
                r("grading:plan_close", _h4_plan),
                owner="secretary",
                method="post",
                owner_status=302,
            )
        ],
        "appraisal/results/discipline/": [
            Case(
                r("grading:discipline"),
                owner="secretary",
                setup=_h4_discipline,
                outsider="absent",
            )
        ],
        "appraisal/results/discipline/suggest/": [
            Case(
                lambda c: "/appraisal/results/discipline/suggest/?person_q=李",
                owner="secretary",
                outsider="absent",
            )
        ],
        "appraisal/results/discipline/<int:pk>/close/": [
            Case(
                r("grading:discipline_close", _h4_discipline),
                owner="secretary",
                method="post",
                owner_status=302,
            )
        ],
        "suggestions/": [
            Case(
                r("suggestions:list"),
                owner="secretary",
                setup=_h4_suggestion_pk,
                outsider="absent",
            )
        ],
        "suggestions/export/": [
            Case(
                r("suggestions:export"),
                owner="secretary",
                setup=_h4_suggestion_pk,
                outsider="absent",
            )
        ],
        "suggestions/boxes/": [
            Case(r("suggestions:boxes"), owner="secretary", setup=_h4_box, outsider="absent")
        ],
        "suggestions/boxes/<int:branch>/toggle/": [
            Case(
                r("suggestions:box_toggle", east_branch),
                owner="secretary",
                method="post",
                owner_status=302,
            )
        ],
        "suggestions/<int:pk>/": [
            Case(r("suggestions:detail", _h4_suggestion_pk), owner="secretary")
        ],
        "suggestions/<int:pk>/answer/": [
            Case(
                r("suggestions:answer", _h4_suggestion_pk),
                owner="secretary",
                method="post",
                data={"answer": "已转营业厅"},
                owner_status=302,
            )
        ],
        "suggestions/<int:pk>/close/": [
            Case(
                r("suggestions:close", _h4_suggestion_pk),
                owner="secretary",
                method="post",
                owner_status=302,
            )
        ],
        "suggestions/<int:pk>/reveal/<str:field>/": [
            Case(
                r("suggestions:reveal", _h4_suggestion_pk, "contact_phone"),
                owner="secretary",
                method="post",
            )
        ],
    }
)

# --- 首问负责制 (warmth.tickets) -------------------------------------------------------------


def _east_ticket(cast):
    from dangjian.warmth.tickets import services
    from dangjian.warmth.tickets.models import TicketCategory

    return services.ticket_create(
        actor=cast.manager,
        kind="complaint",
        category=TicketCategory.objects.order_by("pk").first(),
        channel="phone",
        customer=cast.customers.east,
        contact_name="曾小贤",
        contact_phone="13900000000",
        subject="东湖城区货源不足",
        text="东湖县局片区本周到货少",
    )


def _east_ticket_pk(cast):
    return _east_ticket(cast).pk


def _east_ticket_attachment(cast):
    from dangjian.warmth.tickets.models import TicketAttachment

    attachment = TicketAttachment(ticket=_east_ticket(cast), name="东湖照片.txt")
    attachment.file.save("a.txt", ContentFile(b"east"), save=False)
    attachment.save()
    return attachment.pk


PUBLIC.update(
    {
        "warmth/tickets/public/",
        "warmth/tickets/track/<str:code>/",
        "warmth/tickets/track/<str:code>/supplement/",
        "warmth/tickets/rate/<str:code>/",
    }
)

COVERAGE.update(
    {
        "warmth/tickets/": [
            Case(
                lambda c: "/warmth/tickets/?view=all",
                owner="manager",
                setup=_east_ticket,
                outsider="absent",
            )
        ],
        "warmth/tickets/export/": [
            Case(
                lambda c: "/warmth/tickets/export/?view=all",
                owner="manager",
                setup=_east_ticket,
                outsider="absent",
            )
        ],
        "warmth/tickets/new/": [Case(r("tickets:create"), owner="manager", outsider="absent")],
        "warmth/tickets/suggest/<slug:field>/": [
            Case(
                lambda c: "/warmth/tickets/suggest/customer/?customer_q=3601",
                owner="manager",
                outsider="absent",
            )
        ],
        "warmth/tickets/<int:pk>/": [
            Case(_url("/warmth/tickets/{}/", _east_ticket_pk), owner="manager")
        ],
        "warmth/tickets/<int:pk>/step/<slug:step>/": [
            Case(
                _url("/warmth/tickets/{}/step/note/", _east_ticket_pk),
                owner="manager",
                owner_status=302,
                method="post",
                data={"text": "已联系客户"},
            )
        ],
        "warmth/tickets/<int:pk>/reveal/": [
            Case(
                _url("/warmth/tickets/{}/reveal/", _east_ticket_pk), owner="manager", method="post"
            )
        ],
        "warmth/tickets/attachments/<int:pk>/": [
            Case(_url("/warmth/tickets/attachments/{}/", _east_ticket_attachment), owner="manager")
        ],
        "warmth/tickets/stats/": [
            Case(r("tickets:stats"), setup=_east_ticket, outsider="absent"),
            Case(
                _url("/warmth/tickets/stats/?unit={}", pk_of("city.east")),
                owner="secretary",
                setup=_east_ticket,
            ),
        ],
        "warmth/tickets/stats/export/": [
            Case(r("tickets:stats_export"), setup=_east_ticket, outsider="absent")
        ],
        "warmth/tickets/stats/rebuild/": [
            Case(r("tickets:stats_rebuild"), owner_status=302, method="post")
        ],
        "warmth/tickets/settings/": [Case(r("tickets:settings"), outsider="absent")],
        "api/v1/tickets": [
            Case(
                lambda c: "/api/v1/tickets", owner="manager", setup=_east_ticket, outsider="absent"
            )
        ],
        "api/v1/tickets/<ticket_id>": [
            Case(_url("/api/v1/tickets/{}", _east_ticket_pk), owner="manager")
        ],
    }
)


# --- 比学习 (exemplar.study) and 比业绩 (exemplar.contests) ----------------------------------


def _study_kinds(cast=None):
    from importlib import import_module

    from django.apps import apps

    import_module("dangjian.exemplar.study.migrations.0002_default_kinds_and_threshold").forward(
        apps, None
    )


def _east_self_study(cast):
    import datetime as dt
    from decimal import Decimal

    from dangjian.exemplar.study.models import SelfStudy, StudyKind

    _study_kinds()
    entry = SelfStudy.objects.filter(person=cast.people.member).first()
    if entry is None:
        entry = SelfStudy(
            person=cast.people.member,
            branch=cast.city.east_branch,
            studied_on=dt.date(2026, 11, 2),
            topic="东湖自学",
            kind=StudyKind.objects.get(code="book"),
            hours=Decimal("2"),
            points=Decimal("2"),
            attachment_name="东湖笔记.txt",
        )
        entry.attachment.save("n.txt", ContentFile(b"notes"), save=False)
        entry.save()
    return entry.pk


def _east_reflection(cast, status="submitted"):
    from dangjian.exemplar.study.models import Reflection

    _study_kinds()
    reflection = Reflection.objects.filter(person=cast.people.member).first()
    if reflection is None:
        from dangjian.exemplar.study.services import reflection_submit

        reflection = reflection_submit(
            actor=cast.member, title="东湖心得", text="东湖支部学习心得体会正文内容"
        )
    Reflection.objects.filter(pk=reflection.pk).update(status=status)
    return reflection.pk


def _east_returned_reflection(cast):
    return _east_reflection(cast, "returned")


def _east_contest(cast, publish=False):
    import datetime as dt

    from dangjian.exemplar.contests import services as contest_services
    from dangjian.exemplar.contests.models import Contest

    contest = Contest.objects.filter(organiser=cast.city.east_branch).first()
    if contest is None:
        contest = contest_services.contest_save(
            actor=cast.secretary,
            contest=Contest(
                kind="drill",
                name="东湖营销练兵",
                organiser=cast.city.east_branch,
                business_line="sales",
                held_on=dt.date(2026, 9, 1),
            ),
        )
        contest_services.participants_add(
            actor=cast.secretary, contest=contest, people=[cast.people.member]
        )
    if publish and contest.status != "published":
        entry = contest.participants.get()
        contest_services.scores_record(
            actor=cast.secretary, contest=contest, scores={entry.pk: "90"}
        )
        contest_services.contest_publish(actor=cast.secretary, contest=contest)
    return contest.pk


def _east_published_contest(cast):
    return _east_contest(cast, publish=True)


def _east_entry(cast):
    from dangjian.exemplar.contests.models import Participant

    _east_contest(cast)
    return Participant.objects.get(person=cast.people.member).pk


def _east_awarded_entry(cast):
    _east_published_contest(cast)
    return _east_entry(cast)


COVERAGE.update(
    {
        "exemplar/study/": [
            Case(r("study:index"), owner="member", setup=_east_reflection, outsider="absent")
        ],
        "exemplar/study/branches/": [
            # The outsider holds one branch: sent straight to it.
            Case(r("study:branches"), outsider=302)
        ],
        "exemplar/study/branches/<int:pk>/": [
            Case(r("study:branch", east_branch), owner="secretary")
        ],
        "exemplar/study/branches/<int:pk>/export/": [
            Case(r("study:branch_export", east_branch), owner="secretary")
        ],
        "exemplar/study/members/<int:pk>/": [
            Case(r("study:member", lambda c: c.people.member.pk), owner="secretary")
        ],
        "exemplar/study/self/": [
            Case(
                r("study:self_queue"), owner="secretary", setup=_east_self_study, outsider="absent"
            )
        ],
        "exemplar/study/self/new/": [
            Case(r("study:self_add"), owner="member", setup=_study_kinds, outsider="absent")
        ],
        "exemplar/study/self/<int:pk>/review/": [
            Case(
                r("study:self_review", _east_self_study),
                owner="secretary",
                method="post",
                data={"decision": "confirm"},
                owner_status=302,
            )
        ],
        "exemplar/study/self/<int:pk>/attachment/": [
            Case(r("study:self_attachment", _east_self_study), owner="member")
        ],
        "exemplar/study/reflections/": [
            Case(
                r("study:reflection_list"),
                owner="member",
                setup=_east_reflection,
                outsider="absent",
            )
        ],
        "exemplar/study/reflections/new/": [
            Case(r("study:reflection_new"), owner="member", setup=_study_kinds, outsider="absent")
        ],
        "exemplar/study/reflections/<int:pk>/": [
            Case(r("study:reflection_detail", _east_reflection), owner="member")
        ],
        "exemplar/study/reflections/<int:pk>/revise/": [
            Case(r("study:reflection_revise", _east_returned_reflection), owner="member")
        ],
        "exemplar/study/reflections/<int:pk>/review/": [
            Case(
                r("study:reflection_review", _east_reflection),
                owner="secretary",
                method="post",
                data={"decision": "accept"},
                owner_status=302,
            )
        ],
        "api/v1/study/reflections": [
            Case(
                lambda c: "/api/v1/study/reflections",
                owner="member",
                setup=_east_reflection,
                outsider="absent",
            )
        ],
        "api/v1/study/self-study": [
            Case(
                lambda c: "/api/v1/study/self-study",
                owner="member",
                setup=_east_self_study,
                outsider="absent",
            )
        ],
        "exemplar/contests/": [
            Case(r("contests:list"), owner="secretary", setup=_east_contest, outsider="absent")
        ],
        "exemplar/contests/export/": [
            Case(r("contests:export"), owner="secretary", setup=_east_contest, outsider="absent")
        ],
        "exemplar/contests/new/": [
            Case(r("contests:create"), owner="secretary", outsider="absent")
        ],
        "exemplar/contests/mine/": [
            Case(r("contests:mine"), owner="member", setup=_east_contest, outsider="absent")
        ],
        "exemplar/contests/suggest/<slug:field>/": [
            Case(
                lambda c: "/exemplar/contests/suggest/people/?people_q=李",
                owner="secretary",
                outsider="absent",
            )
        ],
        "exemplar/contests/branches/<int:pk>/": [
            Case(r("contests:branch", east_branch), owner="secretary")
        ],
        "exemplar/contests/<int:pk>/": [
            Case(r("contests:detail", _east_contest), owner="secretary")
        ],
        "exemplar/contests/<int:pk>/edit/": [
            Case(r("contests:edit", _east_contest), owner="secretary")
        ],
        "exemplar/contests/<int:pk>/participants/": [
            Case(
                r("contests:participants", _east_contest),
                owner="secretary",
                method="post",
                owner_status=302,
            )
        ],
        "exemplar/contests/<int:pk>/scores/": [
            Case(
                r("contests:scores", _east_contest),
                owner="secretary",
                method="post",
                owner_status=302,
            )
        ],
        "exemplar/contests/<int:pk>/publish/": [
            Case(
                r("contests:publish", _east_contest),
                owner="secretary",
                method="post",
                owner_status=302,
            )
        ],
        "exemplar/contests/<int:pk>/certificates/": [
            Case(r("contests:certificates", _east_published_contest), owner="secretary")
        ],
        "exemplar/contests/<int:pk>/import/": [
            Case(r("contests:import", _east_contest), owner="secretary")
        ],
        "exemplar/contests/<int:pk>/import/template/": [
            Case(r("contests:import_template", _east_contest), owner="secretary")
        ],
        "exemplar/contests/entries/<int:pk>/remove/": [
            Case(
                r("contests:remove", _east_entry),
                owner="secretary",
                method="post",
                owner_status=302,
            )
        ],
        "exemplar/contests/entries/<int:pk>/certificate/": [
            Case(r("contests:certificate", _east_awarded_entry), owner="member")
        ],
        "api/v1/contests": [
            Case(
                lambda c: "/api/v1/contests",
                owner="secretary",
                setup=_east_contest,
                outsider="absent",
            )
        ],
        "api/v1/contests/<contest_id>": [
            Case(_url("/api/v1/contests/{}", _east_contest), owner="secretary")
        ],
    }
)

# --- 窗口服务 (warmth.window): 东湖's window and an application received there -------------


def _east_licence_window(cast):
    from dangjian.warmth.window.models import LicenceWindow

    window, _created = LicenceWindow.objects.get_or_create(
        unit=cast.city.east, defaults={"name": "东湖县局办证窗口"}
    )
    return window


def _east_licence_window_pk(cast):
    return _east_licence_window(cast).pk


def _east_licence_application(cast):
    from django.utils import timezone

    from dangjian.warmth.window import services as window_services
    from dangjian.warmth.window.models import LicenceApplication

    found = LicenceApplication.objects.filter(unit=cast.city.east).first()
    if found is not None:
        return found.pk
    return window_services.application_receive(
        actor=cast.office,
        window=_east_licence_window(cast),
        kind="new",
        applicant_name="单雄信",
        applicant_id_number="360102198001010013",
        shop_name="东湖便民店",
        shop_address="东湖县人民路1号",
        received_on=timezone.localdate(),
        provided={"form"},
    ).pk


def _east_licence_notice(cast):
    from dangjian.warmth.window import services as window_services
    from dangjian.warmth.window.models import LicenceApplication, OneTimeNotice

    application = LicenceApplication.objects.get(pk=_east_licence_application(cast))
    found = OneTimeNotice.objects.filter(application=application).first()
    if found is None:
        found = window_services.notice_issue(actor=cast.office, application=application)
    return found.pk


def _east_local_material(cast):
    from dangjian.warmth.window.models import LocalMaterial

    return LocalMaterial.objects.create(unit=cast.city.east, name="东湖门店照片", reason="核对").pk


def _licence_expiring(cast):
    import datetime as dt

    from django.utils import timezone

    customer = cast.customers.east
    customer.licence_expires_on = timezone.localdate() + dt.timedelta(days=30)
    customer.save()


def _east_app_url(template):
    return lambda cast: template.format(_east_licence_application(cast))


PUBLIC.update({"warmth/window/p/<str:token>/", "warmth/window/p/<str:token>/photo/"})

COVERAGE.update(
    {
        "warmth/window/": [
            Case(r("window:list"), setup=_east_licence_application),
            Case(r("window:list"), owner="auditor", setup=_east_licence_application),
        ],
        "warmth/window/export/": [Case(r("window:export"), setup=_east_licence_application)],
        "warmth/window/worklist/": [Case(r("window:worklist"), setup=_east_licence_application)],
        "warmth/window/new/": [Case(r("window:create"))],
        "warmth/window/suggest/<slug:kind>/": [
            Case(lambda c: "/warmth/window/suggest/customer/?customer_q=东湖"),
            Case(lambda c: "/warmth/window/suggest/staff/?staff_q=张"),
            # The window filters (list, worklist, expiring licences).
            Case(
                lambda c: "/warmth/window/suggest/window/?window_q=东湖",
                setup=_east_licence_window,
            ),
        ],
        "warmth/window/<int:pk>/": [Case(_east_app_url("/warmth/window/{}/"))],
        "warmth/window/<int:pk>/materials/": [
            Case(_east_app_url("/warmth/window/{}/materials/"), method="post", owner_status=302)
        ],
        "warmth/window/<int:pk>/notice/": [
            Case(_east_app_url("/warmth/window/{}/notice/"), method="post", owner_status=302)
        ],
        "warmth/window/<int:pk>/change/": [
            Case(_east_app_url("/warmth/window/{}/change/"), method="post", owner_status=302)
        ],
        "warmth/window/<int:pk>/accept/": [
            Case(_east_app_url("/warmth/window/{}/accept/"), method="post", owner_status=302)
        ],
        "warmth/window/<int:pk>/inspect/": [Case(_east_app_url("/warmth/window/{}/inspect/"))],
        "warmth/window/<int:pk>/inspect/suggest/": [
            Case(_east_app_url("/warmth/window/{}/inspect/suggest/?staff_q=张"))
        ],
        "warmth/window/<int:pk>/review/": [
            Case(_east_app_url("/warmth/window/{}/review/"), method="post", owner_status=302)
        ],
        "warmth/window/<int:pk>/extend/": [
            Case(_east_app_url("/warmth/window/{}/extend/"), method="post", owner_status=302)
        ],
        "warmth/window/<int:pk>/decide/": [
            Case(_east_app_url("/warmth/window/{}/decide/"), method="post", owner_status=302)
        ],
        "warmth/window/<int:pk>/deliver/": [
            Case(_east_app_url("/warmth/window/{}/deliver/"), method="post", owner_status=302)
        ],
        "warmth/window/<int:pk>/reveal/<str:field>/": [
            Case(_east_app_url("/warmth/window/{}/reveal/applicant_id_number/"), method="post")
        ],
        "warmth/window/notices/<int:pk>.pdf": [
            Case(_url("/warmth/window/notices/{}.pdf", _east_licence_notice))
        ],
        "warmth/window/windows/": [
            Case(r("window:windows"), owner="auditor", setup=_east_licence_window)
        ],
        "warmth/window/windows/new/": [Case(r("window:window_create"))],
        "warmth/window/windows/<int:pk>/": [
            Case(r("window:window_detail", _east_licence_window_pk))
        ],
        "warmth/window/windows/<int:pk>/edit/": [
            Case(r("window:window_edit", _east_licence_window_pk))
        ],
        "warmth/window/materials/new/": [Case(r("window:material_create"))],
        "warmth/window/materials/<int:pk>/edit/": [
            Case(r("window:material_edit", _east_local_material))
        ],
        # Expiring licences read customers: the outsider (西山's account manager) sees his own.
        "warmth/window/expiring/": [
            Case(r("window:expiring"), owner="manager", setup=_licence_expiring, outsider="absent")
        ],
        "warmth/window/expiring/export/": [
            Case(
                r("window:expiring_export"),
                owner="manager",
                setup=_licence_expiring,
                outsider="absent",
            )
        ],
        "warmth/window/expiring/print/": [
            Case(
                r("window:expiring_print"),
                owner="manager",
                setup=_licence_expiring,
                outsider="absent",
            )
        ],
        "api/v1/licence-applications": [
            Case(
                lambda c: "/api/v1/licence-applications",
                setup=_east_licence_application,
                outsider="absent",
            )
        ],
        "api/v1/licence-applications/<application_id>": [
            Case(_east_app_url("/api/v1/licence-applications/{}"))
        ],
        "api/v1/licence-windows": [
            Case(lambda c: "/api/v1/licence-windows", setup=_east_licence_window, outsider="absent")
        ],
    }
)

# --- 三评 (appraisal): campaigns, tokens and slips, member sheets ------------------------------


def _east_campaign(cast, *, status="open"):
    import datetime as dt

    from dangjian.appraisal import services as appraisal_services
    from dangjian.appraisal.models import Campaign

    today = dt.date.today()
    campaign = appraisal_services.campaign_save(
        actor=cast.secretary,
        campaign=Campaign(
            year=today.year,
            party_org=cast.city.east_branch,
            starts_on=today - dt.timedelta(days=1),
            ends_on=today + dt.timedelta(days=20),
        ),
        criteria=appraisal_services.default_criteria(),
        weights=dict(appraisal_services.DEFAULT_WEIGHTS),
    )
    if status == "open":
        campaign = appraisal_services.campaign_open(actor=cast.secretary, campaign=campaign)
    return campaign


def _east_campaign_pk(cast):
    return _east_campaign(cast).pk


def _east_draft_campaign_pk(cast):
    return _east_campaign(cast, status="draft").pk


def _east_token(cast):
    from dangjian.appraisal import services as appraisal_services
    from dangjian.appraisal.models import RatingToken

    campaign = _east_campaign(cast)
    appraisal_services.tokens_write(campaign_id=campaign.pk)
    token = RatingToken.objects.get(campaign=campaign, customer=cast.customers.east)
    return f"{campaign.pk}/tokens/{token.pk}"


def _east_area_slips(cast):
    pk = _east_campaign_pk(cast)
    from dangjian.appraisal import services as appraisal_services

    appraisal_services.tokens_write(campaign_id=pk)
    return pk


def _east_self_sheet(cast):
    return f"{_east_campaign_pk(cast)}/sheet/{cast.people.member.pk}/self"


PUBLIC.update(
    {
        "appraisal/rate/m/<str:token>/",
        "appraisal/rate/m/<str:token>/photo/",
        "appraisal/rate/<str:token>/",
        "appraisal/rate/<str:token>/photo/<int:person_id>/",
        "appraisal/survey/<str:public_token>/",
        "appraisal/survey/<str:public_token>/<str:card_token>/",
    }
)

COVERAGE.update(
    {
        "appraisal/": [
            Case(r("appraisal:list"), owner="secretary", setup=_east_campaign, outsider="absent")
        ],
        "appraisal/new/": [Case(r("appraisal:create"), owner="secretary", outsider="absent")],
        "appraisal/suggest/org/": [
            Case(
                lambda c: "/appraisal/suggest/org/?party_org_q=东湖",
                owner="secretary",
                outsider="absent",
            )
        ],
        "appraisal/todo/": [
            Case(r("appraisal:todo"), owner="member", setup=_east_campaign, outsider="absent")
        ],
        "appraisal/<int:pk>/": [Case(_url("/appraisal/{}/", _east_campaign_pk), owner="secretary")],
        "appraisal/<int:pk>/edit/": [
            Case(_url("/appraisal/{}/edit/", _east_draft_campaign_pk), owner="secretary")
        ],
        "appraisal/<int:pk>/open/": [
            Case(
                _url("/appraisal/{}/open/", _east_draft_campaign_pk),
                owner="secretary",
                method="post",
                owner_status=302,
            )
        ],
        "appraisal/<int:pk>/close/": [
            Case(
                _url("/appraisal/{}/close/", _east_campaign_pk),
                owner="secretary",
                method="post",
                owner_status=302,
            )
        ],
        "appraisal/<int:pk>/export/": [
            Case(_url("/appraisal/{}/export/", _east_campaign_pk), owner="secretary")
        ],
        "appraisal/<int:pk>/tokens/": [
            Case(_url("/appraisal/{}/tokens/", _east_campaign_pk), owner="secretary")
        ],
        "appraisal/<int:pk>/tokens/suggest/<slug:field>/": [
            Case(
                _url("/appraisal/{}/tokens/suggest/unit/?unit_q=东湖", _east_area_slips),
                owner="secretary",
            ),
            Case(
                _url("/appraisal/{}/tokens/suggest/area/?area_q=东湖", _east_area_slips),
                owner="secretary",
            ),
        ],
        "appraisal/<int:pk>/tokens/generate/": [
            Case(
                _url("/appraisal/{}/tokens/generate/", _east_campaign_pk),
                owner="secretary",
                method="post",
                owner_status=302,
            )
        ],
        "appraisal/<int:pk>/tokens/<int:token_id>/slip/": [
            Case(_url("/appraisal/{}/slip/", _east_token), owner="secretary")
        ],
        "appraisal/<int:pk>/slips/": [
            Case(
                _url("/appraisal/{}/slips/", _east_area_slips),
                owner="secretary",
                method="post",
                owner_status=302,
            )
        ],
        "appraisal/<int:pk>/sheet/<int:person_id>/<str:kind>/": [
            Case(_url("/appraisal/{}/", _east_self_sheet), owner="member")
        ],
        "api/v1/appraisal/campaigns": [
            Case(
                lambda c: "/api/v1/appraisal/campaigns",
                owner="secretary",
                setup=_east_campaign,
                outsider="absent",
            )
        ],
        "api/v1/appraisal/campaigns/<campaign_id>": [
            Case(_url("/api/v1/appraisal/campaigns/{}", _east_campaign_pk), owner="secretary")
        ],
        "api/v1/appraisal/campaigns/<campaign_id>/ratings": [
            Case(
                _url("/api/v1/appraisal/campaigns/{}/ratings", _east_campaign_pk),
                owner="secretary",
            )
        ],
    }
)


# --- 增值服务 (warmth.outreach) -------------------------------------------------------------


def _out_window(cast):
    from dangjian.warmth.window.models import LicenceWindow

    return LicenceWindow.objects.get_or_create(unit=cast.city.east, name="东湖县局办证窗口")[0]


def _out_group(cast):
    from dangjian.warmth.outreach.models import AreaGroup, AreaGroupMember

    group, _ = AreaGroup.objects.get_or_create(name="东湖城区片区群", unit=cast.city.east_area)
    AreaGroupMember.objects.get_or_create(group=group, customer=cast.customers.east)
    return group.pk


def _out_owner(cast):
    from dangjian.warmth.outreach.models import AreaGroupOwner

    return AreaGroupOwner.objects.get_or_create(
        group_id=_out_group(cast), person=cast.people.manager, role="account_manager"
    )[0].pk


def _out_broadcast(cast):
    from dangjian.warmth.outreach.models import Broadcast, BroadcastDelivery, BroadcastKind

    kind, _ = BroadcastKind.objects.get_or_create(
        key="scoping", defaults={"name": "测试类型", "subject": "s", "body": "b"}
    )
    broadcast, created = Broadcast.objects.get_or_create(
        group_id=_out_group(cast), kind=kind, title="东湖片区新品通知", content="东湖"
    )
    if created:
        BroadcastDelivery.objects.create(
            broadcast=broadcast, customer=cast.customers.east, channel="sms", status="failed"
        )
    return broadcast.pk


def _out_greeting(cast):
    import datetime as dt

    from dangjian.warmth.outreach.models import Greeting, GreetingOccasion

    occasion, _ = GreetingOccasion.objects.get_or_create(
        key="scoping", defaults={"name": "测试场合", "kind": "solar", "subject": "s", "body": "b"}
    )
    Greeting.objects.get_or_create(
        customer=cast.customers.east,
        occasion=occasion,
        year=2026,
        defaults={"on_date": dt.date(2026, 10, 1), "channel": "console"},
    )
    return occasion.pk


def _out_opt_out(cast):
    from dangjian.warmth.outreach.models import GreetingOptOut

    GreetingOptOut.objects.get_or_create(customer=cast.customers.east, defaults={"reason": "东湖"})
    return cast.customers.east.pk


def _out_home(cast):
    import datetime as dt

    from django.utils import timezone

    from dangjian.warmth.outreach.models import HomeService

    service, created = HomeService.objects.get_or_create(
        customer=cast.customers.east,
        defaults={
            "unit": cast.city.east_area,
            "kind": "licence",
            "request_note": "东湖上门办证",
            "address": "东湖人民路",
            "scheduled_at": timezone.now() + dt.timedelta(days=2),
        },
    )
    if created:
        service.staff.set([cast.people.manager, cast.people.member])
    return service.pk


def _out_roster(cast):
    import datetime as dt

    from django.utils import timezone

    from dangjian.warmth.outreach.models import DutyRoster, DutySlot, OffDayBooking

    day = timezone.localdate() + dt.timedelta(days=1)
    while day.weekday() != 5:
        day += dt.timedelta(days=1)
    roster, created = DutyRoster.objects.get_or_create(window=_out_window(cast), date=day)
    if created:
        roster.staff.set([cast.people.member])
        slot = DutySlot.objects.create(
            roster=roster, starts_at=dt.time(9), ends_at=dt.time(11), capacity=5
        )
        OffDayBooking.objects.create(
            slot=slot, name="东湖刘店主", phone="13812345678", purpose="new"
        )
    return roster.pk


def _out_booking(cast):
    from dangjian.warmth.outreach.models import OffDayBooking

    _out_roster(cast)
    return OffDayBooking.objects.get(name="东湖刘店主").pk


def _out_kind(cast):
    from dangjian.warmth.outreach.models import BroadcastKind

    return BroadcastKind.objects.get_or_create(
        key="scoping", defaults={"name": "测试类型", "subject": "s", "body": "b"}
    )[0].pk


PUBLIC.update(
    {
        "warmth/outreach/book/<str:token>/",
        "warmth/outreach/book/<str:token>/submit/",
        "warmth/outreach/book/<str:token>/done/",
        "warmth/outreach/book/<str:token>/cancel/",
    }
)

_O = "warmth/outreach/"


def _o(path, make=None, **kw):
    url = (lambda c: f"/{_O}{path.format(make(c))}") if make else (lambda c: f"/{_O}{path}")
    return Case(url, **kw)


COVERAGE.update(
    {
        _O: [_o("", owner="manager", outsider="absent", setup=_out_home)],
        _O + "suggest/<slug:field>/": [
            _o("suggest/customer/?customer_q=3601", owner="manager", outsider="absent"),
            # The duty roster list's window filter: the outsider sees no window of 东湖.
            _o("suggest/window/?window_q=东湖", outsider="absent", setup=_out_roster),
        ],
        _O + "groups/": [_o("groups/", owner="manager", outsider="absent", setup=_out_group)],
        _O + "groups/new/": [_o("groups/new/", owner="manager", outsider="absent")],
        _O + "groups/<int:pk>/": [_o("groups/{}/", _out_group, owner="manager")],
        _O + "groups/<int:pk>/edit/": [_o("groups/{}/edit/", _out_group, owner="manager")],
        _O + "groups/<int:pk>/members/add/": [
            _o("groups/{}/members/add/", _out_group, owner="manager")
        ],
        _O + "groups/<int:pk>/members/remove/": [
            _o(
                "groups/{}/members/remove/",
                _out_group,
                owner="manager",
                method="post",
                owner_status=302,
            )
        ],
        _O + "groups/<int:pk>/owners/add/": [
            _o(
                "groups/{}/owners/add/",
                _out_group,
                owner="manager",
                method="post",
                owner_status=302,
            )
        ],
        _O + "owners/<int:pk>/remove/": [
            _o("owners/{}/remove/", _out_owner, owner="manager", method="post", owner_status=302)
        ],
        _O + "groups/<int:pk>/broadcast/": [
            _o("groups/{}/broadcast/", _out_group, owner="manager")
        ],
        _O + "broadcasts/": [
            _o("broadcasts/", owner="manager", outsider="absent", setup=_out_broadcast)
        ],
        _O + "broadcasts/<int:pk>/": [_o("broadcasts/{}/", _out_broadcast, owner="manager")],
        _O + "broadcasts/<int:pk>/export/": [
            _o("broadcasts/{}/export/", _out_broadcast, owner="manager")
        ],
        _O + "broadcasts/<int:pk>/retry/": [
            _o(
                "broadcasts/{}/retry/",
                _out_broadcast,
                owner="manager",
                method="post",
                owner_status=302,
            )
        ],
        _O + "broadcasts/<int:pk>/progress/": [
            _o("broadcasts/{}/progress/", _out_broadcast, owner="manager")
        ],
        # Broadcast kinds are configuration (no customer data): every role reads them.
        _O + "kinds/": [_o("kinds/", outsider="absent")],
        _O + "kinds/<int:pk>/": [_o("kinds/{}/", _out_kind)],
        _O + "greetings/": [_o("greetings/", owner="manager", outsider="absent")],
        _O + "greetings/log/": [
            _o("greetings/log/", owner="manager", outsider="absent", setup=_out_greeting)
        ],
        _O + "greetings/occasions/<int:pk>/": [_o("greetings/occasions/{}/", _out_greeting)],
        _O + "greetings/opt-outs/": [
            _o("greetings/opt-outs/", owner="manager", outsider="absent", setup=_out_opt_out)
        ],
        _O + "greetings/opt-outs/<int:pk>/remove/": [
            _o(
                "greetings/opt-outs/{}/remove/",
                _out_opt_out,
                owner="manager",
                method="post",
                owner_status=302,
            )
        ],
        _O + "home/": [_o("home/", owner="manager", outsider="absent", setup=_out_home)],
        _O + "home/calendar/": [
            _o("home/calendar/", owner="manager", outsider="absent", setup=_out_home)
        ],
        _O + "home/mine/": [_o("home/mine/", owner="manager", outsider="absent", setup=_out_home)],
        _O + "home/new/": [_o("home/new/", owner="manager", outsider="absent")],
        _O + "home/<int:pk>/": [_o("home/{}/", _out_home, owner="manager")],
        _O + "home/<int:pk>/edit/": [_o("home/{}/edit/", _out_home, owner="manager")],
        _O + "home/<int:pk>/record/": [
            _o("home/{}/record/", _out_home, owner="manager", method="post", owner_status=302)
        ],
        _O + "home/<int:pk>/cancel/": [
            _o("home/{}/cancel/", _out_home, owner="manager", method="post", owner_status=302)
        ],
        _O + "rosters/": [_o("rosters/", outsider="absent", setup=_out_roster)],
        _O + "rosters/new/": [_o("rosters/new/")],
        _O + "rosters/<int:pk>/": [_o("rosters/{}/", _out_roster)],
        _O + "rosters/<int:pk>/edit/": [_o("rosters/{}/edit/", _out_roster)],
        _O + "rosters/<int:pk>/delete/": [
            _o("rosters/{}/delete/", _out_roster, method="post", owner_status=302)
        ],
        _O + "bookings/<int:pk>/mark/": [
            _o("bookings/{}/mark/", _out_booking, method="post", owner_status=302)
        ],
        _O + "bookings/<int:pk>/cancel/": [
            _o("bookings/{}/cancel/", _out_booking, method="post", owner_status=302)
        ],
        _O + "bookings/<int:pk>/reveal/": [_o("bookings/{}/reveal/", _out_booking, method="post")],
        _O + "duty/mine/": [_o("duty/mine/", owner="member", outsider="absent", setup=_out_roster)],
        "api/v1/outreach/groups": [
            Case(
                lambda c: "/api/v1/outreach/groups",
                owner="manager",
                setup=_out_group,
                outsider="absent",
            )
        ],
        "api/v1/outreach/broadcasts": [
            Case(
                lambda c: "/api/v1/outreach/broadcasts",
                owner="manager",
                setup=_out_broadcast,
                outsider="absent",
            )
        ],
        "api/v1/outreach/broadcasts/<broadcast_id>": [
            Case(_url("/api/v1/outreach/broadcasts/{}", _out_broadcast), owner="manager")
        ],
        "api/v1/outreach/home-services": [
            Case(
                lambda c: "/api/v1/outreach/home-services",
                owner="manager",
                setup=_out_home,
                outsider="absent",
            )
        ],
        "api/v1/outreach/bookings": [
            Case(lambda c: "/api/v1/outreach/bookings", setup=_out_roster, outsider="absent")
        ],
    }
)


CASES = [
    pytest.param(route, case, id=f"{route or '/'}#{i}")
    for route, cases in COVERAGE.items()
    for i, case in enumerate(cases)
]


def test_every_url_in_the_url_map_is_covered_by_the_scoping_table():
    routes = set(_routes())
    missing = sorted(routes - set(COVERAGE) - PUBLIC)
    assert not missing, f"URL patterns without a scoping test row: {missing}"
    stale = sorted(set(COVERAGE) - routes)
    assert not stale, f"scoping rows for URLs that no longer exist: {stale}"


def _request(client, case, url, user=None):
    is_api = url.startswith("/api/")
    headers = {}
    if is_api and user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {ApiToken.issue(user)}"
    elif user is not None:
        client.force_login(user)
    if case.method == "post":
        if is_api:
            return client.post(url, case.data or {}, content_type="application/json", **headers)
        return client.post(url, case.data or {}, **headers)
    return client.get(url, **headers)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
        if content[:2] == b"PK":  # an Excel file: read its cells
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(content), read_only=True)
            return " ".join(
                str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row
            )
        return content.decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize(("route", "case"), CASES)
def test_anonymous_is_sent_to_login(client, cast, route, case):
    url = case.url(cast)
    response = _request(client, case, url)
    if url.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("route", "case"), CASES)
def test_outsider_gets_404_or_nothing_of_the_other_branch(client, cast, route, case):
    if case.setup:
        case.setup(cast)
    response = _request(client, case, case.url(cast), cast.outsider)
    if case.outsider == "absent":
        assert response.status_code == 200
        body = _body(response)
        leaked = [m for m in EAST_MARKERS if m in body]
        assert not leaked, f"outsider sees {leaked}"
    else:
        assert response.status_code == case.outsider


@pytest.mark.parametrize(("route", "case"), CASES)
def test_owner_gets_the_page(client, cast, route, case):
    if case.setup:
        case.setup(cast)
    response = _request(client, case, case.url(cast), getattr(cast, case.owner))
    assert response.status_code == case.owner_status


def test_grant_on_the_only_root_needs_no_filter(cast):
    qs = RetailCustomer.objects.restrict(User.objects.get(pk=cast.office.pk))
    assert "WHERE" not in str(qs.query)
    assert qs.count() == 3


def test_second_root_brings_the_subtree_filter_back(cast):
    Unit.objects.add_root(instance=Unit(name="另一家公司", code="U-X", kind="company"))
    qs = RetailCustomer.objects.restrict(User.objects.get(pk=cast.office.pk))
    assert "WHERE" in str(qs.query)
    assert qs.count() == 3
