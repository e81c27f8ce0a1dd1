import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.platform.models import AccessLog
from dangjian.warmth.window import services
from dangjian.warmth.window.models import LicenceApplication, LicenceWindow, OneTimeNotice

from .conftest import ALL_NEW, ID_NUMBER


def _today_receive(receive, **extra):
    today = timezone.localdate()
    return receive(received_on=today, today=today, **extra)


def test_the_clerk_receives_an_application_at_the_counter(login, window):
    client = login(window.clerk)
    page = client.get(reverse("window:create"))
    assert page.status_code == 200
    response = client.post(
        reverse("window:create"),
        {
            "window": window.window.pk,
            "kind": "new",
            "applicant_name": "陈小店",
            "applicant_id_number": ID_NUMBER,
            "applicant_phone": "13912345678",
            "shop_name": "东湖陈记便利店",
            "shop_address": "东湖县解放路8号",
            "received_on": timezone.localdate().isoformat(),
        },
    )
    application = LicenceApplication.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{application.pk}/")
    detail = client.get(response["Location"]).content.decode()
    assert "申请材料清单" in detail and "经营场所使用证明" in detail
    assert ID_NUMBER not in detail and "360102********0013" in detail


def test_bad_input_on_the_receive_form_names_the_field(login, window):
    response = login(window.clerk).post(
        reverse("window:create"),
        {
            "window": window.window.pk,
            "kind": "renewal",
            "applicant_name": "陈小店",
            "applicant_id_number": "360102198001010019",
            "received_on": timezone.localdate().isoformat(),
        },
    )
    body = response.content.decode()
    assert "身份证号：" in body and "已持证零售客户：" in body
    assert not LicenceApplication.objects.exists()


def test_the_clerk_issues_and_prints_the_one_time_notice(login, window, receive):
    application = _today_receive(receive, provided={"form"})
    client = login(window.clerk)
    response = client.post(reverse("window:notice", args=[application.pk]))
    notice = OneTimeNotice.objects.get()
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "打印一次性告知书" in page and notice.number in page
    pdf = client.get(reverse("window:notice_pdf", args=[notice.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    # No second notice without a change of request: the button is gone, a POST is refused.
    assert 'id="issue-notice"' not in page
    client.post(reverse("window:notice", args=[application.pk]))
    assert OneTimeNotice.objects.count() == 1


def test_a_complete_application_has_no_notice_button_and_is_accepted(login, window, receive):
    application = _today_receive(receive, provided=ALL_NEW)
    client = login(window.clerk)
    page = client.get(reverse("window:detail", args=[application.pk])).content.decode()
    assert 'id="issue-notice"' not in page
    response = client.post(reverse("window:notice", args=[application.pk]), follow=True)
    assert "材料齐全，无需出具一次性告知书" in response.content.decode()
    client.post(reverse("window:accept", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == "accepted"


def test_the_detail_says_when_the_application_counts_as_accepted(login, window, receive):
    received = dt.date(2026, 9, 28)
    application = receive(received_on=received, today=received)
    page = login(window.clerk).get(reverse("window:detail", args=[application.pk])).content
    assert "本申请自收到之日（2026-09-28）起即为受理" in page.decode()


def test_ticking_materials_saves_them(login, window, receive):
    application = _today_receive(receive)
    login(window.clerk).post(
        reverse("window:materials", args=[application.pk]),
        {"m_form": "on", "m_premises": "on", "n_id_card": "身份证已过期"},
    )
    rows = {m.code: (m.provided, m.note) for m in application.materials.all()}
    assert rows["form"] == (True, "") and rows["id_card"] == (False, "身份证已过期")


def test_the_full_flow_through_the_pages(login, window, receive):
    application = _today_receive(receive, provided=ALL_NEW)
    client = login(window.clerk)
    pk = application.pk
    today = timezone.localdate().isoformat()
    client.post(reverse("window:accept", args=[pk]))
    response = client.post(
        reverse("window:inspect", args=[pk]),
        {
            "inspected_on": today,
            "staff": [window.clerk_person.pk, window.colleague.pk],
            "findings": "场所一致",
            "passed": "on",
        },
    )
    assert response.status_code == 302
    client.post(
        reverse("window:review", args=[pk]), {"review_opinion": "同意", "reviewed_on": today}
    )
    client.post(reverse("window:decide", args=[pk]), {"decision": "grant", "decided_on": today})
    client.post(
        reverse("window:deliver", args=[pk]), {"delivered_on": today, "delivery_method": "窗口领取"}
    )
    application.refresh_from_db()
    assert application.status == "delivered" and application.licence_valid_until


def test_an_inspection_with_one_person_is_refused_on_the_page(login, window, receive):
    application = _today_receive(receive, provided=ALL_NEW)
    services.application_accept(actor=window.clerk, application=application)
    response = login(window.clerk).post(
        reverse("window:inspect", args=[application.pk]),
        {
            "inspected_on": timezone.localdate().isoformat(),
            "staff": [window.clerk_person.pk],
            "findings": "场所一致",
        },
    )
    assert "不少于2名" in response.content.decode()


def test_the_list_filters_searches_and_has_a_pinned_query_count(
    login, window, receive, django_assert_max_num_queries
):
    for name in ("陈小店", "张大山", "张小花"):
        _today_receive(receive, applicant_name=name)
    client = login(window.clerk)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("window:list"))
    assert page.status_code == 200 and len(page.context["listing"].rows) == 3
    found = client.get(reverse("window:list"), {"q": "zd"}).context["listing"].rows
    assert [a.applicant_name for a in found] == ["张大山"]
    assert len(client.get(reverse("window:list"), {"q": "张"}).context["listing"].rows) == 2
    assert not client.get(reverse("window:list"), {"kind": "renewal"}).context["listing"].rows


def test_the_export_masks_the_id_number_and_is_logged(login, window, receive, cast):
    _today_receive(receive)
    response = login(cast.office).get(reverse("window:export"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    cells = " ".join(str(v) for row in book.active.iter_rows(values_only=True) for v in row)
    assert "陈小店" in cells and ID_NUMBER not in cells
    assert AccessLog.objects.filter(
        action="export", model="warmth_window.licenceapplication"
    ).exists()


def test_revealing_the_id_number_is_logged(login, window, receive):
    application = _today_receive(receive)
    response = login(window.clerk).post(
        reverse("window:reveal", args=[application.pk, "applicant_id_number"])
    )
    assert ID_NUMBER in response.content.decode()
    assert AccessLog.objects.filter(field="applicant_id_number", user=window.clerk).exists()


def test_the_worklist_shows_todays_receipts(login, window, receive, django_assert_max_num_queries):
    application = _today_receive(receive)
    client = login(window.clerk)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("window:worklist"))
    assert application.number in page.content.decode()
    assert page.context["window"] == window.window


@pytest.mark.parametrize(
    "name", ["detail", "notice", "accept", "materials", "inspect", "decide", "deliver"]
)
def test_an_outsider_gets_404_for_another_bureaus_application(login, window, receive, cast, name):
    application = _today_receive(receive)
    client = login(cast.outsider)
    url = reverse(f"window:{name}", args=[application.pk])
    response = client.get(url) if name in ("detail", "inspect") else client.post(url)
    assert response.status_code == 404


def test_an_outsider_has_no_list_and_no_notice(login, window, receive, cast):
    application = _today_receive(receive)
    notice = services.notice_issue(actor=window.clerk, application=application)
    client = login(cast.outsider)
    assert client.get(reverse("window:list")).status_code == 404
    assert client.get(reverse("window:notice_pdf", args=[notice.pk])).status_code == 404


def test_only_the_office_sets_up_windows(login, window, cast):
    assert login(window.clerk).get(reverse("window:window_create")).status_code == 404
    client = login(cast.office)
    response = client.post(
        reverse("window:window_create"),
        {"unit": cast.city.west.pk, "name": "西山县局办证窗口", "is_active": "on"},
    )
    assert response.status_code == 302
    assert LicenceWindow.objects.filter(name="西山县局办证窗口").exists()


def test_the_manager_sees_his_expiring_customers_with_a_text(login, cast):
    customer = cast.customers.east
    customer.licence_expires_on = timezone.localdate() + dt.timedelta(days=40)
    customer.save()
    page = login(cast.manager).get(reverse("window:expiring")).content.decode()
    assert customer.shop_name in page and "申请延续" in page
    other = login(cast.outsider).get(reverse("window:expiring")).content.decode()
    assert customer.shop_name not in other


def test_the_api_lists_applications_in_scope(api, window, receive, cast):
    application = _today_receive(receive)
    body = api(window.clerk).get("/api/v1/licence-applications").json()
    assert body["count"] == 1 and body["items"][0]["applicant_id_masked"].endswith("0013")
    assert (
        api(cast.outsider).get(f"/api/v1/licence-applications/{application.pk}").status_code == 404
    )


# --- Window filters: a search picker, never a <select> of every window -------------------------

NOT_IN_SCOPE = "请从搜索结果中选择；所选项不存在或不在您的权限范围内"


def _more_windows(cast, n=30):
    return [
        LicenceWindow.objects.create(unit=cast.city.west, name=f"西山第{i}办证窗口")
        for i in range(n)
    ]


def _chosen(window) -> str:
    return f'value="{window.pk}" id="id_window_chosen_{window.pk}" checked'


def test_the_office_list_filters_by_a_picked_window_without_listing_them_all(
    login, window, receive, cast, django_assert_max_num_queries
):
    _today_receive(receive)
    extra = _more_windows(cast)
    client = login(cast.office)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("window:list"))
    body = page.content.decode()
    assert 'name="window_q"' in body and '<select name="window"' not in body
    assert not any(w.name in body for w in extra)
    # The choice filters and stays on the page (checked), with a way back to every window.
    with django_assert_max_num_queries(13):
        page = client.get(reverse("window:list"), {"window": window.window.pk})
    body = page.content.decode()
    assert [a.window for a in page.context["listing"].rows] == [window.window]
    assert _chosen(window.window) in body and "全部窗口" in body
    assert not client.get(reverse("window:list"), {"window": extra[0].pk}).context["listing"].rows


def test_the_list_refuses_a_window_out_of_scope_with_a_message(login, window, receive, cast):
    _today_receive(receive)
    west = LicenceWindow.objects.create(unit=cast.city.west, name="西山县局办证窗口")
    page = login(window.clerk).get(reverse("window:list"), {"window": west.pk})
    body = page.content.decode()
    assert page.status_code == 200 and NOT_IN_SCOPE in body
    assert "西山县局办证窗口" not in body
    assert len(page.context["listing"].rows) == 1  # not filtered: his own window's rows


def test_the_window_picker_searches_within_scope(login, window, cast):
    LicenceWindow.objects.create(unit=cast.city.west, name="西山县局办证窗口")
    url = reverse("window:suggest", args=["window"])
    office = login(cast.office).get(url, {"window_q": "县局"}).content.decode()
    assert "东湖县局办证窗口" in office and "西山县局办证窗口" in office
    clerk = login(window.clerk).get(url, {"window_q": "县局"}).content.decode()
    assert "东湖县局办证窗口" in clerk and "西山县局办证窗口" not in clerk
    assert login(cast.manager).get(url, {"window_q": "县局"}).status_code == 404
    # Without script the 搜索 button reloads the list with the matches.
    page = login(window.clerk).get(reverse("window:list"), {"window_q": "东湖", "_pick": "window"})
    assert f'value="{window.window.pk}"' in page.content.decode()


def test_the_office_worklist_picks_a_window_by_search(login, window, receive, cast):
    application = _today_receive(receive)
    extra = _more_windows(cast)
    client = login(cast.office)
    page = client.get(reverse("window:worklist"))
    body = page.content.decode()
    assert 'name="window_q"' in body and not any(w.name in body for w in extra)
    assert page.context["window"] is None and application.number in body
    page = client.get(reverse("window:worklist"), {"window": window.window.pk})
    assert (
        page.context["window"] == window.window and _chosen(window.window) in page.content.decode()
    )
    page = client.get(reverse("window:worklist"), {"window": extra[0].pk})
    assert page.context["window"] == extra[0] and application.number not in page.content.decode()


def test_the_clerk_worklist_keeps_his_window_and_refuses_another(login, window, receive, cast):
    west = LicenceWindow.objects.create(unit=cast.city.west, name="西山县局办证窗口")
    client = login(window.clerk)
    page = client.get(reverse("window:worklist"))
    assert (
        page.context["window"] == window.window and 'name="window_q"' not in page.content.decode()
    )
    page = client.get(reverse("window:worklist"), {"window": west.pk})
    body = page.content.decode()
    assert page.status_code == 200 and NOT_IN_SCOPE in body and "西山县局办证窗口" not in body
    assert page.context["window"] == window.window


def test_the_expiring_list_filters_by_a_picked_window(login, window, cast):
    soon = timezone.localdate() + dt.timedelta(days=40)
    for customer in (cast.customers.east, cast.customers.west):
        customer.licence_expires_on = soon
        customer.save()
    west = LicenceWindow.objects.create(unit=cast.city.west, name="西山县局办证窗口")
    client = login(cast.office)
    page = client.get(reverse("window:expiring"))
    body = page.content.decode()
    assert 'name="window_q"' in body and '<select name="window"' not in body
    assert {c.pk for c, _text in page.context["rows"]} == {
        cast.customers.east.pk,
        cast.customers.west.pk,
    }
    page = client.get(reverse("window:expiring"), {"window": west.pk})
    assert [c for c, _text in page.context["rows"]] == [cast.customers.west]
    assert _chosen(west) in page.content.decode()
    page = client.get(reverse("window:expiring"), {"window": 999999})
    assert NOT_IN_SCOPE in page.content.decode() and len(page.context["rows"]) == 2


@pytest.mark.django_db
def test_the_expiring_list_reads_the_partial_expiry_index(cast):
    """On PostgreSQL the office's expiring list (active customers, expiry range, ordered by
    expiry and id) is a range of cust_active_expiry_idx, rows already in order."""
    from django.db import connection

    from dangjian.warmth.window import selectors

    if connection.vendor != "postgresql":
        pytest.skip("plan shape: PostgreSQL only")
    rows = selectors.expiring_customers(cast.office).order_by("licence_expires_on", "pk")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = rows[:25].explain()
    assert "cust_active_expiry_idx" in plan and "Sort" not in plan.split("cust_active")[0]
