"""The month calendar page: official days, local days, provisional years, scope."""

import datetime as dt

from django.urls import reverse

from dangjian.workcalendar.models import LocalDay

URL = reverse("workcalendar:month")


def cell(html: str, date: str) -> str:
    start = html.index(f'data-date="{date}"')
    return html[start : html.index("</td>", start)]


def test_october_2026_shows_national_day_adjusted_saturday_and_weekends(cast, login):
    page = login(cast.secretary).get(URL, {"unit": cast.city.east.pk, "month": "2026-10"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-kind="holiday"' in cell(html, "2026-10-01")
    assert "国庆节" in cell(html, "2026-10-01")
    assert 'data-kind="adjusted_workday"' in cell(html, "2026-10-10")
    assert 'data-kind="weekend"' in cell(html, "2026-10-11")
    assert "重阳节" in cell(html, "2026-10-18")
    assert "暂定" not in html
    assert "本月工作日 18 天" in html  # 8, 9, 10 (调休) and three full weeks


def test_a_year_without_official_data_is_marked_provisional(cast, login):
    html = login(cast.secretary).get(URL, {"unit": cast.city.east.pk, "month": "2027-10"})
    html = html.content.decode()
    assert "暂定" in html and "2027年的法定节假日安排尚未收录" in html
    assert 'data-kind="workday"' in cell(html, "2027-10-01")  # weekends only, shown as such


def test_far_years_and_garbage_months_never_crash(cast, login):
    client = login(cast.secretary)
    for month in ("1850-01", "1900-01", "1901-01", "2098-12", "2099-12", "abc", "2026-13", ""):
        assert client.get(URL, {"unit": cast.city.east.pk, "month": month}).status_code == 200


def test_local_holiday_of_the_bureau_shows_on_its_market_area(cast, login):
    LocalDay.objects.create(
        unit=cast.city.east, date=dt.date(2026, 11, 10), kind="holiday", name="县庆放假"
    )
    html = login(cast.manager).get(URL, {"unit": cast.city.east_area.pk, "month": "2026-11"})
    html = html.content.decode()
    assert 'data-kind="local_holiday"' in cell(html, "2026-11-10")
    assert "县庆放假" in html and "沿用东湖县局" in html
    assert "删除" not in html  # the manager reads only


def test_office_sees_the_add_form_and_history_others_do_not(cast, login):
    html = login(cast.office).get(URL, {"unit": cast.city.east.pk}).content.decode()
    assert "新增假日或上班日" in html and "变更历史" in html
    html = login(cast.auditor).get(URL, {"unit": cast.city.east.pk}).content.decode()
    assert "新增假日或上班日" not in html


def test_outsider_asking_for_the_other_bureau_gets_404(cast, login):
    client = login(cast.outsider)
    assert client.get(URL, {"unit": cast.city.east.pk}).status_code == 404
    assert client.get(URL, {"unit": "not-a-number"}).status_code == 404
    html = client.get(URL).content.decode()
    assert "东湖" not in html and "西山县局" in html


def test_a_user_with_no_calendar_role_gets_404(login, django_user_model, cast):
    nobody = django_user_model.objects.create_user("nobody", password="x")
    assert login(nobody).get(URL).status_code == 404


def test_anonymous_is_sent_to_login(client, cast):
    assert client.get(URL).status_code == 302


def test_the_month_prints_as_an_a4_pdf_with_chinese_text_and_a_qr(cast, login):
    import io

    from pypdf import PdfReader

    response = login(cast.secretary).get(
        reverse("workcalendar:month_pdf"), {"unit": cast.city.east.pk, "month": "2026-10"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    text = page.extract_text()
    assert "2026年10月" in text and "国庆节" in text and "东湖县局" in text
    assert round(float(page.mediabox.width)) > round(float(page.mediabox.height))  # landscape
    assert "扫码查看" in text


def test_a_provisional_month_prints_as_provisional(cast, login):
    import io

    from pypdf import PdfReader

    response = login(cast.secretary).get(
        reverse("workcalendar:month_pdf"), {"unit": cast.city.east.pk, "month": "2027-05"}
    )
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "暂定" in text


def test_outsider_cannot_print_the_other_bureau(cast, login):
    response = login(cast.outsider).get(
        reverse("workcalendar:month_pdf"), {"unit": cast.city.east.pk}
    )
    assert response.status_code == 404
