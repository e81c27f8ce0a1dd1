"""The pages a secretary and the office walk: plan, record, turn green, read the matrix."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from dangjian.orglife.models import Meeting, MeetingFile

from .factories import held_meeting


@pytest.fixture
def today(monkeypatch):
    day = dt.date(2026, 11, 24)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)
    return day


def _plan_meeting(cast, kind, day):
    return Meeting.objects.create(
        branch=cast.city.east_branch, kind=kind, planned_on=day, study_hours=1
    )


def _record(client, cast, meeting, day, **extra):
    data = {
        "kind": meeting.kind,
        "held_on": day.isoformat(),
        "place": "党员活动室",
        "study_hours": "1.5",
        "minutes": "会议记录内容",
        f"att_{cast.people.secretary.pk}": "present",
        f"att_{cast.people.member.pk}": "present",
        f"att_{cast.people.probationary.pk}": "leave",
        f"reason_{cast.people.probationary.pk}": "外出培训",
    }
    data.update(extra)
    return client.post(reverse("orglife:meeting_record", args=[meeting.pk]), data)


def test_secretary_records_the_month_and_the_branch_turns_green(login, cast, today):
    client = login(cast.secretary)
    url = reverse("orglife:branch", args=[cast.city.east_branch.pk]) + "?year=2026&month=11"
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-status="due"' in page.content.decode()
    for kind in ("committee_meeting", "group_meeting", "theme_day"):
        meeting = _plan_meeting(cast, kind, dt.date(2026, 11, 20))
        response = _record(client, cast, meeting, dt.date(2026, 11, 20))
        assert response.status_code == 302, response.content.decode()[:2000]
    body = client.get(url).content.decode()
    cells = body.split('id="month-status"')[1]
    assert cells.count('data-status="done"') >= 1
    nov = cells.split("month=11")[1][:200]
    assert 'data-status="done"' in nov


def test_record_refusal_is_shown_on_the_form_and_nothing_saved(login, cast, today):
    client = login(cast.secretary)
    meeting = _plan_meeting(cast, "general_meeting", dt.date(2026, 11, 20))
    response = _record(
        client,
        cast,
        meeting,
        dt.date(2026, 11, 20),
        resolutions="通过",
        **{f"att_{cast.people.member.pk}": "absent"},
    )
    assert response.status_code == 200
    assert "不足法定人数" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "planned"


def test_record_refuses_a_person_from_another_branch(login, cast, today):
    client = login(cast.secretary)
    meeting = _plan_meeting(cast, "committee_meeting", dt.date(2026, 11, 20))
    response = _record(
        client,
        cast,
        meeting,
        dt.date(2026, 11, 20),
        **{f"att_{cast.people.west_member.pk}": "present"},
    )
    assert response.status_code == 200
    assert "钱七 不是东湖县局党支部的党员" in response.content.decode()


def test_record_refuses_a_future_date(login, cast, today):
    client = login(cast.secretary)
    meeting = _plan_meeting(cast, "committee_meeting", dt.date(2026, 11, 30))
    response = _record(client, cast, meeting, dt.date(2026, 11, 30))
    assert "晚于今天" in response.content.decode()


def test_create_then_record(login, cast, today):
    client = login(cast.secretary)
    response = client.post(
        reverse("orglife:meeting_create"),
        {
            "branch": cast.city.east_branch.pk,
            "kind": "party_lecture",
            "planned_on": "2026-11-23",
            "place": "会议室",
            "topic": "党章学习",
            "record": "1",
        },
    )
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("orglife:meeting_record", args=[meeting.pk])
    page = client.get(response["Location"]).content.decode()
    assert "张三" in page and "单雄信" in page and "钱七" not in page


def test_outsider_cannot_plan_for_east(login, cast):
    client = login(cast.outsider)
    response = client.post(
        reverse("orglife:meeting_create"),
        {"branch": cast.city.east_branch.pk, "kind": "theme_day", "planned_on": "2026-12-01"},
    )
    assert response.status_code == 200
    assert not Meeting.objects.exists()


def test_the_office_matrix_shows_late_branches_in_red(
    login, cast, today, django_assert_max_num_queries
):
    held_meeting(cast.secretary, cast.city.east_branch, "committee_meeting", dt.date(2026, 10, 5))
    client = login(cast.office)
    with django_assert_max_num_queries(14):
        body = client.get(reverse("orglife:matrix") + "?year=2026").content.decode()
    assert "东湖县局党支部" in body and "西山县局党支部" in body
    assert "ol-late" in body and "ol-missing" in body
    assert (
        reverse("orglife:branch", args=[cast.city.east_branch.pk]) + "?year=2026&amp;month=10"
        in body
    )


def test_matrix_query_count_does_not_grow_with_branches(
    login, cast, today, django_assert_max_num_queries
):
    from dangjian.orgs.models import PartyOrg

    for i in range(15):
        PartyOrg.objects.add_child(
            PartyOrg.objects.get(pk=cast.city.committee.pk),
            instance=PartyOrg(name=f"新支部{i}", code=f"P-N{i}", kind="branch"),
        )
    client = login(cast.office)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("orglife:matrix")).status_code == 200


def test_matrix_filter_by_bureau_and_export(login, cast, today):
    client = login(cast.office)
    body = client.get(reverse("orglife:matrix"), {"unit": cast.city.west.pk}).content.decode()
    assert "西山县局党支部" in body and "东湖县局党支部" not in body
    response = client.get(reverse("orglife:matrix_export"), {"year": 2026})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("编码", "党组织", "1月")
    assert {r[1] for r in rows[1:]} == {"东湖县局党支部", "西山县局党支部"}


def test_a_secretary_with_one_branch_is_sent_to_his_branch_page(login, cast, today):
    client = login(cast.outsider)
    response = client.get(reverse("orglife:matrix"), {"year": 2025})
    west = cast.city.west_branch
    assert response.status_code == 302
    assert response["Location"] == reverse("orglife:branch", args=[west.pk]) + "?year=2025"
    # A filter keeps the matrix (an out-of-scope bureau is ignored): still only his branch.
    body = client.get(reverse("orglife:matrix"), {"unit": cast.city.east.pk}).content.decode()
    assert "西山县局党支部" in body and "东湖" not in body


def test_matrix_pickers_search_choose_and_clear(login, cast, today):
    client = login(cast.office)
    url = reverse("orglife:matrix")
    # No <select> of every organisation: a search box; without script 搜索 lists matches.
    body = client.get(url, {"unit_q": "西山", "_pick": "unit"}).content.decode()
    assert "<select" not in body.split('name="year"')[1].split("</form>")[0]
    assert f'name="unit" value="{cast.city.west.pk}"' in body
    assert "东湖县局党支部" in body  # nothing chosen yet: every branch
    # Chosen: the matrix is filtered, the choice is shown checked with a way back to all.
    body = client.get(url, {"unit": cast.city.west.pk}).content.decode()
    assert "西山县局党支部" in body and "东湖县局党支部" not in body
    assert f'value="{cast.city.west.pk}" id="id_unit_chosen_{cast.city.west.pk}" checked' in body
    assert "全部县局" in body
    body = client.get(url, {"org": cast.city.committee.pk}).content.decode()
    assert "西山县局党支部" in body and "东湖县局党支部" in body
    # htmx suggestions, from the same scope.
    body = client.get(reverse("orglife:suggest", args=["unit"]), {"unit_q": "东湖"}).content
    assert "东湖县局" in body.decode() and "西山" not in body.decode()
    assert client.get(reverse("orglife:suggest", args=["nope"])).status_code == 404


def test_picker_suggestions_stay_in_scope(login, cast, today):
    client = login(cast.outsider)
    body = client.get(reverse("orglife:suggest", args=["branch"]), {"branch_q": "县局"})
    assert "西山县局党支部" in body.content.decode() and "东湖" not in body.content.decode()
    # An id outside his scope does not filter (nor leak): the list shows only his own.
    held_meeting(cast.secretary, cast.city.east_branch, topic="东边的会")
    body = client.get(reverse("orglife:meeting_list"), {"branch": cast.city.east_branch.pk})
    assert "东边的会" not in body.content.decode()


def test_meeting_list_branch_picker_filters(login, cast, today, django_assert_max_num_queries):
    held_meeting(cast.secretary, cast.city.east_branch, topic="东边的会")
    held_meeting(cast.outsider, cast.city.west_branch, topic="西边的会")
    client = login(cast.office)
    with django_assert_max_num_queries(10):
        body = client.get(
            reverse("orglife:meeting_list"), {"branch": cast.city.west_branch.pk}
        ).content.decode()
    assert "西边的会" in body and "东边的会" not in body
    assert "全部党组织" in body
    body = client.get(reverse("orglife:meeting_list"), {"branch": ""}).content.decode()
    assert "西边的会" in body and "东边的会" in body


def test_meeting_list_search_filter_and_export(login, cast, today, django_assert_max_num_queries):
    east = cast.city.east_branch
    for day in range(1, 8):
        held_meeting(
            cast.secretary, east, "committee_meeting", dt.date(2026, 6, day), topic=f"议题{day}"
        )
    held_meeting(cast.secretary, east, "party_lecture", dt.date(2026, 6, 9), topic="党史学习")
    client = login(cast.secretary)
    with django_assert_max_num_queries(10):
        body = client.get(reverse("orglife:meeting_list"), {"q": "党史"}).content.decode()
    assert "党史学习" in body and "议题1" not in body
    body = client.get(
        reverse("orglife:meeting_list"), {"kind": "committee_meeting"}
    ).content.decode()
    assert "议题3" in body and "党史学习" not in body
    response = client.get(reverse("orglife:meeting_export"), {"kind": "party_lecture"})
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert len(rows) == 2 and rows[1][6] == "党史学习"


def test_member_reads_meetings_but_cannot_record(login, cast, today):
    meeting = held_meeting(cast.secretary, cast.city.east_branch)
    client = login(cast.member)
    assert client.get(reverse("orglife:meeting_detail", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("orglife:meeting_record", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("orglife:meeting_create")).status_code == 404


def test_detail_shows_attendance_and_history(login, cast, today):
    meeting = held_meeting(
        cast.secretary, cast.city.east_branch, "general_meeting", dt.date(2026, 5, 5)
    )
    body = (
        login(cast.office)
        .get(reverse("orglife:meeting_detail", args=[meeting.pk]))
        .content.decode()
    )
    assert "实到 3 人" in body and "变更历史" in body


def _jpeg():
    buf = io.BytesIO()
    Image.new("RGB", (30, 20), "red").save(buf, "JPEG")
    buf.seek(0)
    buf.name = "现场.jpg"
    return buf


def test_photo_upload_is_validated_and_served_only_in_scope(login, cast, today):
    meeting = held_meeting(cast.secretary, cast.city.east_branch)
    client = login(cast.secretary)
    url = reverse("orglife:meeting_file_upload", args=[meeting.pk])
    fake = io.BytesIO(b"not an image")
    fake.name = "x.jpg"
    client.post(url, {"kind": "photo", "file": fake})
    assert not MeetingFile.objects.exists()
    exe = io.BytesIO(b"MZ....")
    exe.name = "x.exe"
    response = client.post(url, {"kind": "attachment", "file": exe}, follow=True)
    assert "不允许" in response.content.decode()
    client.post(url, {"kind": "photo", "file": _jpeg()})
    row = MeetingFile.objects.get()
    served = client.get(reverse("orglife:meeting_file", args=[row.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert (
        login(cast.outsider).get(reverse("orglife:meeting_file", args=[row.pk])).status_code == 404
    )


def test_plan_page_saves_the_theme_day_and_generates(login, cast, today):
    client = login(cast.secretary)
    url = reverse("orglife:plan", args=[cast.city.east_branch.pk])
    response = client.post(url, {"year": 2026, "theme_day_of_month": 15, "note": ""})
    assert response.status_code == 302
    assert Meeting.objects.filter(kind="theme_day", planned_on=dt.date(2026, 12, 15)).exists()
    bad = client.post(url, {"year": 2026, "theme_day_of_month": 40})
    assert "主题党日固定日应在 1–31 之间" in bad.content.decode()


def test_notify_button_sends_reminders(login, cast, today, settings):
    settings.DANGJIAN_NOTIFY_DISPATCH = "none"
    meeting = _plan_meeting(cast, "theme_day", dt.date(2026, 11, 28))
    response = login(cast.secretary).post(
        reverse("orglife:meeting_notify", args=[meeting.pk]), follow=True
    )
    assert "已向 2 名党员发送会议提醒" in response.content.decode()


def test_study_hours_page(login, cast, today):
    held_meeting(cast.secretary, cast.city.east_branch, "party_lecture", dt.date(2026, 3, 3))
    body = (
        login(cast.secretary)
        .get(reverse("orglife:study_hours", args=[cast.city.east_branch.pk]), {"year": 2026})
        .content.decode()
    )
    assert "李四" in body and "32" in body


@pytest.mark.parametrize(
    "name",
    ["orglife:branch", "orglife:plan", "orglife:study_hours"],
)
def test_outsider_gets_404_on_east_branch_pages(login, cast, name):
    client = login(cast.outsider)
    assert client.get(reverse(name, args=[cast.city.east_branch.pk])).status_code == 404


def test_outsider_gets_404_on_east_meeting(login, cast):
    meeting = held_meeting(cast.secretary, cast.city.east_branch)
    client = login(cast.outsider)
    for name in ("meeting_detail", "meeting_record", "meeting_edit"):
        assert client.get(reverse(f"orglife:{name}", args=[meeting.pk])).status_code == 404
    for name in ("meeting_notify", "meeting_cancel", "meeting_file_upload"):
        assert client.post(reverse(f"orglife:{name}", args=[meeting.pk])).status_code == 404
