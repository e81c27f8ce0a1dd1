import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.dues.selectors import dues_paid_through
from dangjian.people.models import Membership
from dangjian.transfers.models import MobileMember, Transfer


def test_the_secretary_issues_a_letter_with_dues_prefilled(login, cast):
    client = login(cast.secretary)
    person = cast.people.member
    page = client.get(reverse("transfers:create"), {"person": person.pk})
    assert page.context["form"].initial["dues_paid_through"] == dues_paid_through(person)
    response = client.post(
        reverse("transfers:create"),
        {
            "person": person.pk,
            "to_org": cast.city.west_branch.pk,
            "reason": "job",
            "issued_on": timezone.localdate().isoformat(),
        },
    )
    transfer = Transfer.objects.get()
    assert response.status_code == 302
    assert transfer.dues_paid_through == dues_paid_through(person)
    assert transfer.valid_months == 3


def test_a_bad_month_names_the_field(login, cast):
    response = login(cast.secretary).post(
        reverse("transfers:create"),
        {
            "person": cast.people.member.pk,
            "to_org_name": "外省某支部",
            "reason": "job",
            "issued_on": "2026-11-02",
            "dues_paid_through": "十月",
        },
    )
    assert "党费交至（年-月）：格式应为 年-月" in response.content.decode()
    assert not Transfer.objects.exists()


def test_the_receiving_secretary_confirms_in_the_browser(login, cast, issue):
    transfer = issue()
    sender = login(cast.secretary)
    assert (
        "确认接收"
        not in sender.get(reverse("transfers:detail", args=[transfer.pk])).content.decode()
    )
    receiver = login(cast.outsider)
    page = receiver.get(reverse("transfers:detail", args=[transfer.pk])).content.decode()
    assert "确认接收" in page
    receiver.post(
        reverse("transfers:receive", args=[transfer.pk]),
        {"received_on": timezone.localdate().isoformat(), "receipt_note": "已接收"},
    )
    assert Membership.objects.get(person=cast.people.member).branch == cast.city.west_branch


def test_outsiders_get_404(login, cast, issue):
    transfer = issue(to_org=None, to_org_name="外省某支部")
    client = login(cast.outsider)
    for name in ("transfers:detail", "transfers:letter"):
        assert client.get(reverse(name, args=[transfer.pk])).status_code == 404
    assert client.post(reverse("transfers:receive", args=[transfer.pk])).status_code == 404


def test_the_letter_prints_as_pdf_with_stub_and_receipt(login, cast, issue):
    transfer = issue()
    response = login(cast.secretary).get(reverse("transfers:letter", args=[transfer.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_list_flags_overdue_letters_with_few_queries(
    login, cast, issue, django_assert_max_num_queries
):
    transfer = issue(issued_on=dt.date(2025, 1, 6))
    for i in range(20):
        Transfer.objects.create(
            number=f"2024-{i:04d}",
            person=cast.people.probationary,
            member_status="probationary",
            joined_on=dt.date(2024, 1, 1),
            from_org=cast.city.east_branch,
            from_org_name="东湖县局党支部",
            to_org_name="外省",
            reason="job",
            issued_on=dt.date(2024, 1, 1),
            valid_months=3,
            valid_until=dt.date(2024, 3, 31),
            status="cancelled",
        ).orgs.set([cast.city.east_branch])
    client = login(cast.secretary)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("transfers:list")).content.decode()
    assert "1 份介绍信逾期未回执" in body
    overdue = client.get(reverse("transfers:list"), {"overdue": "on"}).content.decode()
    assert transfer.number in overdue and "2024-0001" not in overdue


def test_export(login, cast, issue):
    transfer = issue()
    response = login(cast.secretary).get(reverse("transfers:export"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert transfer.number in [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert login(cast.member).get(reverse("transfers:export")).status_code == 404


def test_registering_a_mobile_member_and_his_return(login, cast, django_assert_max_num_queries):
    client = login(cast.secretary)
    response = client.post(
        reverse("transfers:mobile_create"),
        {
            "person": cast.people.member.pk,
            "destination": "广东省深圳市",
            "since": "2026-10-01",
            "expected_return": "2027-01-31",
            "contact_phone": "13700001111",
        },
    )
    mobile = MobileMember.objects.get()
    assert response.status_code == 302
    with django_assert_max_num_queries(10):
        listing = client.get(reverse("transfers:mobile_list")).content.decode()
    assert "广东省深圳市" in listing
    detail = client.get(reverse("transfers:mobile_detail", args=[mobile.pk])).content.decode()
    assert "137****1111" in detail and "13700001111" not in detail
    client.post(reverse("transfers:mobile_end", args=[mobile.pk]), {"ended_on": "2026-11-01"})
    mobile.refresh_from_db()
    assert mobile.status == MobileMember.Status.RETURNED


def test_a_long_absence_is_refused_as_mobile_member(login, cast):
    response = login(cast.secretary).post(
        reverse("transfers:mobile_create"),
        {
            "person": cast.people.member.pk,
            "destination": "广东省深圳市",
            "since": "2026-10-01",
            "expected_return": "2027-06-30",
        },
    )
    assert "应转接组织关系" in response.content.decode()
    assert not MobileMember.objects.exists()


def test_incoming_from_outside_in_the_browser(login, cast):
    client = login(cast.secretary)
    response = client.post(
        reverse("transfers:create_incoming"),
        {
            "person": cast.people.manager.pk,
            "to_org": cast.city.east_branch.pk,
            "from_org_name": "福建省厦门市某党支部",
            "member_status": "probationary",
            "joined_on": "2026-05-01",
            "reason": "job",
            "issued_on": "2026-10-20",
            "valid_months": 3,
        },
    )
    assert response.status_code == 302
    assert Transfer.objects.get().to_org == cast.city.east_branch
