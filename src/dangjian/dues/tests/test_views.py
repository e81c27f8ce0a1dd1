"""The dues pages, as the cast uses them."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from dangjian.dues.models import DuesBase, DuesPayment

from .factories import base, paid

THIS = timezone.localdate().replace(day=1)


def test_member_sees_his_own_ledger_and_base(login, cast):
    base(cast.people.member, dt.date(THIS.year, 1, 1), "4000")
    paid(cast.people.member, dt.date(THIS.year, 1, 1), "40.00", proxy_name="王芳")
    page = login(cast.member).get(reverse("dues:mine"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "我的党费" in text and "4000" in text and "40.00" in text and "王芳" in text
    assert "登记交纳" not in text  # no write buttons for a member
    # …and nobody else's.
    other = reverse("dues:member", args=[cast.people.secretary.pk])
    assert login(cast.member).get(other).status_code == 404


def test_index_sends_members_to_their_ledger(login, cast):
    assert login(cast.member).get(reverse("dues:index"))["Location"] == reverse("dues:mine")
    assert login(cast.secretary).get(reverse("dues:index"))["Location"] == reverse("dues:arrears")


def test_secretary_records_a_base_from_the_form(login, cast):
    url = reverse("dues:base_create", args=[cast.people.member.pk])
    response = login(cast.secretary).post(
        url, {"effective_month": "2025-01", "category": "employed", "amount": "三千"}
    )
    assert response.status_code == 200
    assert "交纳基数（元）：「三千」不是数字" in response.content.decode()
    response = login(cast.secretary).post(
        url, {"effective_month": "2025-01", "category": "employed", "amount": "-1"}
    )
    assert "交纳基数（元）：基数不能为负数" in response.content.decode()
    assert not DuesBase.objects.exists()
    response = login(cast.secretary).post(
        url, {"effective_month": "2025-01", "category": "employed", "amount": "3,000.01"}
    )
    assert response.status_code == 302
    assert DuesBase.objects.get().monthly_due == Decimal("30.00")


def test_payment_form_is_prefilled_with_the_due_and_refuses_a_second_payment(login, cast):
    base(cast.people.member, dt.date(2024, 1, 1), "5000.01")
    url = reverse("dues:payment_create", args=[cast.people.member.pk])
    client = login(cast.secretary)
    assert 'value="75.00"' in client.get(url).content.decode()
    data = {
        "month": THIS.strftime("%Y-%m"),
        "amount": "75.00",
        "paid_on": timezone.localdate(),
        "method": "cash",
    }
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert "不能重复交纳" in again.content.decode()
    assert DuesPayment.objects.count() == 1


def test_branch_ledger_grid_and_export(login, cast, django_assert_max_num_queries):
    for person in (cast.people.member, cast.people.secretary, cast.people.probationary):
        base(person, dt.date(2025, 1, 1), "4000")
        paid(person, dt.date(2025, 1, 1), "40.00")
    client = login(cast.secretary)
    url = reverse("dues:branch", args=[cast.city.east_branch.pk]) + "?year=2025"
    client.get(reverse("dues:calculator"))
    with django_assert_max_num_queries(14):
        page = client.get(url)
    assert page.status_code == 200 and "李四" in page.content.decode()
    export = client.get(
        reverse("dues:branch_export", args=[cast.city.east_branch.pk]) + "?year=2025"
    )
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert login(cast.outsider).get(url).status_code == 404
    assert login(cast.member).get(url).status_code == 404


def test_branch_ledger_query_count_does_not_grow_with_members(
    login, cast, django_assert_max_num_queries
):
    from dangjian.conftest import make_person

    for i in range(15):
        person = make_person(f"党员{i}", cast.city.east, branch=cast.city.east_branch)
        base(person, dt.date(2025, 1, 1), "4000")
        paid(person, dt.date(2025, 1, 1), "40.00")
    client = login(cast.secretary)
    client.get(reverse("dues:calculator"))  # the session exists before counting
    with django_assert_max_num_queries(14):
        page = client.get(reverse("dues:branch", args=[cast.city.east_branch.pk]) + "?year=2025")
    assert page.status_code == 200 and "党员14" in page.content.decode()


def test_bulk_entry_records_checked_rows_all_or_nothing(login, cast):
    base(cast.people.member, dt.date(2024, 1, 1), "4000")
    base(cast.people.secretary, dt.date(2024, 1, 1), "3000")
    url = reverse("dues:bulk_entry", args=[cast.city.east_branch.pk])
    month = THIS.strftime("%Y-%m")
    client = login(cast.secretary)
    page = client.get(url, {"month": month}).content.decode()
    assert 'value="40.00"' in page and 'value="15.00"' in page
    today = timezone.localdate().isoformat()
    member, secretary = cast.people.member.pk, cast.people.secretary.pk
    data = {
        "month": month,
        f"pay_{member}": "on",
        f"amount_{member}": "40.00",
        f"paid_on_{member}": today,
        f"method_{member}": "cash",
        f"pay_{secretary}": "on",
        f"amount_{secretary}": "-1",
        f"paid_on_{secretary}": today,
        f"method_{secretary}": "cash",
    }
    bad = client.post(url, data)
    assert bad.status_code == 200 and "负数" in bad.content.decode()
    assert not DuesPayment.objects.exists()
    data[f"amount_{secretary}"] = "15.00"
    data[f"proxy_{secretary}"] = "张妻"
    assert client.post(url, data).status_code == 302
    assert DuesPayment.objects.count() == 2
    assert DuesPayment.objects.get(person=cast.people.secretary).proxy_name == "张妻"
    assert login(cast.member).get(url).status_code == 404


def test_calculator_page(login, cast):
    client = login(cast.member)
    page = client.get(reverse("dues:calculator"), {"base": "10000.01", "category": "employed"})
    assert "200.00" in page.content.decode()
    bad = client.get(reverse("dues:calculator"), {"base": "三千", "category": "employed"})
    assert "月收入基数（元）：「三千」不是数字" in bad.content.decode()


def test_arrears_pages(login, cast):
    base(cast.people.member, dt.date(2024, 1, 1), "4000")
    client = login(cast.office)
    page = client.get(reverse("dues:arrears")).content.decode()
    assert "东湖县局党支部" in page and "西山县局党支部" in page
    branch = client.get(reverse("dues:branch_arrears", args=[cast.city.east_branch.pk]))
    assert "李四" in branch.content.decode()
    outsider = login(cast.outsider).get(reverse("dues:arrears")).content.decode()
    assert "东湖" not in outsider


def test_flag_list_and_resolve(login, cast):
    from dangjian.dues.models import ArrearsFlag

    flag = ArrearsFlag.objects.create(
        person=cast.people.member,
        first_unpaid_month=dt.date(2025, 1, 1),
        months=6,
        flagged_on=timezone.localdate(),
    )
    client = login(cast.secretary)
    assert "李四" in client.get(reverse("dues:flags")).content.decode()
    assert (
        login(cast.outsider)
        .post(reverse("dues:flag_resolve", args=[flag.pk]), {"resolution": "x"})
        .status_code
        == 404
    )
    client = login(cast.secretary)
    client.post(reverse("dues:flag_resolve", args=[flag.pk]), {"resolution": "已补交"})
    flag.refresh_from_db()
    assert flag.resolution == "已补交"


def test_member_forms_for_outsider_are_404(login, cast):
    for name in (
        "base_create",
        "payment_create",
        "extra_create",
        "consent_create",
        "decision_create",
    ):
        assert (
            login(cast.outsider)
            .get(reverse(f"dues:{name}", args=[cast.people.member.pk]))
            .status_code
            == 404
        )
        assert (
            login(cast.member)
            .get(reverse(f"dues:{name}", args=[cast.people.member.pk]))
            .status_code
            == 404
        )


def test_flag_list_pages_fifty_longest_first(login, cast, django_assert_max_num_queries):
    from dangjian.conftest import make_person
    from dangjian.dues.models import ArrearsFlag

    east = cast.city.east_branch
    people = [make_person(f"欠交{i:02d}", cast.city.east_area, branch=east) for i in range(55)]
    ArrearsFlag.objects.bulk_create(
        ArrearsFlag(
            person=p,
            first_unpaid_month=dt.date(2025, 1, 1),
            months=6 + i,
            flagged_on=timezone.localdate(),
        )
        for i, p in enumerate(people)
    )
    client = login(cast.office)
    with django_assert_max_num_queries(8):
        first = client.get(reverse("dues:flags")).content.decode()
    assert "共 55 条，第 1 / 2 页" in first
    assert "欠交54" in first and "欠交04" not in first  # the longest arrears first
    second = client.get(reverse("dues:flags"), {"page": 2}).content.decode()
    assert "欠交04" in second and "欠交54" not in second
    # Resolving one on page 2 comes back to page 2.
    flag = ArrearsFlag.objects.get(person=people[0])
    response = client.post(
        reverse("dues:flag_resolve", args=[flag.pk]), {"resolution": "已补交", "page": "2"}
    )
    assert response["Location"] == reverse("dues:flags") + "?page=2"
    assert "欠交00" not in client.get(response["Location"]).content.decode()
