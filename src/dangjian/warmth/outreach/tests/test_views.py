"""The staff pages: each for its owner, 404 for the outsider, pinned query counts on lists,
bad form input named by field."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.conftest import make_person
from dangjian.warmth.outreach import services
from dangjian.warmth.outreach.models import AreaGroup, Broadcast, BroadcastKind, HomeService

pytestmark = pytest.mark.django_db
T = dt.time


@pytest.fixture
def filled(cast, group, window):
    services.area_group_members_add(actor=cast.manager, group=group, unit=cast.city.east_area)
    broadcast = services.broadcast_send(
        actor=cast.manager,
        group=group,
        kind=BroadcastKind.objects.get(key="marketing"),
        title="新品上市",
        content="东湖片区新品上市",
    )
    services.broadcast_deliver(broadcast_id=broadcast.pk)
    cast.customers.east.elderly = True
    cast.customers.east.save()
    home = services.home_service_create(
        actor=cast.manager,
        service=HomeService(
            customer=cast.customers.east,
            kind="training",
            request_note="卷烟真假鉴别培训",
            scheduled_at=timezone.now() + dt.timedelta(days=2),
        ),
        staff=[cast.people.manager, make_person("周九", cast.city.east_area)],
    )
    day = timezone.localdate() + dt.timedelta(days=1)
    while day.weekday() != 5:
        day += dt.timedelta(days=1)
    roster = services.roster_save(
        actor=cast.office,
        window=window,
        date=day,
        staff=[cast.people.member],
        slots=[(T(9), T(11), 3)],
    )
    services.booking_create(
        slot=roster.slots.get(), name="刘店主", phone="13812345678", purpose="new"
    )
    return type("F", (), {"broadcast": broadcast, "home": home, "roster": roster, "group": group})


PAGES = [
    ("outreach:index", "manager"),
    ("outreach:groups", "manager"),
    ("outreach:broadcasts", "manager"),
    ("outreach:kind_list", "office"),
    ("outreach:greetings", "manager"),
    ("outreach:greeting_log", "manager"),
    ("outreach:opt_outs", "manager"),
    ("outreach:home_list", "manager"),
    ("outreach:home_calendar", "manager"),
    ("outreach:home_mine", "manager"),
    ("outreach:home_create", "manager"),
    ("outreach:rosters", "office"),
    ("outreach:roster_create", "office"),
    ("outreach:duty_mine", "member"),
    ("outreach:group_create", "manager"),
]


@pytest.mark.parametrize(("name", "who"), PAGES)
def test_each_page_opens_for_its_owner(login, cast, filled, name, who):
    response = login(getattr(cast, who)).get(reverse(name))
    assert response.status_code == 200


def test_the_delivery_log_shows_the_broadcast_and_its_rows(login, cast, filled):
    response = login(cast.manager).get(
        reverse("outreach:broadcast_detail", args=[filled.broadcast.pk])
    )
    body = response.content.decode()
    assert "新品上市" in body and "东湖城区片区便民店001" in body


def test_the_outsider_gets_404_on_every_detail(login, cast, filled):
    client = login(cast.outsider)
    for name, pk in [
        ("outreach:group_detail", filled.group.pk),
        ("outreach:broadcast_detail", filled.broadcast.pk),
        ("outreach:home_detail", filled.home.pk),
        ("outreach:roster_detail", filled.roster.pk),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 404


def test_the_outsider_sees_none_of_it_in_lists(login, cast, filled):
    client = login(cast.outsider)
    for name in ("outreach:groups", "outreach:broadcasts", "outreach:home_list"):
        body = client.get(reverse(name)).content.decode()
        assert "东湖" not in body, name


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("outreach:groups", 9),
        ("outreach:broadcasts", 10),
        ("outreach:home_list", 10),
        ("outreach:greeting_log", 8),
        ("outreach:rosters", 10),
    ],
)
def test_list_pages_have_a_pinned_query_count(
    login, cast, filled, name, limit, django_assert_max_num_queries
):
    client = login(cast.office)
    with django_assert_max_num_queries(limit):
        assert client.get(reverse(name)).status_code == 200


def test_creating_a_group_with_a_bad_webhook_names_the_field(login, cast):
    response = login(cast.manager).post(
        reverse("outreach:group_create"),
        {"name": "东湖片区群", "unit": cast.city.east_area.pk, "robot_webhook": "ftp://x"},
    )
    assert response.status_code == 200
    assert "群机器人地址必须以" in response.content.decode()
    assert not AreaGroup.objects.exists()


def test_a_broadcast_from_the_page_starts_the_job(
    login, cast, group, django_capture_on_commit_callbacks
):
    services.area_group_members_add(actor=cast.manager, group=group, unit=cast.city.east_area)
    kind = BroadcastKind.objects.get(key="health")
    response = login(cast.manager).post(
        reverse("outreach:broadcast_create", args=[group.pk]),
        {"kind": kind.pk, "title": "防暑提示", "content": "高温天气注意防暑。"},
    )
    broadcast = Broadcast.objects.get()
    assert response.status_code == 302 and broadcast.job_id
    assert broadcast.recipients == 2


def test_the_home_service_form_refuses_one_staff(login, cast):
    cast.customers.east.elderly = True
    cast.customers.east.save()
    when = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = login(cast.manager).post(
        reverse("outreach:home_create"),
        {
            "customer": cast.customers.east.pk,
            "kind": "licence",
            "request_note": "换证",
            "scheduled_at": when,
            "staff": [cast.people.manager.pk],
        },
    )
    assert response.status_code == 200
    assert "至少2名" in response.content.decode()
    assert not HomeService.objects.exists()


def test_the_roster_form_refuses_an_adjusted_working_day(login, cast, window):
    response = login(cast.office).post(
        reverse("outreach:roster_create"),
        {
            "window": window.pk,
            "date": "2026-10-10",
            "staff": [cast.people.member.pk],
            "slot0_start": "09:00",
            "slot0_end": "11:00",
            "slot0_capacity": "3",
        },
    )
    assert response.status_code == 200
    assert "调休" in response.content.decode()


def test_duty_staff_see_their_bookings(login, cast, filled):
    body = login(cast.member).get(reverse("outreach:duty_mine")).content.decode()
    assert "刘店主" in body and "138****5678" in body


def test_revealing_a_bookers_phone_is_logged(login, cast, filled):
    from dangjian.platform.models import AccessLog

    booking = filled.roster.slots.get().bookings.get()
    response = login(cast.office).post(reverse("outreach:booking_reveal", args=[booking.pk]))
    assert response.json()["value"] == "13812345678"
    assert AccessLog.objects.filter(action="reveal", field="phone").exists()


def test_the_roster_list_filters_by_a_picked_window_without_listing_them_all(
    login, cast, filled, window
):
    from dangjian.warmth.window.models import LicenceWindow

    others = [
        LicenceWindow.objects.create(unit=cast.city.west, name=f"西山第{i}办证窗口")
        for i in range(25)
    ]
    client = login(cast.office)
    body = client.get(reverse("outreach:rosters")).content.decode()
    assert 'name="window_q"' in body and '<select class="form-select" name="window"' not in body
    assert filled.roster.window.name in body  # the roster row, not an option
    page = client.get(reverse("outreach:rosters"), {"window": window.pk})
    assert list(page.context["listing"].rows) == [filled.roster]
    assert f'id="id_window_chosen_{window.pk}" checked' in page.content.decode()
    assert (
        not client.get(reverse("outreach:rosters"), {"window": others[0].pk})
        .context["listing"]
        .rows
    )
    suggest = client.get(reverse("outreach:suggest", args=["window"]), {"window_q": "东湖"})
    assert window.name in suggest.content.decode()


def test_the_roster_list_refuses_a_window_out_of_scope_with_a_message(login, cast, filled, window):
    # The outsider (西山) reads rosters but no 东湖 window: a message, no filter, no 东湖 data.
    page = login(cast.outsider).get(reverse("outreach:rosters"), {"window": window.pk})
    body = page.content.decode()
    assert page.status_code == 200
    assert "请从搜索结果中选择；所选项不存在或不在您的权限范围内" in body
    assert "东湖" not in body
