import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.conftest import make_customer
from dangjian.platform.models import AccessLog
from dangjian.warmth.visits.models import Discussion, Visit, VisitKind, VisitPlan

from .conftest import jpeg

TODAY = timezone.localdate


def test_the_manager_logs_a_visit_with_photos_from_the_quick_form(login, cast, kind):
    client = login(cast.manager)
    customer = cast.customers.east
    page = client.get(reverse("visits:create"), {"customer": customer.pk})
    body = page.content.decode()
    assert 'capture="environment"' in body and 'accept="image/*"' in body
    assert customer.shop_name in body
    response = client.post(
        reverse("visits:create"),
        {
            "customer": customer.pk,
            "visited_on": TODAY().isoformat(),
            "kind": kind("display").pk,
            "notes": "调整陈列",
            "staff": cast.people.manager.pk,
            "photos_before": [jpeg("a.jpg")],
            "photos_after": [jpeg("b.jpg", colour="blue")],
            "next": reverse("visits:due"),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:due")
    visit = Visit.objects.get()
    assert visit.photos.count() == 2
    assert visit.staff == cast.people.manager


def test_a_bad_photo_names_the_field_and_saves_nothing(login, cast, kind):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = login(cast.manager).post(
        reverse("visits:create"),
        {
            "customer": cast.customers.east.pk,
            "visited_on": TODAY().isoformat(),
            "kind": kind().pk,
            "staff": cast.people.manager.pk,
            "photos_before": [SimpleUploadedFile("x.jpg", b"text", content_type="image/jpeg")],
        },
    )
    assert response.status_code == 200
    assert "不是有效的图片文件（x.jpg）" in response.content.decode()
    assert not Visit.objects.exists()


def test_a_future_date_names_the_field(login, cast, kind):
    response = login(cast.manager).post(
        reverse("visits:create"),
        {
            "customer": cast.customers.east.pk,
            "visited_on": (TODAY() + dt.timedelta(days=3)).isoformat(),
            "kind": kind().pk,
            "staff": cast.people.manager.pk,
        },
    )
    assert "走访日期：走访日期不能晚于今天" in response.content.decode()
    assert not Visit.objects.exists()


def test_the_customer_picker_finds_only_the_managers_customers(login, cast):
    client = login(cast.manager)
    body = client.get("/warmth/visits/suggest/customer/", {"customer_q": "36010"}).content
    assert b"360101000001" in body
    assert b"360101000002" not in body  # the bureau's shop without a manager
    assert b"360102000001" not in body


def test_the_customer_page_shows_visits_and_the_next_due_date(login, cast, record):
    record(notes="东湖第一次走访")
    client = login(cast.manager)
    detail = client.get(reverse("customers:detail", args=[cast.customers.east.pk]))
    assert reverse("visits:customer", args=[cast.customers.east.pk]) in detail.content.decode()
    page = client.get(reverse("visits:customer", args=[cast.customers.east.pk]))
    body = page.content.decode()
    assert "东湖第一次走访" in body and "下次应走访" in body


def test_the_outsider_gets_404_for_east_visits_photos_and_people(login, cast, record):
    visit = record(photos=[("before", jpeg())])
    client = login(cast.outsider)
    for url in (
        reverse("visits:detail", args=[visit.pk]),
        reverse("visits:photo", args=[visit.photos.get().pk]),
        reverse("visits:customer", args=[cast.customers.east.pk]),
        reverse("visits:staff", args=[cast.people.manager.pk]),
        reverse("visits:edit", args=[visit.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("visits:follow_up_done", args=[visit.pk])).status_code == 404


def test_the_secretary_reads_but_cannot_change(login, cast, record):
    visit = record()
    client = login(cast.secretary)
    assert client.get(reverse("visits:detail", args=[visit.pk])).status_code == 200
    assert client.get(reverse("visits:edit", args=[visit.pk])).status_code == 404
    assert client.get(reverse("visits:create")).status_code == 404


def test_the_visit_list_has_a_pinned_query_count(
    login, cast, record, django_assert_max_num_queries
):
    for n in range(30):
        record(
            visited_on=TODAY() - dt.timedelta(days=n), photos=[("before", jpeg())] if n < 2 else []
        )
    client = login(cast.office)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("visits:list"))
    assert response.status_code == 200
    assert len(response.context["listing"].rows) == 25


def test_the_unit_month_filter(login, cast, record):
    record(visited_on=TODAY().replace(day=1))
    client = login(cast.secretary)
    month = f"{TODAY():%Y-%m}"
    response = client.get(reverse("visits:list"), {"unit": cast.city.east.pk, "month": month})
    assert len(response.context["listing"].rows) == 1
    response = client.get(reverse("visits:list"), {"month": "十一月"})
    assert "月份：格式应为 年-月" in response.content.decode()


def test_export_is_logged_and_has_the_rows(login, cast, record):
    record(notes="导出测试")
    response = login(cast.office).get(reverse("visits:export"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    values = [v for row in book.active.iter_rows(values_only=True) for v in row]
    assert "导出测试" in values
    assert AccessLog.objects.filter(action="export", model="warmth_visits.visit").exists()


def test_the_due_list_of_the_manager_links_to_the_quick_entry(
    login, cast, django_assert_max_num_queries
):
    for n in range(20):
        make_customer(
            f"3601010004{n:02d}", cast.city.east_area, account_manager=cast.people.manager
        )
    client = login(cast.manager)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("visits:due"))
    body = response.content.decode()
    assert "从未走访" in body
    assert f"{reverse('visits:create')}?customer={cast.customers.east.pk}" in body


def test_open_follow_ups_are_listed_and_closed(login, cast, record):
    visit = record(follow_up_on=TODAY(), follow_up="补送宣传资料")
    client = login(cast.manager)
    assert "补送宣传资料" in client.get(reverse("visits:follow_ups")).content.decode()
    client.post(reverse("visits:follow_up_done", args=[visit.pk]), {"result": "已送达"})
    assert "补送宣传资料" not in client.get(reverse("visits:follow_ups")).content.decode()


def test_the_office_edits_a_plan_and_the_manager_cannot(login, cast):
    plan = VisitPlan.objects.get(segment="vulnerable")
    data = {"name": plan.name, "segment": "vulnerable", "every_days": 10, "is_active": "on"}
    assert (
        login(cast.manager).post(reverse("visits:plan_edit", args=[plan.pk]), data).status_code
        == 404
    )
    response = login(cast.office).post(reverse("visits:plan_edit", args=[plan.pk]), data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.every_days == 10


def test_the_office_adds_a_visit_kind(login, cast):
    response = login(cast.office).post(
        reverse("visits:kinds"),
        {"code": "safety", "name": "消防安全检查", "sort_order": 9, "is_active": "on"},
    )
    assert response.status_code == 302
    assert VisitKind.objects.filter(code="safety").exists()


def test_coverage_page_shows_the_segment(login, cast):
    response = login(cast.office).get(
        reverse("visits:coverage"), {"segment": "vulnerable", "year": TODAY().year}
    )
    assert "送货上门" in response.content.decode()


def test_the_secretary_records_a_discussion(login, cast):
    response = login(cast.secretary).post(
        reverse("visits:discussion_create"),
        {
            "branch": cast.city.east_branch.pk,
            "held_on": TODAY().isoformat(),
            "participants": [cast.people.member.pk],
            "topics": "假如我是服务对象：办证要跑几趟",
            "measures": "一次性告知",
        },
    )
    assert response.status_code == 302
    discussion = Discussion.objects.get()
    assert (
        login(cast.member)
        .get(reverse("visits:discussion_detail", args=[discussion.pk]))
        .status_code
        == 200
    )
    assert (
        login(cast.outsider)
        .get(reverse("visits:discussion_detail", args=[discussion.pk]))
        .status_code
        == 404
    )


def test_a_discussion_without_measures_names_the_field(login, cast):
    response = login(cast.secretary).post(
        reverse("visits:discussion_create"),
        {"branch": cast.city.east_branch.pk, "held_on": TODAY().isoformat(), "topics": "x"},
    )
    assert "改进措施：此项为必填项" in response.content.decode()
    assert not Discussion.objects.exists()


def test_the_manager_edits_his_visit(login, cast, record, kind):
    visit = record()
    client = login(cast.manager)
    url = reverse("visits:edit", args=[visit.pk])
    page = client.get(url)
    assert "修改走访记录" in page.content.decode() and "检查陈列" in page.content.decode()
    values = {
        "visited_on": visit.visited_on.isoformat(),
        "kind": kind().pk,
        "staff": cast.people.manager.pk,
        "notes": "补充：已调整价签",
    }
    response = client.post(url, values)
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:detail", args=[visit.pk])
    visit.refresh_from_db()
    assert visit.notes == "补充：已调整价签"
    assert "已保存" in client.get(response["Location"]).content.decode()
    future = {**values, "visited_on": (TODAY() + dt.timedelta(days=3)).isoformat()}
    refused = client.post(url, future)
    assert refused.status_code == 200
    assert "走访日期不能晚于今天" in refused.content.decode()
    # The picker's 搜索 button (no script) shows the form again and saves nothing.
    again = client.post(url, {**values, "notes": "不保存", "_pick": "staff", "staff_q": "王"})
    assert again.status_code == 200
    visit.refresh_from_db()
    assert visit.notes == "补充：已调整价签"


def test_the_secretary_edits_a_discussion(login, cast):
    client = login(cast.secretary)
    client.post(
        reverse("visits:discussion_create"),
        {
            "branch": cast.city.east_branch.pk,
            "held_on": TODAY().isoformat(),
            "participants": [cast.people.member.pk],
            "topics": "假如我是服务对象：办证要跑几趟",
            "measures": "一次性告知",
        },
    )
    discussion = Discussion.objects.get()
    url = reverse("visits:discussion_edit", args=[discussion.pk])
    assert "修改讨论记录" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "held_on": TODAY().isoformat(),
            "participants": [cast.people.member.pk, cast.people.secretary.pk],
            "topics": "假如我是服务对象：办证要跑几趟",
            "measures": "一次性告知，当场补正",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:discussion_detail", args=[discussion.pk])
    discussion.refresh_from_db()
    assert discussion.measures == "一次性告知，当场补正"
    assert discussion.participants.count() == 2
    assert login(cast.outsider).get(url).status_code == 404
