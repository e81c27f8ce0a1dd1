"""The one scoping mechanism: subtree reach, deny by default, own-only roles."""

from dangjian.accounts.models import User
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


# ---------------------------------------------------------------------------------------
# Every URL in the URL map, walked: anonymous → login (401 on the API), an outsider (the
# other branch) → 404 or nothing of 东湖, the owner → 200. A URL missing from COVERAGE fails.
# ---------------------------------------------------------------------------------------

import io  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
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
